// Sync bundles in words: who sent a bundle, what its import did, why it was refused, how far a
// long import has come, what a node has received, and the values of an item in conflict.
// Pure functions over what the services send; the screen is screens/Sync.tsx.

import type { BundleInspection } from "./api";
import type { Definition } from "./bindings/Definition";
import type { ImportProgress } from "./bindings/ImportProgress";
import type { ImportSummary } from "./bindings/ImportSummary";
import type { ItemDef } from "./bindings/ItemDef";
import type { ItemRef } from "./bindings/ItemRef";
import { choicesOf } from "./components/Field";
import { Key, hasKey, lang, num, t, tn, tx } from "./i18n";
import { whenOf } from "./messages";

/** The first block of a node id (a UUID): enough to tell nodes apart on screen. */
export function shortId(node: string): string {
  return node.split("-")[0].slice(0, 8);
}

/** A key fingerprint in blocks of four, as read out over the phone. */
export function fingerprintGroups(fp: string): string[] {
  return fp.match(/.{1,4}/g) ?? [];
}

/** The start of a fingerprint, for tables (the whole one on hover and copy). */
export function shortFingerprint(fp: string): string {
  return `${fingerprintGroups(fp).slice(0, 4).join(" ")}…`;
}

/** The last part of a path. */
export function baseName(path: string): string {
  const parts = path.split(/[\\/]/);
  return parts[parts.length - 1] || path;
}

/** "Site S01" or "Central office". */
export function whoText(site: string | null | undefined): string {
  return site ? t("sync.site", { site }) : t("sync.central");
}

/** "Site S01 (node 4f04a1b2)"; in a sentence ("Imported from …") the central node reads
 * "the central office". */
export function fromText(site: string | null | undefined, node: string | null | undefined, inSentence = false): string {
  const who = !site && inSentence ? t("sync.central.inText") : whoText(site);
  return node ? t("sync.fromNode", { who, id: shortId(node) }) : who;
}

/** Local date and minutes for a file name, e.g. 2026-11-25T1030. */
export function fileStamp(d: Date): string {
  const p = (x: number) => String(x).padStart(2, "0");
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}${p(d.getMinutes())}`;
}

/** The name the save dialog proposes: `S01-2026-11-25T1030.ecrfb` at a site,
 * `central-to-S01-2026-11-25T1030.ecrfb` at the central node. */
export function defaultBundleName(from: { role: string; site: string | null }, toSite: string | null, now: Date = new Date()): string {
  if (from.role === "central") return `central-to-${toSite ?? "site"}-${fileStamp(now)}.ecrfb`;
  return `${from.site ?? "site"}-${fileStamp(now)}.ecrfb`;
}

export type SummaryLine = { key: string; text: string; kind: "info" | "warn" | "ok" };

/** What an import did, one line per count worth saying ("1 234 new changes", "12 already
 * here", "3 waiting for an earlier bundle", "1 conflict to resolve", "2 signed PDFs"). */
export function summaryLines(s: ImportSummary): SummaryLine[] {
  const out: SummaryLine[] = [];
  const nothingNew = s.new === 0 && s.duplicate > 0 && s.released === 0;
  if (nothingNew) out.push({ key: "nothing", text: t("sync.sum.nothingNew", { n: num(s.duplicate) }), kind: "info" });
  else out.push({ key: "new", text: tn("sync.sum.new", s.new), kind: "ok" });
  if (s.duplicate > 0 && !nothingNew) out.push({ key: "duplicate", text: tn("sync.sum.duplicate", s.duplicate), kind: "info" });
  if (s.pending > 0) out.push({ key: "pending", text: tn("sync.sum.pending", s.pending), kind: "warn" });
  if (s.released > 0) out.push({ key: "released", text: tn("sync.sum.released", s.released), kind: "ok" });
  if (s.conflicts > 0) out.push({ key: "conflicts", text: tn("sync.sum.conflicts", s.conflicts), kind: "warn" });
  if (s.future > 0) out.push({ key: "future", text: tn("sync.sum.future", s.future), kind: "warn" });
  if (s.pdfs > 0) out.push({ key: "pdfs", text: tn("sync.sum.pdfs", s.pdfs), kind: "info" });
  return out;
}

/** The node a refusal says is unknown, from the services' message
 * ("unknown node ID (site S01): check its key fingerprint FP …"). */
export type UnknownNode = { node: string; role: string; site: string | null; fingerprint: string };

export function unknownNodeOf(reason: string | null | undefined): UnknownNode | null {
  const m = /unknown node ([0-9a-fA-F-]{8,}) \((\w+)\s*([^)]*)\)\s*:.*?fingerprint ([0-9a-fA-F]{16,})/.exec(reason ?? "");
  if (!m) return null;
  return { node: m[1], role: m[2], site: m[3].trim() || null, fingerprint: m[4].toLowerCase() };
}

/** Why a bundle was refused, in words where the reason is a known one; otherwise the
 * services' own message. */
export function refusalText(reason: string | null | undefined): string {
  const r = (reason ?? "").trim();
  const unknown = unknownNodeOf(r);
  if (unknown) return t("sync.refused.unknown", { from: fromText(unknown.role === "central" ? null : unknown.site, unknown.node, true) });
  const revoked = /^node \S+ was revoked on (.*?): its bundles are no longer accepted/.exec(r);
  if (revoked) return t("sync.refused.revoked", { detail: revoked[1] });
  if (/^the bundle was made for node /.test(r)) return t("sync.refused.otherNode");
  if (/^this bundle was made by this node/.test(r)) return t("sync.refused.ownNode");
  if (/^the bundle is for study /.test(r)) return t("sync.refused.otherStudy");
  if (/^a site imports bundles from the central node only/.test(r)) return t("sync.refused.siteToSite");
  if (/^the central node imports bundles from site nodes only/.test(r)) return t("sync.refused.centralToCentral");
  return r.replace(/\.?$/, ".");
}

/** Whether the refusal text above replaced the services' message (then the message is kept
 * as details). */
export function refusalTranslated(reason: string | null | undefined): boolean {
  return refusalText(reason) !== (reason ?? "").trim().replace(/\.?$/, ".");
}

export type ProgressView = {
  /** 1-based number of the file being imported. */
  index: number;
  files: number;
  /** 0–100 over all files. */
  percent: number;
  /** Whether the file is still being checked (no count of changes yet). */
  checking: boolean;
  text: string;
};

/** How far an import of `paths` has come, from its latest progress report. */
export function progressView(paths: string[], p: ImportProgress | null): ProgressView {
  const files = Math.max(1, paths.length);
  if (!p) return { index: 1, files, percent: 0, checking: true, text: t("sync.import.checking", { i: 1, n: files, file: baseName(paths[0] ?? "") }) };
  const at = Math.max(0, paths.indexOf(p.file));
  const frac = p.total > 0 ? Math.min(1, p.done / p.total) : 0;
  const percent = Math.round(((at + frac) / files) * 100);
  const checking = p.total === 0;
  const base = { i: at + 1, n: files, file: baseName(p.file) };
  const text = checking
    ? t("sync.import.checking", base)
    : t("sync.import.progress", { ...base, done: num(p.done), total: num(p.total) });
  return { index: at + 1, files, percent, checking, text };
}

/** A stream as a person reads it: the site code, "study-wide" for ALL, the restart (epoch)
 * when there has been one. */
function streamName(epoch: string, stream: string): string {
  const name = stream === "ALL" ? t("nodes.stream.all") : stream;
  return epoch !== "1" ? t("nodes.epoch", { stream: name, e: epoch }) : name;
}

/** "1:S01 up to 1234" → "S01 up to no. 1 234". */
export function receivedText(s: string): string {
  const m = /^(\d+):(\S+) up to (\d+)$/.exec(s);
  if (!m) return s;
  return t("nodes.received", { stream: streamName(m[1], m[2]), n: num(Number(m[3])) });
}

/** "1:S01 up to 1200 of 1234" → "S01: 1 200 of 1 234". */
export function acknowledgedText(s: string): string {
  const m = /^(\d+):(\S+) up to (\d+) of (\d+)$/.exec(s);
  if (!m) return s;
  return t("nodes.acked", { stream: streamName(m[1], m[2]), n: num(Number(m[3])), total: num(Number(m[4])) });
}

/** The definition of an item in conflict, when the current definition has it. */
export function itemDefOf(def: Definition, ref: ItemRef): ItemDef | undefined {
  return def.forms.find((f) => f.id === ref.form)?.items.find((i) => i.id === ref.item && i.group === ref.group);
}

/** Where an item is: its label, and "Day 7 · Vital signs" (with the row of a repeating group). */
export function itemPlace(def: Definition, ref: ItemRef): { label: string; where: string } {
  const form = def.forms.find((f) => f.id === ref.form);
  const ev = def.events.find((e) => e.id === ref.event);
  const it = itemDefOf(def, ref);
  const group = form?.groups.find((g) => g.id === ref.group);
  const parts = [
    ev ? tx(ev.name) + (ev.repeating ? ` #${ref.event_repeat}` : "") : `${ref.event}.${ref.event_repeat}`,
    form ? tx(form.name) + (form.repeating ? ` #${ref.form_repeat}` : "") : `${ref.form}.${ref.form_repeat}`,
  ];
  if (group) parts.push(tx(group.name) + (group.repeating ? ` (${t("conflicts.row", { n: ref.group_repeat })})` : ""));
  return { label: it ? tx(it.label) : ref.item, where: parts.join(" · ") };
}

/** A stored value in words: the choice's label, Yes/No, the number with its unit, the special
 * values (not done, a missing code, below the limit of quantification). */
export function valueText(def: Definition, ref: ItemRef, v: unknown): string {
  if (v === null || v === undefined || v === "") return t("conflicts.empty.value");
  const it = itemDefOf(def, ref);
  if (typeof v === "object" && !Array.isArray(v)) {
    const o = v as Record<string, unknown>;
    if ("not_done" in o) return `${t("field.special.not_done")}${o.not_done ? `: ${String(o.not_done)}` : ""}`;
    if ("code" in o) {
      const k = `field.code.${String(o.code)}`;
      return hasKey(k) ? t(k as Key) : String(o.code);
    }
    if ("blq" in o) return `${t("field.special.blq")}${o.blq !== null && o.blq !== undefined ? ` < ${String(o.blq)}` : ""}`;
    return JSON.stringify(v);
  }
  if (it && (it.type === "choice" || it.type === "boolean")) {
    const c = choicesOf(it, def.codelists).find((x) => x.code === String(v));
    if (c) {
      if (it.type === "boolean") return v === true ? t("field.yes") : t("field.no");
      return c[lang()] || c.en;
    }
  }
  const s =
    typeof v === "number" && it?.type === "decimal" && it.digits !== null && it.digits > 0 && Number.isInteger(v)
      ? v.toFixed(it.digits)
      : typeof v === "string"
        ? v
        : JSON.stringify(v);
  return it?.unit ? `${s} ${it.unit}` : s;
}

/** "1 234 changes", or "1 234 changes and 2 signed PDFs". */
export function contentsText(events: number, pdfs: number): string {
  const e = tn("sync.changes", events);
  return pdfs > 0 ? t("sync.andPdfs", { events: e, pdfs: tn("sync.sum.pdfs", pdfs) }) : e;
}

/** What the accept dialog says about a bundle, from its inspection. */
export function inspectionFrom(i: BundleInspection): { from: string; at: string; contents: string } {
  const o = i.manifest.origin;
  return {
    from: fromText(o.role === "central" ? null : o.site, o.node, true),
    at: whenOf(i.manifest.created_at),
    contents: contentsText(i.manifest.counts.events, i.manifest.counts.pdfs),
  };
}
