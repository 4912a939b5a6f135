// Sync: send and receive bundles (native save and open dialogs, a progress bar on long imports,
// one summary card per bundle), the import history, the computers this one trusts (revoke with a
// reason), and items in conflict (the data manager resolves them with a reason).

import { useEffect, useRef, useState } from "preact/hooks";
import { BundleInspection, api, toApiError } from "../api";
import type { BundleExported } from "../bindings/BundleExported";
import type { ConflictView } from "../bindings/ConflictView";
import type { ImportProgress } from "../bindings/ImportProgress";
import type { ImportRecord } from "../bindings/ImportRecord";
import type { ImportSummary } from "../bindings/ImportSummary";
import type { NodeView } from "../bindings/NodeView";
import { choicesOf } from "../components/Field";
import { Modal } from "../components/Modal";
import { useApp } from "../context";
import { lang, num, t } from "../i18n";
import { errorText, whenOf } from "../messages";
import {
  UnknownNode,
  acknowledgedText,
  baseName,
  contentsText,
  defaultBundleName,
  fingerprintGroups,
  fromText,
  inspectionFrom,
  itemDefOf,
  itemPlace,
  progressView,
  receivedText,
  refusalText,
  refusalTranslated,
  shortFingerprint,
  shortId,
  summaryLines,
  unknownNodeOf,
  valueText,
  whoText,
} from "../sync";
import { emptyField, toJson } from "../values";

type Tab = "transfer" | "history" | "nodes" | "conflicts";

export function Sync() {
  const app = useApp();
  const canMove = app.can("export_bundle") || app.can("import_bundle");
  const [tab, setTab] = useState<Tab>(canMove ? "transfer" : "nodes");
  const [conflictCount, setConflictCount] = useState<number | null>(null);
  const central = app.node?.role === "central";

  const countConflicts = () =>
    api
      .conflicts()
      .then((l) => setConflictCount(l.length))
      .catch(() => setConflictCount(null));
  useEffect(() => {
    void countConflicts();
  }, []);

  const tabs: Tab[] = canMove ? ["transfer", "history", "nodes", "conflicts"] : ["history", "nodes", "conflicts"];
  const label = (k: Tab) =>
    k === "conflicts" && conflictCount ? t("sync.tab.conflictsN", { n: conflictCount }) : t(`sync.tab.${k}` as "sync.tab.transfer");

  return (
    <main class="screen sync-screen">
      <div class="screen-head">
        <h1>{t("sync.heading")}</h1>
        <p class="muted">{central ? t("sync.intro.central") : t("sync.intro.site")}</p>
      </div>
      <div class="sub-tabs" role="tablist" aria-label={t("sync.tabs")}>
        {tabs.map((k) => (
          <button
            key={k}
            id={`sync-tab-${k}`}
            type="button"
            role="tab"
            aria-selected={tab === k}
            class={`sub-tab${tab === k ? " active" : ""}${k === "conflicts" && conflictCount ? " has-conflicts" : ""}`}
            onClick={() => setTab(k)}
          >
            {label(k)}
          </button>
        ))}
      </div>
      <div role="tabpanel" aria-labelledby={`sync-tab-${tab}`} class="sync-panel">
        {tab === "transfer" && <Transfer onImported={() => void countConflicts()} />}
        {tab === "history" && <History />}
        {tab === "nodes" && <Nodes />}
        {tab === "conflicts" && <Conflicts onChanged={(n) => setConflictCount(n)} />}
      </div>
    </main>
  );
}

function Transfer(p: { onImported: () => void }) {
  const app = useApp();
  return (
    <div class="sync-transfer">
      {app.can("export_bundle") && <ExportPanel />}
      {app.can("import_bundle") && <ImportPanel onImported={p.onImported} />}
    </div>
  );
}

// ---------- export ----------

export function ExportPanel() {
  const app = useApp();
  const central = app.node?.role === "central";
  const [full, setFull] = useState(false);
  const [sites, setSites] = useState<NodeView[] | null>(central ? null : []);
  const [to, setTo] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState<BundleExported | null>(null);

  useEffect(() => {
    if (!central) return;
    api
      .nodes()
      .then((l) => {
        const ok = l.filter((n) => n.role === "site" && n.status === "accepted").sort((a, b) => (a.site ?? "").localeCompare(b.site ?? ""));
        setSites(ok);
        if (ok.length === 1) setTo(ok[0].node);
      })
      .catch((raw) => setError(t("sync.loadError", { msg: errorText(toApiError(raw)) })));
  }, [central]);

  const save = async () => {
    if (busy) return;
    if (central && !to) {
      setError(t("sync.export.chooseSite"));
      document.getElementById("export-to")?.focus();
      return;
    }
    setError(null);
    setBusy(true);
    try {
      const site = central ? (sites?.find((n) => n.node === to)?.site ?? null) : null;
      const path = await api.saveBundlePath(defaultBundleName({ role: app.node?.role ?? "site", site: app.node?.site ?? null }, site));
      if (path === null) return;
      if (!/\.ecrfb$/i.test(path)) {
        setError(t("sync.export.notBundle"));
        return;
      }
      app.status(t("sync.export.busy"), "info");
      const res = await api.bundleExport(central ? to : null, full, path);
      setDone(res);
      app.status(exportedText(res), "ok");
    } catch (raw) {
      const msg = t("sync.export.failed", { msg: errorText(toApiError(raw)) });
      setError(msg);
      app.status(msg, "error");
    } finally {
      setBusy(false);
    }
  };

  return (
    <section class="panel sync-export" aria-labelledby="sync-export-h">
      <h2 id="sync-export-h">{central ? t("sync.export.central") : t("sync.export.site")}</h2>
      <p class="muted">{central ? t("sync.export.central.text") : t("sync.export.site.text")}</p>
      {central && sites !== null && sites.length === 0 && <p class="alert warn">{t("sync.export.noSites")}</p>}
      {central && sites !== null && sites.length > 0 && (
        <div class="field-row">
          <label for="export-to">{t("sync.export.to")}</label>
          <select id="export-to" value={to} onChange={(e) => setTo((e.currentTarget as HTMLSelectElement).value)}>
            {sites.length > 1 && <option value="">{t("field.select")}</option>}
            {sites.map((n) => (
              <option key={n.node} value={n.node} title={n.node}>
                {`${n.site ?? "?"} · ${t("sync.nodeShort", { id: shortId(n.node) })}`}
              </option>
            ))}
          </select>
        </div>
      )}
      <label class="check" for="export-full">
        <input id="export-full" type="checkbox" checked={full} onChange={(e) => setFull((e.currentTarget as HTMLInputElement).checked)} />
        <span>
          <strong>{t("sync.export.full")}</strong> <span class="muted">{t("sync.export.full.text")}</span>
        </span>
      </label>
      <div class="panel-actions">
        <button id="export-bundle" type="button" class="primary" disabled={busy || (central && sites !== null && sites.length === 0)} onClick={() => void save()}>
          {busy ? t("sync.export.busy") : t("sync.export.button")}
        </button>
      </div>
      {error && (
        <div id="bundle-export-error" class="inline-error" role="alert">
          {error}
        </div>
      )}
      {done && !error && (
        <p id="bundle-export-done" class="done-line" title={done.file}>
          {exportedText(done)}
        </p>
      )}
    </section>
  );
}

function exportedText(r: BundleExported): string {
  const file = baseName(r.file);
  if (r.events === 0 && r.pdfs === 0) return t("sync.export.empty", { file });
  return t("sync.export.done", {
    file,
    contents: contentsText(r.events, r.pdfs),
    kb: num(Math.max(1, Math.round(r.bytes / 1024))),
  });
}

// ---------- import ----------

type Result = { summary: ImportSummary; created: string | null };

export function ImportPanel(p: { onImported?: () => void }) {
  const app = useApp();
  const central = app.node?.role === "central";
  const [paths, setPaths] = useState<string[]>([]);
  const [progress, setProgress] = useState<ImportProgress | null>(null);
  const [importing, setImporting] = useState(false);
  const [results, setResults] = useState<Result[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [accepting, setAccepting] = useState<{ file: string; unknown: UnknownNode } | null>(null);
  const active = useRef(false);

  useEffect(() => {
    let off: (() => void) | null = null;
    let gone = false;
    api
      .onImportProgress((pr) => {
        if (active.current) setProgress(pr);
      })
      .then((f) => {
        if (gone) f();
        else off = f;
      })
      .catch(() => {
        /* no progress bar, the import still works */
      });
    return () => {
      gone = true;
      off?.();
    };
  }, []);

  const run = async (files: string[], accept: string | null) => {
    setError(null);
    setPaths(files);
    setProgress(null);
    setImporting(true);
    active.current = true;
    try {
      const sums = await api.bundleImport(files, accept);
      const history = sums.some((s) => s.status === "imported") ? await api.importHistory().catch(() => [] as ImportRecord[]) : [];
      const fresh: Result[] = sums.map((s) => ({ summary: s, created: history.find((r) => r.file === s.file)?.created_at ?? null }));
      setResults((old) => (accept ? old.map((r) => fresh.find((f) => f.summary.file === r.summary.file) ?? r) : fresh));
      const refused = sums.filter((s) => s.status === "refused").length;
      const ok = sums.length - refused;
      if (refused === 0) app.status(t("sync.import.doneAll", { n: ok }), "ok");
      else app.status(t("sync.import.doneSome", { ok, refused }), ok ? "warn" : "error");
      p.onImported?.();
    } catch (raw) {
      const msg = t("sync.import.failed", { msg: errorText(toApiError(raw)) });
      setError(msg);
      app.status(msg, "error");
    } finally {
      active.current = false;
      setImporting(false);
    }
  };

  const choose = async () => {
    if (importing) return;
    try {
      const files = await api.openBundlePaths();
      if (files.length === 0) return;
      await run(files, null);
    } catch (raw) {
      setError(t("sync.import.failed", { msg: errorText(toApiError(raw)) }));
    }
  };

  const canAccept = (u: UnknownNode) => app.can("manage_node_keys") || (!central && u.role === "central");
  const view = progressView(paths, progress);

  return (
    <section class="panel sync-import" aria-labelledby="sync-import-h">
      <h2 id="sync-import-h">{central ? t("sync.import.central") : t("sync.import.site")}</h2>
      <p class="muted">{t("sync.import.text")}</p>
      <div class="panel-actions">
        <button id="import-bundles" type="button" class="primary" disabled={importing} onClick={() => void choose()}>
          {importing ? t("sync.import.busy") : t("sync.import.button")}
        </button>
      </div>
      {importing && (
        <div id="import-progress" class="import-progress">
          <div
            class={`progress-bar${view.checking ? " checking" : ""}`}
            role="progressbar"
            aria-label={t("sync.import.progress.label")}
            aria-valuemin={0}
            aria-valuemax={100}
            aria-valuenow={view.percent}
            aria-valuetext={view.text}
          >
            <div class="progress-fill" style={{ width: `${view.percent}%` }} />
          </div>
          <p class="progress-text" aria-live="polite">
            {view.text}
          </p>
        </div>
      )}
      {error && (
        <div id="import-error" class="inline-error" role="alert">
          {error}
        </div>
      )}
      {results.length > 0 && (
        <div class="bundle-cards" aria-label={t("sync.import.results")}>
          {results.map((r) => (
            <SummaryCard
              key={r.summary.file}
              summary={r.summary}
              created={r.created}
              canAccept={canAccept}
              onAccept={(unknown) => setAccepting({ file: r.summary.file, unknown })}
            />
          ))}
        </div>
      )}
      {accepting && (
        <AcceptDialog
          file={accepting.file}
          unknown={accepting.unknown}
          onCancel={() => setAccepting(null)}
          onAccept={(fp) => {
            const file = accepting.file;
            setAccepting(null);
            void run([file], fp);
          }}
        />
      )}
    </section>
  );
}

/** What importing one bundle did, in words a person understands. */
export function SummaryCard(p: {
  summary: ImportSummary;
  created: string | null;
  canAccept: (u: UnknownNode) => boolean;
  onAccept: (u: UnknownNode) => void;
}) {
  const s = p.summary;
  const imported = s.status === "imported";
  const unknown = imported ? null : unknownNodeOf(s.reason);
  const subjects = s.subjects.length > 8 ? `${s.subjects.slice(0, 8).join(", ")} … (+${s.subjects.length - 8})` : s.subjects.join(", ");
  return (
    <article class={`bundle-card ${imported ? "imported" : "refused"}`} data-file={s.file} data-status={s.status}>
      <header class="bundle-card-head">
        <span class={`badge ${imported ? "status-complete" : "refused"}`}>{imported ? "✓" : "✕"}</span>
        <h3>{imported ? t("sync.sum.imported", { from: fromText(s.origin_site, s.origin, true) }) : t("sync.sum.refused")}</h3>
        <span class="bundle-file muted" title={s.file}>
          {baseName(s.file)}
          {p.created ? ` · ${t("sync.sum.created", { at: whenOf(p.created) })}` : ""}
        </span>
      </header>
      {imported ? (
        <>
          <ul class="sum-lines">
            {summaryLines(s).map((l) => (
              <li key={l.key} class={`sum-${l.kind}`} data-count={l.key}>
                {l.text}
              </li>
            ))}
          </ul>
          {s.accepted_node && <p class="sum-note">{t("sync.sum.accepted")}</p>}
          {s.definitions.length > 0 && <p class="sum-note">{t("sync.sum.definitions", { list: s.definitions.join(", ") })}</p>}
          {s.gaps.length > 0 && (
            <p class="sum-note warn" title={s.gaps.join("\n")}>
              {t("sync.sum.gaps")}
            </p>
          )}
          {s.pending > 0 && s.gaps.length === 0 && <p class="sum-note muted">{t("sync.sum.pendingHint")}</p>}
          {s.conflicts > 0 && <p class="sum-note muted">{t("sync.sum.conflictsHint")}</p>}
          {s.subjects.length > 0 && <p class="sum-note muted">{t("sync.sum.subjects", { list: subjects })}</p>}
        </>
      ) : (
        <>
          <p class="refusal">
            <strong>{refusalText(s.reason)}</strong> {t("sync.sum.nothingChanged")}
          </p>
          {refusalTranslated(s.reason) && (
            <details class="refusal-details">
              <summary>{t("sync.refused.details")}</summary>
              <code>{s.reason}</code>
            </details>
          )}
          {unknown &&
            (p.canAccept(unknown) ? (
              <div class="panel-actions">
                <button type="button" class="secondary accept-node" onClick={() => p.onAccept(unknown)}>
                  {t("sync.accept.button")}
                </button>
              </div>
            ) : (
              <p class="sum-note muted">{t("sync.accept.askDm")}</p>
            ))}
        </>
      )}
    </article>
  );
}

function Fingerprint(p: { fp: string; id?: string }) {
  return (
    <div class="fingerprint" id={p.id} aria-label={p.fp}>
      {fingerprintGroups(p.fp).map((g, i) => (
        <span key={i}>{g}</span>
      ))}
    </div>
  );
}

export function AcceptDialog(p: { file: string; unknown: UnknownNode; onCancel: () => void; onAccept: (fingerprint: string) => void }) {
  const [info, setInfo] = useState<BundleInspection | null>(null);
  const [loading, setLoading] = useState(true);
  const [checked, setChecked] = useState(false);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    api
      .bundleInspect(p.file)
      .then(setInfo)
      .catch(() => setInfo(null))
      .finally(() => setLoading(false));
  }, [p.file]);

  const fp = info?.origin_key_fingerprint ?? p.unknown.fingerprint;
  const what = info
    ? inspectionFrom(info)
    : { from: fromText(p.unknown.role === "central" ? null : p.unknown.site, p.unknown.node, true), at: "?", contents: "?" };

  return (
    <Modal id="accept-dialog" title={t("accept.title")} onCancel={p.onCancel}>
      {loading ? <p class="muted">{t("accept.loading")}</p> : <p>{t("accept.what", { file: baseName(p.file), ...what })}</p>}
      <div class="fp-label">{t("accept.fingerprint")}</div>
      <Fingerprint fp={fp} id="accept-fingerprint" />
      <div class="alert warn">{t("accept.warning")}</div>
      <label class="check" for="accept-check">
        <input id="accept-check" type="checkbox" checked={checked} onChange={(e) => setChecked((e.currentTarget as HTMLInputElement).checked)} />
        <span>{t("accept.check")}</span>
      </label>
      {error && (
        <div class="inline-error" role="alert">
          {error}
        </div>
      )}
      <div class="modal-actions">
        <button id="accept-cancel" type="button" class="secondary" onClick={p.onCancel}>
          {t("common.cancel")}
        </button>
        <button
          id="accept-ok"
          type="button"
          class="primary"
          disabled={loading}
          onClick={() => {
            if (!checked) {
              setError(t("accept.checkMissing"));
              document.getElementById("accept-check")?.focus();
              return;
            }
            p.onAccept(fp);
          }}
        >
          {t("accept.ok")}
        </button>
      </div>
    </Modal>
  );
}

// ---------- import history ----------

type Counts = Partial<Pick<ImportSummary, "new" | "duplicate" | "pending" | "pdfs">>;

function History() {
  const app = useApp();
  const [list, setList] = useState<ImportRecord[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    api
      .importHistory()
      .then(setList)
      .catch((raw) => {
        const msg = t("sync.loadError", { msg: errorText(toApiError(raw)) });
        setError(msg);
        app.status(msg, "error");
      });
  }, []);
  const who = (u: string) => (u === app.session.username ? app.session.full_name : u);
  const n = (x: number | undefined) => (x ? num(x) : "–");
  if (error) return <div class="alert error">{error}</div>;
  if (!list) return <p class="muted">{t("common.loading")}</p>;
  return (
    <>
      <p class="muted count-line">{t("history.count", { n: list.length })}</p>
      <div class="table-wrap">
        <table class="grid history">
          <thead>
            <tr>
              <th scope="col">{t("history.col.file")}</th>
              <th scope="col">{t("history.col.from")}</th>
              <th scope="col">{t("history.col.created")}</th>
              <th scope="col">{t("history.col.imported")}</th>
              <th scope="col">{t("history.col.by")}</th>
              <th scope="col" class="n">{t("history.col.new")}</th>
              <th scope="col" class="n">{t("history.col.duplicate")}</th>
              <th scope="col" class="n">{t("history.col.pending")}</th>
              <th scope="col" class="n">{t("history.col.pdfs")}</th>
            </tr>
          </thead>
          <tbody>
            {list.map((r) => {
              const c = (r.summary ?? {}) as Counts;
              return (
                <tr key={`${r.sha256}-${r.imported_at}`} data-history={baseName(r.file)}>
                  <td class="file-cell" title={`${r.file}\nSHA-256 ${r.sha256}`}>
                    {baseName(r.file)}
                  </td>
                  <td title={r.origin}>{fromText(r.origin_site, r.origin)}</td>
                  <td class="date">{whenOf(r.created_at)}</td>
                  <td class="date">{whenOf(r.imported_at)}</td>
                  <td>{who(r.imported_by)}</td>
                  <td class="n">{n(c.new)}</td>
                  <td class="n">{n(c.duplicate)}</td>
                  <td class={`n${c.pending ? " warn-text" : ""}`}>{n(c.pending)}</td>
                  <td class="n">{n(c.pdfs)}</td>
                </tr>
              );
            })}
            {list.length === 0 && (
              <tr>
                <td colSpan={9} class="empty">
                  {t("history.empty")}
                </td>
              </tr>
            )}
          </tbody>
        </table>
      </div>
    </>
  );
}

// ---------- computers (nodes) ----------

function Nodes() {
  const app = useApp();
  const [list, setList] = useState<NodeView[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [revoking, setRevoking] = useState<NodeView | null>(null);
  const load = () =>
    api
      .nodes()
      .then((l) => setList([...l].sort((a, b) => a.role.localeCompare(b.role) || (a.site ?? "").localeCompare(b.site ?? ""))))
      .catch((raw) => {
        const msg = t("sync.loadError", { msg: errorText(toApiError(raw)) });
        setError(msg);
        app.status(msg, "error");
      });
  useEffect(() => {
    void load();
  }, []);
  const me = app.node;
  const who = (u: string) => (u === app.session.username ? app.session.full_name : u);
  const copy = (fp: string) => {
    navigator.clipboard?.writeText(fp).then(
      () => app.status(t("sync.copied"), "ok"),
      () => undefined,
    );
  };
  const canRevoke = app.can("manage_node_keys");

  return (
    <>
      {me && (
        <section class="panel me-panel" aria-labelledby="me-h">
          <h2 id="me-h">{t("nodes.me")}</h2>
          <p class="me-line">
            <strong>{me.role === "central" ? t("sync.central") : whoText(me.site)}</strong>{" "}
            <span class="muted" title={me.node_id}>
              {t("sync.nodeShort", { id: shortId(me.node_id) })}
            </span>
          </p>
          <div class="fp-label">{t("accept.fingerprint")}</div>
          <div class="fp-line">
            <Fingerprint fp={me.fingerprint} id="my-fingerprint" />
            <button type="button" class="secondary small-btn" title={t("sync.copy.title")} onClick={() => copy(me.fingerprint)}>
              {t("sync.copy")}
            </button>
          </div>
          <p class="muted">{t("nodes.me.text")}</p>
        </section>
      )}
      <h2 class="section-h">{t("nodes.known")}</h2>
      {error && <div class="alert error">{error}</div>}
      {!list && !error && <p class="muted">{t("common.loading")}</p>}
      {list && (
        <div class="table-wrap">
          <table class="grid nodes">
            <thead>
              <tr>
                <th scope="col">{t("nodes.col.who")}</th>
                <th scope="col">{t("nodes.col.node")}</th>
                <th scope="col">{t("nodes.col.fingerprint")}</th>
                <th scope="col">{t("nodes.col.status")}</th>
                <th scope="col">{t("nodes.col.accepted")}</th>
                <th scope="col">{t("nodes.col.received")}</th>
                <th scope="col">{t("nodes.col.acknowledged")}</th>
                {canRevoke && <th scope="col" class="actions-col" />}
              </tr>
            </thead>
            <tbody>
              {list.map((n) => (
                <tr key={n.node} data-node={n.node} class={n.status === "revoked" ? "revoked" : ""}>
                  <td class="who-cell">{n.role === "central" ? t("sync.central") : whoText(n.site)}</td>
                  <td class="mono" title={n.node}>
                    {shortId(n.node)}
                  </td>
                  <td class="mono fp-cell">
                    <span title={n.fingerprint}>{shortFingerprint(n.fingerprint)}</span>{" "}
                    <button type="button" class="link small" title={t("sync.copy.title")} onClick={() => copy(n.fingerprint)}>
                      {t("sync.copy")}
                    </button>
                  </td>
                  <td>
                    <span class={`badge ${n.status === "revoked" ? "refused" : "status-complete"}`}>
                      {n.status === "revoked" ? t("nodes.status.revoked") : t("nodes.status.accepted")}
                    </span>
                    {n.status === "revoked" && (
                      <div class="small muted">{t("nodes.revokedOn", { at: whenOf(n.revoked_at ?? ""), reason: n.reason ?? "" })}</div>
                    )}
                  </td>
                  <td class="date">{t("nodes.acceptedBy", { at: whenOf(n.accepted_at), user: who(n.accepted_by) })}</td>
                  <td class="stream-lines">
                    {n.received.length ? n.received.map((r) => <div key={r}>{receivedText(r)}</div>) : <span class="muted">{t("nodes.nothing")}</span>}
                  </td>
                  <td class="stream-lines">
                    {n.acknowledged.length ? n.acknowledged.map((r) => <div key={r}>{acknowledgedText(r)}</div>) : <span class="muted">{t("nodes.nothing")}</span>}
                  </td>
                  {canRevoke && (
                    <td class="actions-col">
                      {n.status === "accepted" && (
                        <button type="button" class="danger small-btn revoke-node" onClick={() => setRevoking(n)}>
                          {t("nodes.revoke")}
                        </button>
                      )}
                    </td>
                  )}
                </tr>
              ))}
              {list.length === 0 && (
                <tr>
                  <td colSpan={canRevoke ? 8 : 7} class="empty">
                    {t("nodes.empty")}
                  </td>
                </tr>
              )}
            </tbody>
          </table>
        </div>
      )}
      {revoking && (
        <RevokeDialog
          node={revoking}
          onCancel={() => setRevoking(null)}
          onDone={() => {
            setRevoking(null);
            void load();
          }}
        />
      )}
    </>
  );
}

export function RevokeDialog(p: { node: NodeView; onCancel: () => void; onDone: () => void }) {
  const app = useApp();
  const [reason, setReason] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const who = p.node.role === "central" ? t("sync.central") : fromText(p.node.site, p.node.node);
  const submit = async () => {
    if (busy) return;
    if (!reason.trim()) {
      setError(t("nodes.revoke.reasonMissing"));
      document.getElementById("revoke-reason")?.focus();
      return;
    }
    setBusy(true);
    try {
      await api.revokeNode(p.node.node, reason.trim());
      app.status(t("nodes.revoke.done", { who }), "ok");
      p.onDone();
    } catch (raw) {
      setError(t("nodes.revoke.failed", { msg: errorText(toApiError(raw)) }));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Modal id="revoke-dialog" title={t("nodes.revoke.title", { who })} onCancel={p.onCancel}>
      <p>{t("nodes.revoke.text")}</p>
      <p class="muted mono small" title={p.node.fingerprint}>
        {shortFingerprint(p.node.fingerprint)}
      </p>
      <label for="revoke-reason">{t("nodes.revoke.reason")}</label>
      <textarea id="revoke-reason" rows={3} value={reason} aria-invalid={error ? "true" : undefined} onInput={(e) => setReason((e.currentTarget as HTMLTextAreaElement).value)} />
      {error && (
        <div id="revoke-error" class="inline-error" role="alert">
          {error}
        </div>
      )}
      <div class="modal-actions">
        <button id="revoke-cancel" type="button" class="secondary" onClick={p.onCancel}>
          {t("common.cancel")}
        </button>
        <button id="revoke-ok" type="button" class="danger" disabled={busy} onClick={() => void submit()}>
          {t("nodes.revoke.ok")}
        </button>
      </div>
    </Modal>
  );
}

// ---------- conflicts ----------

function Conflicts(p: { onChanged: (n: number) => void }) {
  const app = useApp();
  const [list, setList] = useState<ConflictView[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [resolving, setResolving] = useState<ConflictView | null>(null);
  const load = () =>
    api
      .conflicts()
      .then((l) => {
        setList(l);
        p.onChanged(l.length);
      })
      .catch((raw) => {
        const msg = t("sync.loadError", { msg: errorText(toApiError(raw)) });
        setError(msg);
        app.status(msg, "error");
      });
  useEffect(() => {
    void load();
  }, []);
  const canResolve = app.can("resolve_conflict");
  const who = (u: string) => (u === app.session.username ? app.session.full_name : u);

  return (
    <>
      <p class="muted intro-line">{t("conflicts.intro")}</p>
      {error && <div class="alert error">{error}</div>}
      {!list && !error && <p class="muted">{t("common.loading")}</p>}
      {list && (
        <div class="table-wrap">
          <table class="grid conflicts">
            <thead>
              <tr>
                <th scope="col">{t("conflicts.col.subject")}</th>
                <th scope="col">{t("conflicts.col.item")}</th>
                <th scope="col">{t("conflicts.col.values")}</th>
                {canResolve && <th scope="col" class="actions-col" />}
              </tr>
            </thead>
            <tbody>
              {list.map((c) => {
                const place = itemPlace(app.def, c.item);
                return (
                  <tr key={c.key} data-conflict={c.key}>
                    <td class="subject-id">{c.subject}</td>
                    <td>
                      <div class="item-name">{place.label}</div>
                      <div class="small muted">{place.where}</div>
                    </td>
                    <td>
                      <ul class="versions">
                        {c.versions.map((v) => (
                          <li key={v.event_id} class={`version${v.shown ? " shown" : ""}${v.flagged ? " flagged" : ""}`}>
                            <span class="version-value">{valueText(app.def, c.item, v.value)}</span>
                            <span class="small muted">
                              {t("conflicts.by", { user: who(v.username), at: whenOf(v.captured_at) })}
                              {v.imported_at ? ` · ${t("conflicts.imported", { at: whenOf(v.imported_at) })}` : ""}
                            </span>
                            {v.shown && (
                              <span class="tag shown-tag" title={t("conflicts.shown.title")}>
                                {t("conflicts.shown")}
                              </span>
                            )}
                            {v.flagged && (
                              <span class="tag flag-tag" title={t("conflicts.flagged.title")}>
                                ⚠ {t("conflicts.flagged")}
                              </span>
                            )}
                            {v.resolution && <span class="tag">{t("conflicts.resolution")}</span>}
                          </li>
                        ))}
                      </ul>
                    </td>
                    {canResolve && (
                      <td class="actions-col">
                        <button type="button" class="secondary small-btn resolve-conflict" onClick={() => setResolving(c)}>
                          {t("conflicts.resolve")}
                        </button>
                      </td>
                    )}
                  </tr>
                );
              })}
              {list.length === 0 && (
                <tr>
                  <td colSpan={canResolve ? 4 : 3} class="empty">
                    {t("conflicts.empty")}
                  </td>
                </tr>
              )}
            </tbody>
          </table>
        </div>
      )}
      {resolving && (
        <ResolveDialog
          conflict={resolving}
          onCancel={() => setResolving(null)}
          onDone={() => {
            setResolving(null);
            void load();
          }}
        />
      )}
    </>
  );
}

export function ResolveDialog(p: { conflict: ConflictView; onCancel: () => void; onDone: () => void }) {
  const app = useApp();
  const c = p.conflict;
  const place = itemPlace(app.def, c.item);
  const it = itemDefOf(app.def, c.item);
  const choices = it && (it.type === "choice" || it.type === "boolean") ? choicesOf(it, app.def.codelists) : null;
  const [choice, setChoice] = useState<number | "other" | null>(null);
  const [other, setOther] = useState("");
  const [reason, setReason] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const who = (u: string) => (u === app.session.username ? app.session.full_name : u);

  const otherValue = (): unknown => {
    if (it) return toJson(it, { ...emptyField(), text: other });
    try {
      return JSON.parse(other);
    } catch {
      return other.trim();
    }
  };

  const submit = async () => {
    if (busy) return;
    if (choice === null || (choice === "other" && !other.trim())) {
      setError(t("resolve.valueMissing"));
      return;
    }
    if (!reason.trim()) {
      setError(t("resolve.reasonMissing"));
      document.getElementById("resolve-reason")?.focus();
      return;
    }
    const value = choice === "other" ? otherValue() : c.versions[choice].value;
    setBusy(true);
    setError(null);
    try {
      await api.resolveConflict(c.item, value, reason.trim());
      app.status(t("resolve.done", { item: `${c.subject} ${place.label}` }), "ok");
      p.onDone();
    } catch (raw) {
      setError(t("resolve.failed", { msg: errorText(toApiError(raw)) }));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Modal id="resolve-dialog" title={t("resolve.title", { item: place.label })} onCancel={p.onCancel}>
      <p class="muted">{t("resolve.context", { subject: c.subject, where: place.where })}</p>
      <fieldset class="resolve-choices">
        <legend>{t("resolve.choose")}</legend>
        {c.versions.map((v, i) => (
          <label key={v.event_id} class="meaning" for={`resolve-v${i}`}>
            <input type="radio" name="resolve-choice" id={`resolve-v${i}`} checked={choice === i} onChange={() => setChoice(i)} />
            <span>
              <strong>{valueText(app.def, c.item, v.value)}</strong>
              <span class="meaning-text">
                {t("conflicts.by", { user: who(v.username), at: whenOf(v.captured_at) })}
                {v.shown ? ` · ${t("conflicts.shown")}` : ""}
                {v.flagged ? ` · ⚠ ${t("conflicts.flagged")}` : ""}
              </span>
            </span>
          </label>
        ))}
        <label class="meaning other-choice" for="resolve-other">
          <input
            type="radio"
            name="resolve-choice"
            id="resolve-other"
            checked={choice === "other"}
            onChange={() => {
              setChoice("other");
              setTimeout(() => document.getElementById("resolve-other-value")?.focus(), 0);
            }}
          />
          <span>
            <strong>{t("resolve.other")}</strong>
          </span>
        </label>
        {choice === "other" &&
          (choices ? (
            <select id="resolve-other-value" value={other} onChange={(e) => setOther((e.currentTarget as HTMLSelectElement).value)}>
              <option value="">{t("field.select")}</option>
              {choices.map((ch) => (
                <option key={ch.code} value={ch.code}>
                  {it?.type === "boolean" ? (ch.code === "true" ? t("field.yes") : t("field.no")) : ch[lang()] || ch.en}
                </option>
              ))}
            </select>
          ) : (
            <div class="other-line">
              <input id="resolve-other-value" type="text" value={other} onInput={(e) => setOther((e.currentTarget as HTMLInputElement).value)} />
              {it?.unit && <span class="unit">{it.unit}</span>}
            </div>
          ))}
      </fieldset>
      <p class="small muted">{t("resolve.text")}</p>
      <label for="resolve-reason">{t("resolve.reason")}</label>
      <textarea id="resolve-reason" rows={3} value={reason} onInput={(e) => setReason((e.currentTarget as HTMLTextAreaElement).value)} />
      {error && (
        <div id="resolve-error" class="inline-error" role="alert">
          {error}
        </div>
      )}
      <div class="modal-actions">
        <button id="resolve-cancel" type="button" class="secondary" onClick={p.onCancel}>
          {t("common.cancel")}
        </button>
        <button id="resolve-ok" type="button" class="primary" disabled={busy} onClick={() => void submit()}>
          {t("resolve.ok")}
        </button>
      </div>
    </Modal>
  );
}
