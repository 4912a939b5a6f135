import { useEffect, useState } from "preact/hooks";
import { api, toApiError } from "../api";
import { t } from "../i18n";
import { errorText } from "../messages";

/** The passphrase of an encrypted database, asked at start-up before anything else. */
export function DatabaseUnlock(p: { onOpened: () => void }) {
  const [passphrase, setPassphrase] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => document.getElementById("db-passphrase")?.focus(), []);
  const submit = async (e: Event) => {
    e.preventDefault();
    if (busy) return;
    if (!passphrase) {
      setError(t("db.missing"));
      return;
    }
    setBusy(true);
    setError(null);
    try {
      await api.openDatabase(passphrase);
      setPassphrase("");
      p.onOpened();
    } catch (raw) {
      const err = toApiError(raw);
      setError(err.code === "database_locked" ? err.message : errorText(err));
      setPassphrase("");
      document.getElementById("db-passphrase")?.focus();
    } finally {
      setBusy(false);
    }
  };
  return (
    <main class="login-screen">
      <div class="login-card">
        <form class="login-form" onSubmit={submit} noValidate>
          <h2>{t("db.heading")}</h2>
          <p class="muted">{t("db.explain")}</p>
          <label for="db-passphrase">{t("db.passphrase")}</label>
          <input
            id="db-passphrase"
            type="password"
            autocomplete="off"
            value={passphrase}
            onInput={(e) => setPassphrase((e.currentTarget as HTMLInputElement).value)}
          />
          {error && (
            <div class="alert error" role="alert">
              {error}
            </div>
          )}
          <button type="submit" class="primary" disabled={busy}>
            {busy ? t("db.busy") : t("db.open")}
          </button>
        </form>
      </div>
    </main>
  );
}
