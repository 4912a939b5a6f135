import { useEffect, useState } from "preact/hooks";
import { api, toApiError } from "../api";
import type { Draft } from "../bindings/Draft";
import type { SubjectSummary } from "../bindings/SubjectSummary";
import { DraftIcon } from "../components/Icons";
import { draftTime } from "../drafts";
import { useApp } from "../context";
import { t, tx } from "../i18n";
import { dateOf, errorText } from "../messages";

/** Site code, hyphen, 3–6 digits. */
export const SUBJECT_ID = /^[A-Z0-9]{1,10}-\d{3,6}$/;

export function eligibilityClass(s: SubjectSummary): string {
  const en = s.eligibility?.en ?? "";
  if (/^eligible/i.test(en)) return "elig-yes";
  if (/^not eligible/i.test(en)) return "elig-no";
  return "elig-unknown";
}

export function Subjects() {
  const app = useApp();
  const [list, setList] = useState<SubjectSummary[] | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [q, setQ] = useState("");
  const [newId, setNewId] = useState("");
  const [enrolError, setEnrolError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [justEnrolled, setJustEnrolled] = useState<string | null>(null);
  /** The user's unsaved input on this computer (kept drafts), newest first. */
  const [drafts, setDrafts] = useState<Draft[]>([]);

  const site = app.node?.site ?? "S01";
  const example = `${site}-001`;

  const load = async () => {
    try {
      setList(await api.subjects());
      setLoadError(null);
    } catch (raw) {
      const msg = t("subjects.loadError", { msg: errorText(toApiError(raw)) });
      setLoadError(msg);
      app.status(msg, "error");
    }
  };
  useEffect(() => {
    void load();
    // Drafts are extra: without them the list still works.
    if (app.can("enter_data")) {
      Promise.resolve()
        .then(() => api.drafts())
        .then((d) => setDrafts(d ?? []))
        .catch(() => undefined);
    }
    // The search box has the focus, unless the person is already somewhere else.
    const active = document.activeElement;
    if (!active || active === document.body) document.getElementById("subject-search")?.focus();
  }, []);

  const enrol = async () => {
    const id = newId.trim().toUpperCase();
    if (!SUBJECT_ID.test(id)) {
      const msg = t("subjects.enrol.invalid", { id: newId.trim(), example });
      setEnrolError(msg);
      app.status(msg, "error");
      document.getElementById("new-subject")?.focus();
      return;
    }
    setBusy(true);
    try {
      const s = await api.enrol(id);
      setEnrolError(null);
      setNewId("");
      setJustEnrolled(s.subject);
      app.status(t("subjects.enrol.done", { id: s.subject }), "ok");
      await load();
      // The new subject's row has the focus: Enter opens the casebook.
      window.setTimeout(() => document.querySelector<HTMLElement>(`[data-subject="${s.subject}"]`)?.focus(), 0);
    } catch (raw) {
      const msg = errorText(toApiError(raw));
      setEnrolError(msg);
      app.status(msg, "error");
      document.getElementById("new-subject")?.focus();
    } finally {
      setBusy(false);
    }
  };

  const needle = q.trim().toLowerCase();
  const shown = (list ?? []).filter(
    (s) =>
      !needle ||
      s.subject.toLowerCase().includes(needle) ||
      (s.eligibility && (s.eligibility.en.toLowerCase().includes(needle) || s.eligibility.zh.includes(q.trim()))),
  );

  return (
    <main class="screen subjects-screen">
      <div class="screen-head">
        <h1>{t("subjects.heading")}</h1>
        <div class="toolbar">
          <label class="search">
            <span class="visually-hidden">{t("subjects.search")}</span>
            <input
              id="subject-search"
              type="search"
              placeholder={t("subjects.search.placeholder")}
              aria-label={t("subjects.search")}
              value={q}
              onInput={(e) => setQ((e.currentTarget as HTMLInputElement).value)}
            />
          </label>
          {list && <span class="muted">{t("subjects.count", { n: shown.length, total: list.length })}</span>}
        </div>
      </div>

      {app.can("enrol") && (
        <section class="enrol" aria-labelledby="enrol-heading">
          <h2 id="enrol-heading">{t("subjects.enrol.heading")}</h2>
          <div class="enrol-line">
            <label for="new-subject">{t("subjects.enrol.label")}</label>
            <input
              id="new-subject"
              type="text"
              autocomplete="off"
              spellcheck={false}
              placeholder={example}
              aria-invalid={enrolError ? "true" : undefined}
              aria-describedby="enrol-hint enrol-error"
              value={newId}
              onInput={(e) => setNewId((e.currentTarget as HTMLInputElement).value)}
              onKeyDown={(e) => {
                if (e.key === "Enter") {
                  e.preventDefault();
                  void enrol();
                }
              }}
            />
            <button id="enrol" type="button" class="primary" disabled={busy} onClick={() => void enrol()}>
              {t("subjects.enrol.button")}
            </button>
            <span id="enrol-hint" class="muted">
              {t("subjects.enrol.hint", { example })}
            </span>
          </div>
          {enrolError && (
            <div id="enrol-error" class="inline-error" role="alert">
              {enrolError}
            </div>
          )}
        </section>
      )}

      {drafts.length > 0 && (
        <section class="drafts-box" aria-labelledby="drafts-heading">
          <h2 id="drafts-heading">
            <DraftIcon /> {t("drafts.heading")}
          </h2>
          <p class="muted small">{t("drafts.text")}</p>
          <ul class="drafts-list">
            {drafts.map((d) => {
              const ev = app.def.events.find((e) => e.id === d.form.event);
              const fd = app.def.forms.find((f) => f.id === d.form.form);
              const event = ev ? tx(ev.name) + (ev.repeating ? ` #${d.form.event_repeat}` : "") : d.form.event;
              const form = fd ? tx(fd.name) + (fd.repeating ? ` #${d.form.form_repeat}` : "") : d.form.form;
              const k = `${d.form.subject}/${d.form.event}.${d.form.event_repeat}/${d.form.form}.${d.form.form_repeat}`;
              return (
                <li key={k}>
                  <button type="button" class="link" data-draft-open={k} onClick={() => app.open({ kind: "form", form: d.form })}>
                    {t("drafts.item", { subject: d.form.subject, event, form })}
                  </button>{" "}
                  <span class="muted small">{t("drafts.when", { time: draftTime(d.saved_at) })}</span>
                </li>
              );
            })}
          </ul>
        </section>
      )}

      {loadError && <div class="alert error">{loadError}</div>}
      {!list && !loadError && <p class="muted">{t("common.loading")}</p>}
      {list && (
        <div class="table-wrap">
          <table class="grid subjects">
            <thead>
              <tr>
                <th scope="col">{t("subjects.col.subject")}</th>
                <th scope="col">{t("subjects.col.site")}</th>
                <th scope="col">{t("subjects.col.enrolled")}</th>
                <th scope="col" class="n">
                  {t("subjects.col.started")}
                </th>
                <th scope="col" class="n">
                  {t("subjects.col.complete")}
                </th>
                <th scope="col">{t("subjects.col.eligibility")}</th>
              </tr>
            </thead>
            <tbody>
              {shown.map((s) => (
                <tr
                  key={s.subject}
                  data-subject={s.subject}
                  class={`clickable ${justEnrolled === s.subject ? "fresh" : ""}`}
                  tabIndex={0}
                  aria-label={t("subjects.open", { id: s.subject })}
                  onClick={() => app.open({ kind: "casebook", subject: s.subject })}
                  onKeyDown={(e) => {
                    if (e.key === "Enter" || e.key === " ") {
                      e.preventDefault();
                      app.open({ kind: "casebook", subject: s.subject });
                    } else if (e.key === "ArrowDown" || e.key === "ArrowUp") {
                      e.preventDefault();
                      const row = e.currentTarget as HTMLElement;
                      const next = (e.key === "ArrowDown" ? row.nextElementSibling : row.previousElementSibling) as HTMLElement | null;
                      next?.focus();
                    }
                  }}
                >
                  <td class="subject-id">{s.subject}</td>
                  <td>{s.site}</td>
                  <td class="date">{dateOf(s.enrolled_at)}</td>
                  <td class="n">{s.forms_started}</td>
                  <td class="n">{s.forms_complete}</td>
                  <td class={eligibilityClass(s)}>{s.eligibility ? tx(s.eligibility) : t("common.none")}</td>
                </tr>
              ))}
              {shown.length === 0 && (
                <tr>
                  <td colSpan={6} class="empty">
                    {list.length === 0 ? t("subjects.empty") : t("subjects.noMatch", { q: q.trim() })}
                  </td>
                </tr>
              )}
            </tbody>
          </table>
        </div>
      )}
    </main>
  );
}
