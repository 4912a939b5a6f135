// Every call to the Rust side goes through here: typed wrappers over Tauri's `invoke`, one
// error shape, and two hooks the app installs: what to do when the session is locked (ask for
// the password, then retry the same call) and when it has ended (go to the login screen).

import { invoke } from "@tauri-apps/api/core";
import { listen } from "@tauri-apps/api/event";
import { open as openDialog, save as saveDialog } from "@tauri-apps/plugin-dialog";
import type { BundleExported } from "./bindings/BundleExported";
import type { ConflictView } from "./bindings/ConflictView";
import type { ImportProgress } from "./bindings/ImportProgress";
import type { ImportRecord } from "./bindings/ImportRecord";
import type { ImportSummary } from "./bindings/ImportSummary";
import type { ItemRef } from "./bindings/ItemRef";
import type { NodeView } from "./bindings/NodeView";
import type { AuditEntry } from "./bindings/AuditEntry";
import type { AuditLine } from "./bindings/AuditLine";
import type { CsvSummary } from "./bindings/CsvSummary";
import type { Draft } from "./bindings/Draft";
import type { EndpointReport } from "./bindings/EndpointReport";
import type { ExportSummary } from "./bindings/ExportSummary";
import type { LockView } from "./bindings/LockView";
import type { PkReport } from "./bindings/PkReport";
import type { QueryThread } from "./bindings/QueryThread";
import type { QueueItem } from "./bindings/QueueItem";
import type { SdvView } from "./bindings/SdvView";
import type { Target } from "./bindings/Target";
import type { Casebook } from "./bindings/Casebook";
import type { CheckOutcome } from "./bindings/CheckOutcome";
import type { Definition } from "./bindings/Definition";
import type { Finding } from "./bindings/Finding";
import type { FormRef } from "./bindings/FormRef";
import type { FormView } from "./bindings/FormView";
import type { NodeSummary } from "./bindings/NodeSummary";
import type { SaveOutcome } from "./bindings/SaveOutcome";
import type { Scope } from "./bindings/Scope";
import type { SignatureMeaning } from "./bindings/SignatureMeaning";
import type { SignatureView } from "./bindings/SignatureView";
import type { SessionInfo } from "./bindings/SessionInfo";
import type { Slot } from "./bindings/Slot";
import type { SubjectSummary } from "./bindings/SubjectSummary";
import type { ValueEntry } from "./bindings/ValueEntry";
import type { Visit } from "./bindings/Visit";
import type { WorklistEntry } from "./bindings/WorklistEntry";

export type ErrorCode =
  | "validation"
  | "reason_required"
  | "unauthenticated"
  | "session_locked"
  | "forbidden"
  | "not_found"
  | "exists"
  | "invalid_input"
  | "io"
  | "integrity"
  | "refused"
  | "busy"
  | "locked"
  | "database_locked"
  | "internal";

/** The error every command may reject with. */
export class ApiError extends Error {
  constructor(
    /** One of ErrorCode; a code this UI does not know yet is kept as sent. */
    public code: ErrorCode | (string & {}),
    message: string,
    public findings: Finding[] = [],
  ) {
    super(message);
    this.name = "ApiError";
  }
}

/** Turns whatever `invoke` rejected with into an ApiError. */
export function toApiError(e: unknown): ApiError {
  if (e instanceof ApiError) return e;
  if (e && typeof e === "object") {
    const o = e as { code?: unknown; message?: unknown; findings?: unknown };
    const code = typeof o.code === "string" && o.code ? o.code : "internal";
    const message = typeof o.message === "string" ? o.message : String(e);
    const findings = Array.isArray(o.findings) ? (o.findings as Finding[]) : [];
    return new ApiError(code, message, findings);
  }
  // Tauri itself rejects with a plain string (e.g. an unknown command).
  return new ApiError("internal", typeof e === "string" ? e : String(e));
}

/** FormView and CheckOutcome gain `hidden`; tolerate its absence. */
export type WithHidden = { hidden?: Array<Slot> };

/** A FormView as received: older services send neither `hidden` nor `overrides`. */
export type FormViewIn = Omit<FormView, "hidden" | "overrides"> & WithHidden & { overrides?: FormView["overrides"] };

type Hooks = {
  /** Resolves once the user has unlocked the session; rejects when they give up. */
  onLocked?: () => Promise<void>;
  onUnauthenticated?: () => void;
};
const hooks: Hooks = {};

export function setHooks(h: Hooks): void {
  hooks.onLocked = h.onLocked;
  hooks.onUnauthenticated = h.onUnauthenticated;
}

/** Commands that must not trigger the lock / login hooks themselves. */
const NO_HOOKS = new Set(["login", "unlock", "session", "node_info", "logout"]);

/** Commands that take the user's password again (a signature). */
const PASSWORD_CMDS = new Set(["sign", "export_pdf"]);

async function call<T>(cmd: string, args: Record<string, unknown> = {}): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await invoke<T>(cmd, args);
    } catch (raw) {
      const err = toApiError(raw);
      if (!NO_HOOKS.has(cmd)) {
        if (err.code === "session_locked" && hooks.onLocked && attempt < 3) {
          await hooks.onLocked();
          continue;
        }
        // A wrong password when signing is the signer's typo, not the end of the session.
        const wrongPassword = PASSWORD_CMDS.has(cmd) && /wrong|password/i.test(err.message);
        if (err.code === "unauthenticated" && hooks.onUnauthenticated && !wrongPassword) hooks.onUnauthenticated();
      }
      throw err;
    }
  }
}

export const api = {
  /** Whether the database is open, or (encrypted) waits for its passphrase. */
  databaseStatus: () => call<{ open: boolean; path: string }>("database_status"),
  /** Opens the encrypted database with the passphrase typed at start-up (never stored). */
  openDatabase: (passphrase: string) => call<{ open: boolean; path: string }>("open_database", { passphrase }),
  nodeInfo: () => call<NodeSummary>("node_info"),
  login: (username: string, password: string) => call<SessionInfo>("login", { username, password }),
  logout: () => call<null>("logout"),
  session: () => call<SessionInfo | null>("session"),
  unlock: (password: string) => call<SessionInfo>("unlock", { password }),
  /** The current definition, or the version a form instance was captured under. */
  definition: (version?: string) => call<Definition>("definition", version === undefined ? {} : { version }),
  subjects: () => call<SubjectSummary[]>("subjects"),
  enrol: (subject: string) => call<SubjectSummary>("enrol", { subject }),
  casebook: (subject: string) => call<Casebook>("casebook", { subject }),
  formShow: (form: FormRef) => call<FormViewIn>("form_show", { form }),
  formCheck: (form: FormRef, values: ValueEntry[]) =>
    call<CheckOutcome & WithHidden>("form_check", { form, values }),
  formSave: (form: FormRef, values: ValueEntry[], complete: boolean, reason: string | null) =>
    call<SaveOutcome & WithHidden>("form_save", { form, values, complete, reason }),
  /** An investigator overrides a derived value (a value of its scale), or withdraws the
   * override (`value` null); the reason is required either way. */
  formOverride: (form: FormRef, derived: string, value: unknown, reason: string) =>
    call<FormViewIn>("form_override", { form, derived, value, reason }),
  subjectSchedule: (subject: string) => call<Visit[]>("subject_schedule", { subject }),
  /** Visits overdue, due, in progress, or opening within `days` (the services' default 7). */
  worklist: (days?: number) => call<WorklistEntry[]>("worklist", days === undefined ? {} : { days }),
  /** An investigator signs a form, an event or a casebook with their password (21 CFR 11.50). */
  sign: (scope: Scope, meaning: SignatureMeaning, password: string) =>
    call<SignatureView>("sign", { scope, meaning, password }),
  subjectSignatures: (subject: string) => call<SignatureView[]>("subject_signatures", { subject }),
  /** Writes a PDF of the scope to `path`; signed by the exporting investigator when the password
   * and meaning are given. Answers the number of bytes written. */
  exportPdf: (scope: Scope, lang: PdfLang, path: string, signAs?: { password: string; meaning: SignatureMeaning }) =>
    call<number>("export_pdf", signAs ? { scope, lang, path, password: signAs.password, meaning: signAs.meaning } : { scope, lang, path }),
  /** Writes a sync bundle to `path`: at a site for the central node (`to` omitted), at the
   * central node for one site node (`to` its node id). Incremental unless `full`. */
  bundleExport: (to: string | null, full: boolean, path: string) => call<BundleExported>("bundle_export", { to, full, path }),
  /** Reads and verifies a bundle without importing it (who signed it, what it holds). */
  bundleInspect: (path: string) => call<BundleInspection>("bundle_inspect", { path }),
  /** Imports the files in turn; a refused file comes back with status "refused" and the reason.
   * `accept` is the key fingerprint of a new node, checked with the sender. */
  bundleImport: (paths: string[], accept: string | null = null) => call<ImportSummary[]>("bundle_import", { paths, accept }),
  /** Calls `f` with each progress report of an import; answers the function that stops it. */
  onImportProgress: async (f: (p: ImportProgress) => void): Promise<() => void> => {
    try {
      return await listen<ImportProgress>(IMPORT_PROGRESS, (e) => f(e.payload));
    } catch (raw) {
      throw toApiError(raw);
    }
  },
  importHistory: () => call<ImportRecord[]>("import_history"),
  nodes: () => call<NodeView[]>("nodes"),
  revokeNode: (node: string, reason: string) => call<NodeView>("revoke_node", { node, reason }),
  conflicts: (subject?: string) => call<ConflictView[]>("conflicts", subject === undefined ? {} : { subject }),
  resolveConflict: (item: ItemRef, value: unknown, reason: string) => call<ConflictView>("resolve_conflict", { item, value, reason }),
  /** The native open dialog for sync bundles (several at once): the chosen paths, or [] when
   * cancelled. */
  openBundlePaths: async (): Promise<string[]> => {
    try {
      const p = await openDialog({ multiple: true, directory: false, filters: [{ name: "eCRF bundle", extensions: ["ecrfb"] }] });
      if (p === null || p === undefined) return [];
      return Array.isArray(p) ? p : [p];
    } catch (raw) {
      throw toApiError(raw);
    }
  },
  /** The native save dialog for a sync bundle: the chosen path, or null when cancelled. */
  saveBundlePath: async (defaultPath: string): Promise<string | null> => {
    try {
      const p = await saveDialog({ defaultPath, filters: [{ name: "eCRF bundle", extensions: ["ecrfb"] }] });
      return p ?? null;
    } catch (raw) {
      throw toApiError(raw);
    }
  },
  // Drafts: typed input kept on every change (survives a crash); saving the form removes it.
  draftSave: (form: FormRef, values: ValueEntry[]) => call<null>("draft_save", { form, values }),
  draft: (form: FormRef) => call<Draft | null>("draft", { form }),
  drafts: () => call<Draft[]>("drafts"),
  draftDiscard: (form: FormRef) => call<null>("draft_discard", { form }),
  /** Completed forms that are unsigned or whose signature broke (investigators). */
  signatureQueue: () => call<QueueItem[]>("signature_queue"),
  /** Every change of one item, or of one subject's data (who, when, old → new, why). */
  auditTrail: (subject: string | null, item: ItemRef | null = null) => call<AuditLine[]>("audit_trail", { subject, item }),
  /** A subject's change log as raw events, for those who may view data but not run reports. */
  auditLog: (subject: string) => call<AuditEntry[]>("audit_log", { subject }),
  // Queries, source data verification, locks.
  queries: (subject: string | null = null, status: "open" | "answered" | "closed" | null = null) =>
    call<QueryThread[]>("queries", { subject, status }),
  queryOpen: (target: Target, text: string) => call<QueryThread>("query_open", { target, text }),
  queryAct: (query: string, action: "answer" | "close" | "reopen", text: string) =>
    call<QueryThread>("query_act", { query, action, text }),
  sdvMark: (target: Target, verified: boolean) => call<SdvView>("sdv_mark", { target, verified }),
  lockData: (scope: Scope, reason: string | null) => call<LockView[]>("lock_data", { scope, reason }),
  unlockData: (scope: Scope, reason: string) => call<LockView[]>("unlock_data", { scope, reason }),
  locks: () => call<LockView[]>("locks"),
  // Reports and exports.
  reportEndpoints: () => call<EndpointReport>("report_endpoints"),
  reportPk: () => call<PkReport>("report_pk"),
  exportOdm: (path: string) => call<ExportSummary>("export_odm", { path }),
  exportCsv: (path: string) => call<CsvSummary>("export_csv", { path }),
  /** The native save dialog: the chosen path, or null when cancelled. */
  savePdfPath: async (defaultPath: string): Promise<string | null> => {
    try {
      const p = await saveDialog({ defaultPath, filters: [{ name: "PDF", extensions: ["pdf"] }] });
      return p ?? null;
    } catch (raw) {
      throw toApiError(raw);
    }
  },
};

export type PdfLang = "en" | "zh" | "both";

/** What `bundle_inspect` answers: the bundle's manifest and the fingerprint of the key that
 * signed it (the services' `BundleInspection`; it has no generated type). */
export type BundleInspection = {
  origin_key_fingerprint: string;
  signature: string;
  manifest: {
    study: string;
    definition_version: string;
    origin: { node: string; role: string; site: string | null; epoch: number; public_key: string };
    destination: string | null;
    full: boolean;
    created_at: string;
    streams: Array<{ node: string; epoch: number; stream: string; first: number; last: number; count: number }>;
    counts: { events: number; pdfs: number };
  };
};

/** The event the import reports its progress with (at most ~20 a second). */
export const IMPORT_PROGRESS = "bundle-import-progress";

export type Api = typeof api;
