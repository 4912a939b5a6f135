import { useEffect, useState } from "preact/hooks";
import { api, toApiError } from "../api";
import type { NodeSummary } from "../bindings/NodeSummary";
import type { SessionInfo } from "../bindings/SessionInfo";
import { t, tx } from "../i18n";
import { errorText } from "../messages";

export function Login(p: {
  node: NodeSummary | null;
  nodeError: string | null;
  onLoggedIn: (s: SessionInfo) => void;
  status: (text: string, kind?: "info" | "ok" | "warn" | "error") => void;
}) {
  const [username, setUsername] = useState("");
  const [password, setPassword] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const submit = async (e: Event) => {
    e.preventDefault();
    if (busy) return;
    if (!username.trim() || !password) {
      setError(t("login.missing"));
      p.status(t("login.missing"), "error");
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const s = await api.login(username.trim(), password);
      setPassword("");
      p.onLoggedIn(s);
    } catch (raw) {
      const e = toApiError(raw);
      const msg = e.code === "unauthenticated" ? t("login.failed", { msg: e.message }) : errorText(e);
      setError(msg);
      p.status(msg, "error");
      setPassword("");
      document.getElementById("password")?.focus();
    } finally {
      setBusy(false);
    }
  };

  // Focus the username once, and only if the person is not already typing somewhere: a
  // re-render (the node's details arriving) must never pull the focus out of the password.
  useEffect(() => {
    const active = document.activeElement;
    if (!active || active === document.body) document.getElementById("username")?.focus();
  }, []);

  const node = p.node;
  return (
    <main class="login-screen">
      <div class="login-card">
        {node && (
          <div class="login-study">
            <div class="login-study-id">{node.study}</div>
            <h1>{tx(node.study_name)}</h1>
            <dl class="login-node">
              <dt>{t("login.node")}</dt>
              <dd>{node.role === "central" ? t("login.node.central") : t("login.node.site", { site: node.site ?? "?" })}</dd>
              <dt />
              <dd class="muted">{t("login.version", { v: node.definition_version })}</dd>
            </dl>
          </div>
        )}
        {p.nodeError && <div class="alert error">{p.nodeError}</div>}
        <form class="login-form" onSubmit={submit} noValidate>
          <h2>{t("login.heading")}</h2>
          <label for="username">{t("login.username")}</label>
          <input
            id="username"
            name="username"
            type="text"
            autocomplete="username"
            autoCapitalize="off"
            spellcheck={false}
            value={username}
            onInput={(e) => setUsername((e.currentTarget as HTMLInputElement).value)}
          />
          <label for="password">{t("login.password")}</label>
          <input
            id="password"
            name="password"
            type="password"
            autocomplete="current-password"
            value={password}
            onInput={(e) => setPassword((e.currentTarget as HTMLInputElement).value)}
          />
          {error && (
            <div class="alert error" role="alert">
              {error}
            </div>
          )}
          <button id="login" type="submit" class="primary" disabled={busy}>
            {busy ? t("login.busy") : t("login.submit")}
          </button>
        </form>
      </div>
    </main>
  );
}
