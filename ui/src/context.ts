import { createContext } from "preact";
import { useContext } from "preact/hooks";
import type { Definition } from "./bindings/Definition";
import type { FormRef } from "./bindings/FormRef";
import type { NodeSummary } from "./bindings/NodeSummary";
import type { SessionInfo } from "./bindings/SessionInfo";

export type Screen =
  | { kind: "subjects" }
  | { kind: "worklist" }
  | { kind: "sync" }
  | { kind: "queue" }
  | { kind: "home" }
  | { kind: "queries" }
  | { kind: "reports" }
  | { kind: "exports" }
  | { kind: "casebook"; subject: string }
  | { kind: "form"; form: FormRef };

export type StatusKind = "info" | "ok" | "warn" | "error";

export type AppServices = {
  node: NodeSummary | null;
  session: SessionInfo;
  /** The current definition. */
  def: Definition;
  /** A definition by version (a form instance keeps the version it was captured under);
   * cached, the current one answered at once. */
  definitionFor: (version: string) => Promise<Definition>;
  /** Shows a message in the status line (#status). */
  status: (text: string, kind?: StatusKind) => void;
  open: (s: Screen) => void;
  back: () => void;
  /** A screen with unsaved input registers a guard; leaving asks first (keep the draft, or
   * `discard` the input). */
  setLeaveGuard: (dirty: (() => boolean) | null, discard?: () => void) => void;
  can: (action: SessionInfo["permissions"][number]) => boolean;
};

export const AppContext = createContext<AppServices | null>(null);

export function useApp(): AppServices {
  const ctx = useContext(AppContext);
  if (!ctx) throw new Error("useApp outside AppContext");
  return ctx;
}
