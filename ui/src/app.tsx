import { useEffect, useMemo, useRef, useState } from "preact/hooks";
import { ApiError, api, setHooks, toApiError } from "./api";
import type { Definition } from "./bindings/Definition";
import type { Lang } from "./bindings/Lang";
import type { NodeSummary } from "./bindings/NodeSummary";
import type { SessionInfo } from "./bindings/SessionInfo";
import { HelpDialog } from "./components/HelpDialog";
import { Modal } from "./components/Modal";
import { AppContext, AppServices, Screen, StatusKind } from "./context";
import { lang, onLangChange, setLang, t, tx } from "./i18n";
import { errorText, roleText, setMessagesDefinition } from "./messages";
import { Casebook } from "./screens/Casebook";
import { DmHome } from "./screens/DmHome";
import { Exports } from "./screens/Exports";
import { Queries } from "./screens/Queries";
import { Reports } from "./screens/Reports";
import { FormScreen } from "./screens/FormScreen";
import { DatabaseUnlock } from "./screens/DatabaseUnlock";
import { Login } from "./screens/Login";
import { Queue } from "./screens/Queue";
import { Subjects } from "./screens/Subjects";
import { Sync } from "./screens/Sync";
import { Worklist } from "./screens/Worklist";

type Status = { text: string; kind: StatusKind; at: number };

type MainScreen = "home" | "subjects" | "worklist" | "queue" | "queries" | "reports" | "exports" | "sync";

/**
 * The main screens a user's role reaches, in this order: the data management home for those who
 * review data (monitors, data managers); the subjects for everyone; the worklist for those who
 * enter data; the queue of forms awaiting signature for those who sign (investigators); the
 * queries for those who answer, raise or close them; reports and exports for those who may run
 * them; the sync screen for those who move bundles, manage node keys or resolve conflicts.
 */
export function mainScreens(can: (a: SessionInfo["permissions"][number]) => boolean): MainScreen[] {
  const out: MainScreen[] = [];
  if (can("open_query") || can("verify_source") || can("lock")) out.push("home");
  out.push("subjects");
  if (can("enter_data")) out.push("worklist");
  if (can("sign")) out.push("queue");
  if (can("answer_query") || can("open_query") || can("close_query")) out.push("queries");
  if (can("reports")) out.push("reports", "exports");
  if (can("export_bundle") || can("import_bundle") || can("manage_node_keys") || can("resolve_conflict")) out.push("sync");
  return out;
}

/** Where a user starts: the first of their main screens. */
export function firstScreen(s: SessionInfo): MainScreen {
  return mainScreens((a) => s.permissions.includes(a))[0] ?? "subjects";
}

const NAV_TEXT = {
  home: "nav.home",
  subjects: "nav.subjects",
  worklist: "nav.worklist",
  queue: "nav.queue",
  queries: "nav.queries",
  reports: "nav.reports",
  exports: "nav.exports",
  sync: "nav.sync",
} as const;
const NAV_TITLE = {
  home: "nav.home.title",
  subjects: undefined,
  worklist: "nav.worklist.title",
  queue: "nav.queue.title",
  queries: "nav.queries.title",
  reports: "nav.reports.title",
  exports: "nav.exports.title",
  sync: "nav.sync.title",
} as const;

export function App() {
  const [, setLangState] = useState<Lang>(lang());
  const [node, setNode] = useState<NodeSummary | null>(null);
  const [nodeError, setNodeError] = useState<string | null>(null);
  /** An encrypted database waiting for its passphrase. */
  const [dbLocked, setDbLocked] = useState(false);
  const [session, setSession] = useState<SessionInfo | null>(null);
  const [def, setDef] = useState<Definition | null>(null);
  const [stack, setStack] = useState<Screen[]>([{ kind: "subjects" }]);
  const [status, setStatusState] = useState<Status>({ text: "", kind: "info", at: 0 });
  const [locked, setLocked] = useState(false);
  const [unlockPassword, setUnlockPassword] = useState("");
  const [unlockError, setUnlockError] = useState<string | null>(null);
  const [unlocking, setUnlocking] = useState(false);
  const [leaveAsk, setLeaveAsk] = useState<(() => void) | null>(null);
  const [help, setHelp] = useState(false);
  const [booted, setBooted] = useState(false);

  const waiters = useRef<Array<{ resolve: () => void; reject: (e: unknown) => void }>>([]);
  const leaveGuard = useRef<(() => boolean) | null>(null);
  /** Throws away the unsaved input of the screen being left (its draft too). */
  const leaveDiscard = useRef<(() => void) | null>(null);
  const lastActivity = useRef(Date.now());
  /** False once the session has ended: late messages from the screens are then dropped. */
  const alive = useRef(false);
  /** Definitions by version: immutable once published, so kept for the app's lifetime. */
  const defCache = useRef(new Map<string, Promise<Definition>>());

  useEffect(() => onLangChange((l) => setLangState(l)), []);

  const showStatus = (text: string, kind: StatusKind = "info") => setStatusState({ text, kind, at: Date.now() });

  const loadDefinition = async () => {
    try {
      const d = await api.definition();
      defCache.current.set(d.study.version, Promise.resolve(d));
      setMessagesDefinition(d);
      setDef(d);
    } catch (raw) {
      showStatus(errorText(toApiError(raw)), "error");
    }
  };

  const endSession = (message?: string) => {
    for (const w of waiters.current) w.reject(new ApiError("unauthenticated", message ?? ""));
    waiters.current = [];
    alive.current = false;
    setLocked(false);
    setSession(null);
    setStack([{ kind: "subjects" }]);
    leaveGuard.current = null;
    leaveDiscard.current = null;
  };

  // Start: what this computer is, and whether a session is already open.
  useEffect(() => {
    setHooks({
      onLocked: () =>
        new Promise<void>((resolve, reject) => {
          waiters.current.push({ resolve, reject });
          setLocked(true);
        }),
      onUnauthenticated: () => {
        endSession();
        showStatus(t("error.unauthenticated"), "warn");
      },
    });
    (async () => {
      try {
        setNode(await api.nodeInfo());
      } catch (raw) {
        const err = toApiError(raw);
        if (err.code === "database_locked") setDbLocked(true);
        else setNodeError(t("login.nodeError", { msg: errorText(err) }));
      }
      try {
        const s = await api.session();
        if (s) {
          alive.current = true;
          setSession(s);
          setStack([{ kind: firstScreen(s) }]);
          await loadDefinition();
        }
      } catch {
        /* not signed in */
      }
      setBooted(true);
    })();
  }, []);

  // The idle lock: after the session's idle minutes without a key or a click, the screen is
  // covered and the password asked for; unsaved input stays as it is underneath.
  useEffect(() => {
    if (!session) return;
    const mark = () => {
      lastActivity.current = Date.now();
    };
    const events = ["keydown", "mousedown", "wheel", "touchstart"];
    events.forEach((e) => window.addEventListener(e, mark, true));
    lastActivity.current = Date.now();
    const limit = Math.max(1, session.idle_minutes) * 60_000;
    const iv = window.setInterval(() => {
      if (!locked && Date.now() - lastActivity.current >= limit) setLocked(true);
    }, 5_000);
    return () => {
      events.forEach((e) => window.removeEventListener(e, mark, true));
      window.clearInterval(iv);
    };
  }, [session, locked]);

  const doUnlock = async () => {
    if (unlocking) return;
    if (!unlockPassword) {
      setUnlockError(t("login.missing"));
      return;
    }
    setUnlocking(true);
    try {
      const s = await api.unlock(unlockPassword);
      setSession(s);
      setUnlockPassword("");
      setUnlockError(null);
      setLocked(false);
      lastActivity.current = Date.now();
      showStatus(t("unlock.done"), "ok");
      const ws = waiters.current;
      waiters.current = [];
      ws.forEach((w) => w.resolve());
    } catch (raw) {
      // A wrong password also comes back as `unauthenticated`: the dialog stays, with the
      // unsaved input behind it; "Log out instead" is the way out.
      const e = toApiError(raw);
      setUnlockError(t("unlock.failed", { msg: e.code === "unauthenticated" ? e.message : errorText(e) }));
      setUnlockPassword("");
      document.getElementById("unlock-password")?.focus();
    } finally {
      setUnlocking(false);
    }
  };

  const logout = async () => {
    try {
      await api.logout();
    } catch {
      /* the session is gone either way */
    }
    endSession();
    showStatus(t("header.loggedOut"), "info");
  };

  /** Runs `go` now, or after the user agrees to drop unsaved input. */
  const guarded = (go: () => void) => {
    if (leaveGuard.current?.()) setLeaveAsk(() => go);
    else go();
  };

  /** One of the main screens, from the navigation: the stack starts again there. */
  const goHome = (kind: MainScreen) =>
    guarded(() => {
      showStatus("");
      setStack([{ kind }]);
    });

  const services: AppServices | null = useMemo(
    () =>
      session && def
        ? {
            node,
            session,
            def,
            definitionFor: (version) => {
              if (version === def.study.version) return Promise.resolve(def);
              let p = defCache.current.get(version);
              if (!p) {
                p = api.definition(version);
                defCache.current.set(version, p);
                // A failed load is not remembered.
                p.catch(() => defCache.current.delete(version));
              }
              return p;
            },
            status: (text, kind) => {
              if (alive.current) showStatus(text, kind);
            },
            open: (s) =>
              guarded(() => {
                showStatus("");
                setStack((st) => [...st, s]);
              }),
            back: () =>
              guarded(() => {
                showStatus("");
                setStack((st) => (st.length > 1 ? st.slice(0, -1) : st));
              }),
            setLeaveGuard: (g, discard) => {
              leaveGuard.current = g;
              leaveDiscard.current = g ? (discard ?? null) : null;
            },
            can: (a) => session.permissions.includes(a),
          }
        : null,
    [session, def, node],
  );

  // Alt+← goes back; F1 (or ? outside a text field) shows the keys.
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.altKey && e.key === "ArrowLeft" && services && stack.length > 1 && !locked) {
        e.preventDefault();
        services.back();
        return;
      }
      if (locked || help || e.defaultPrevented) return;
      const el = e.target as HTMLElement | null;
      const typing =
        !!el && (el instanceof HTMLTextAreaElement || el instanceof HTMLSelectElement || (el instanceof HTMLInputElement && !["radio", "checkbox", "button"].includes(el.type)));
      if (e.key === "F1" || (e.key === "?" && !typing && !e.ctrlKey && !e.altKey && !e.metaKey)) {
        e.preventDefault();
        setHelp(true);
      }
    };
    document.addEventListener("keydown", onKey);
    return () => document.removeEventListener("keydown", onKey);
  }, [services, stack.length, locked, help]);

  const screen = stack[stack.length - 1];
  const title = node ? tx(node.study_name) : t("app.title");
  useEffect(() => {
    document.title = node ? `${node.study} — ${t("app.title")}` : t("app.title");
  });

  const toggleLang = () => setLang(lang() === "en" ? "zh" : "en");

  let body;
  if (dbLocked)
    body = (
      <DatabaseUnlock
        onOpened={() => {
          setDbLocked(false);
          void api
            .nodeInfo()
            .then(setNode)
            .catch((raw) => setNodeError(t("login.nodeError", { msg: errorText(toApiError(raw)) })));
        }}
      />
    );
  else if (!booted) body = <main class="screen"><p class="muted">{t("common.loading")}</p></main>;
  else if (!session)
    body = (
      <Login
        node={node}
        nodeError={nodeError}
        status={showStatus}
        onLoggedIn={(s) => {
          alive.current = true;
          setSession(s);
          setStack([{ kind: firstScreen(s) }]);
          showStatus(t("login.welcome", { name: s.full_name }), "ok");
          void loadDefinition();
        }}
      />
    );
  else if (!services) body = <main class="screen"><p class="muted">{t("common.loading")}</p></main>;
  else if (screen.kind === "subjects") body = <Subjects />;
  else if (screen.kind === "worklist") body = <Worklist />;
  else if (screen.kind === "sync") body = <Sync />;
  else if (screen.kind === "queue") body = <Queue />;
  else if (screen.kind === "home")
    body = (
      <DmHome
        onOpenForm={(form) => services.open({ kind: "form", form })}
        onOpenSubject={(subject) => services.open({ kind: "casebook", subject })}
        onNavigate={(k) => goHome(k)}
      />
    );
  else if (screen.kind === "queries") body = <Queries onOpenForm={(form) => services.open({ kind: "form", form })} />;
  else if (screen.kind === "reports") body = <Reports onOpenSubject={(subject) => services.open({ kind: "casebook", subject })} />;
  else if (screen.kind === "exports") body = <Exports />;
  else if (screen.kind === "casebook") body = <Casebook subject={screen.subject} key={screen.subject} />;
  else if (screen.kind === "form") body = <FormScreen form={screen.form} key={JSON.stringify(screen.form)} />;

  return (
    <div class="app">
      <div class="topbar">
      <header class="app-header">
        <div class="brand" title={title}>
          <span class="study-id">{node?.study ?? t("app.title")}</span>
          <span class="study-name">{title}</span>
        </div>
        {services && (
          <nav class="main-nav" aria-label={t("nav.label")}>
            {mainScreens(services.can).map((k) => {
              const title = NAV_TITLE[k];
              return (
                <button
                  key={k}
                  id={`nav-${k}`}
                  type="button"
                  class={`nav-tab${stack[0].kind === k ? " active" : ""}`}
                  aria-current={stack[0].kind === k ? "page" : undefined}
                  title={title ? t(title) : undefined}
                  onClick={() => goHome(k)}
                >
                  {t(NAV_TEXT[k])}
                </button>
              );
            })}
          </nav>
        )}
        <div class="header-right">
          {node && (
            <span class="node-tag" title={node.node_id}>
              {node.role === "central" ? t("common.central") : t("common.site", { site: node.site ?? "?" })}
            </span>
          )}
          {session && (
            <span class="user" title={t("header.user")}>
              <span class="user-name">{session.full_name}</span>
              <span class="user-role">{roleText(session.role)}</span>
            </span>
          )}
          <button id="help" type="button" class="header-btn" title={t("help.button.title")} onClick={() => setHelp(true)}>
            {t("help.button")}
          </button>
          <button id="lang" type="button" class="header-btn" lang={lang() === "en" ? "zh-CN" : "en"} title={t("lang.switch.title")} onClick={toggleLang}>
            {t("lang.switch")}
          </button>
          {session && (
            <button id="logout" type="button" class="header-btn" onClick={() => guarded(() => void logout())}>
              {t("header.logout")}
            </button>
          )}
        </div>
      </header>
      <div class="status-bar">
        {services && stack.length > 1 ? (
          <button id="back" type="button" class="back" title={t("common.back.title")} onClick={() => services.back()}>
            {t("common.back")}
          </button>
        ) : null}
        <div id="status" class={`status ${status.kind}`} role="status" aria-live="polite" data-at={status.at}>
          {status.text}
        </div>
      </div>
      </div>

      {services ? <AppContext.Provider value={services}>{body}</AppContext.Provider> : body}

      {leaveAsk && (
        <Modal id="leave-dialog" title={t("form.leave.title")} onCancel={() => setLeaveAsk(null)}>
          <p>
            {t("form.leave.text")} {leaveDiscard.current && t("form.leave.draftText")}
          </p>
          <div class="modal-actions">
            <button id="leave-stay" type="button" class="primary" onClick={() => setLeaveAsk(null)}>
              {t("form.leave.stay")}
            </button>
            <button
              id="leave-go"
              type="button"
              class="secondary"
              onClick={() => {
                const go = leaveAsk;
                setLeaveAsk(null);
                leaveGuard.current = null;
                go();
              }}
            >
              {leaveDiscard.current ? t("form.leave.keep") : t("form.leave.go")}
            </button>
            {leaveDiscard.current && (
              <button
                id="leave-discard"
                type="button"
                class="danger"
                onClick={() => {
                  const go = leaveAsk;
                  const discard = leaveDiscard.current;
                  setLeaveAsk(null);
                  leaveGuard.current = null;
                  leaveDiscard.current = null;
                  discard?.();
                  go();
                }}
              >
                {t("form.leave.discard")}
              </button>
            )}
          </div>
        </Modal>
      )}

      {help && <HelpDialog onClose={() => setHelp(false)} />}

      {locked && session && (
        <Modal id="unlock-dialog" title={t("unlock.title")} opaque>
          <p>{t("unlock.text")}</p>
          <p class="muted">{t("unlock.user", { name: `${session.full_name} (${session.username})` })}</p>
          <form
            onSubmit={(e) => {
              e.preventDefault();
              void doUnlock();
            }}
          >
            <label for="unlock-password">{t("login.password")}</label>
            <input
              id="unlock-password"
              type="password"
              autocomplete="current-password"
              value={unlockPassword}
              onInput={(e) => setUnlockPassword((e.currentTarget as HTMLInputElement).value)}
            />
            {unlockError && (
              <div class="inline-error" role="alert">
                {unlockError}
              </div>
            )}
            <div class="modal-actions">
              <button type="button" class="secondary" onClick={() => void logout()}>
                {t("unlock.logout")}
              </button>
              <button id="unlock" type="submit" class="primary" disabled={unlocking}>
                {t("unlock.button")}
              </button>
            </div>
          </form>
        </Modal>
      )}
    </div>
  );
}
