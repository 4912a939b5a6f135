// The queries on a form with their whole threads (who asked, who answered, when), and an
// answer box for site staff (`answer_query`): Enter sends, Shift+Enter is a new line.
// Closed queries fold away under their count.

import { useState } from "preact/hooks";
import { api, toApiError } from "../api";
import type { QueryThread } from "../bindings/QueryThread";
import { hasKey, t } from "../i18n";
import { errorText, whenOf } from "../messages";
import { queryStatusText } from "./Field";
import { QueryIcon } from "./Icons";

function messageHead(kind: string, user: string, at: string): string {
  const key = `query.thread.${kind}`;
  return hasKey(key) ? t(key, { user, at: whenOf(at) }) : `${user}, ${whenOf(at)}`;
}

function Thread(p: {
  q: QueryThread;
  label: string;
  canAnswer: boolean;
  onAnswered: (q: QueryThread) => void;
  status: (text: string, kind?: "ok" | "error") => void;
}) {
  const { q } = p;
  const [text, setText] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  /** An answered query keeps its answer box folded until asked for. */
  const [more, setMore] = useState(false);
  const thread = q.thread.length ? q.thread : [{ kind: "query_opened", text: q.text, username: q.opened_by, at: q.opened_at }];

  const send = async () => {
    if (busy) return;
    const answer = text.trim();
    if (!answer) {
      setError(t("query.answer.empty"));
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const updated = await api.queryAct(q.query, "answer", answer);
      setText("");
      setMore(false);
      p.onAnswered(updated);
      p.status(t("query.answer.done"), "ok");
    } catch (raw) {
      const e = toApiError(raw);
      const msg = t("query.answer.failed", { msg: errorText(e) });
      setError(msg);
      p.status(msg, "error");
    } finally {
      setBusy(false);
    }
  };

  const boxId = `query-answer-${q.query}`;
  return (
    <li class={`query-thread q-${q.status}`} data-query-panel={q.query} data-query-status={q.status}>
      <div class="q-head">
        <span class={`badge q-badge q-${q.status}`}>
          <QueryIcon /> {queryStatusText(q.status)}
        </span>{" "}
        <span class="q-item">{p.label}</span>
        {q.rule && <span class="muted small"> · {t("query.rule", { rule: q.rule })}</span>}
      </div>
      <ol class="q-messages">
        {thread.map((m, i) => (
          <li key={i} class={`q-msg ${m.kind}`}>
            <div class="q-msg-head muted small">{messageHead(m.kind, m.username, m.at)}</div>
            <div class="q-msg-text">{m.text}</div>
          </li>
        ))}
      </ol>
      {p.canAnswer && q.status === "answered" && !more && (
        <button
          type="button"
          class="mini q-more"
          data-query-more={q.query}
          onClick={() => {
            setMore(true);
            window.setTimeout(() => document.getElementById(boxId)?.focus(), 0);
          }}
        >
          {t("query.answer.more")}
        </button>
      )}
      {p.canAnswer && (q.status === "open" || (q.status === "answered" && more)) && (
        <div class="q-answer">
          <label for={boxId} class="small">
            {t("query.answer.label")}
          </label>
          <textarea
            id={boxId}
            data-query-answer={q.query}
            rows={2}
            maxLength={1000}
            value={text}
            aria-invalid={error ? "true" : undefined}
            title={t("query.answer.hint")}
            onInput={(e) => setText((e.currentTarget as HTMLTextAreaElement).value)}
            onKeyDown={(e) => {
              if (e.key === "Enter" && !e.shiftKey && !e.isComposing) {
                e.preventDefault();
                e.stopPropagation();
                void send();
              }
            }}
          />
          {error && (
            <div class="inline-error" role="alert">
              {error}
            </div>
          )}
          <div class="q-answer-actions">
            <span class="muted small">{t("query.answer.hint")}</span>
            <button type="button" class="mini primary" data-query-send={q.query} disabled={busy} onClick={() => void send()}>
              {t("query.answer.send")}
            </button>
          </div>
        </div>
      )}
    </li>
  );
}

export function QueryThreads(p: {
  threads: QueryThread[];
  labelOf: (q: QueryThread) => string;
  canAnswer: boolean;
  onAnswered: (q: QueryThread) => void;
  status: (text: string, kind?: "ok" | "error") => void;
}) {
  const live = p.threads.filter((q) => q.status !== "closed");
  const closed = p.threads.filter((q) => q.status === "closed");
  const open = live.filter((q) => q.status === "open").length;
  const item = (q: QueryThread) => (
    <Thread key={q.query} q={q} label={p.labelOf(q)} canAnswer={p.canAnswer} onAnswered={p.onAnswered} status={p.status} />
  );
  return (
    <section class="panel queries" aria-label={t("query.panel")}>
      <h2>
        {t("query.panel")} {open > 0 && <span class="badge q-badge q-open">{t("query.count", { n: open })}</span>}
      </h2>
      {live.length === 0 ? <p class="muted">{t("query.none")}</p> : <ul class="query-list">{live.map(item)}</ul>}
      {closed.length > 0 && (
        <details class="q-closed">
          <summary class="muted small">{t("query.closedN", { n: closed.length })}</summary>
          <ul class="query-list">{closed.map(item)}</ul>
        </details>
      )}
    </section>
  );
}
