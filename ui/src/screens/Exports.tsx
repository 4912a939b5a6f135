// Exports of the dataset and the endpoint report (monitors, data managers; investigators
// their own site: the `reports` permission).
//
// Exports:
//   <Exports />
//       CDISC ODM 1.3.2 (one XML file: metadata from the definition, every change with its
//       AuditRecord, the signatures), CSV tables (a new folder: a table per form, a data
//       dictionary and code lists), and the endpoint report as a PDF with its plots. Each asks
//       where to save with the native save dialog and says what was written, in words.
//   saveEndpointPdf(app: AppServices, lang: "en" | "zh" | "both"): Promise<number | null>
//       The native save dialog, then the PDF endpoint report; says the result in the status
//       line. Used by the Reports screen's "Save as PDF…".
//   reportEndpointsPdf(lang, path): Promise<number>
//       The IPC call `report_endpoints_pdf { lang, path }` → bytes written. The Tauri command is
//       to be added by src-tauri (service: `Ecrf::report_endpoints_pdf`); until then the call
//       answers an error the screen shows in words.
//
// Selectors: #exports, #export-odm, #export-csv, #export-report-pdf, #export-report-lang,
// [data-export-result=odm|csv|pdf], #export-error-odm|csv|pdf.

import { invoke } from "@tauri-apps/api/core";
import { useState } from "preact/hooks";
import { api, toApiError } from "../api";
import type { CsvSummary } from "../bindings/CsvSummary";
import type { ExportSummary } from "../bindings/ExportSummary";
import { type AppServices, useApp } from "../context";
import { lang, num, t, tn } from "../i18n";
import { errorText } from "../messages";
import "./dm.css";
import { savePath, today } from "./dmShared";

export type ReportLang = "en" | "zh" | "both";

/** Writes the endpoint report as a PDF to `path`; answers the number of bytes written. */
export async function reportEndpointsPdf(l: ReportLang, path: string): Promise<number> {
  try {
    return await invoke<number>("report_endpoints_pdf", { lang: l, path });
  } catch (raw) {
    throw toApiError(raw);
  }
}

/** "1.2 MB", "830 KB". */
export function sizeText(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
  return `${num(Math.max(1, Math.round(bytes / 1024)))} KB`;
}

function study(app: AppServices): string {
  return app.def.study.id;
}

export async function saveEndpointPdf(app: AppServices, l: ReportLang): Promise<number | null> {
  try {
    const path = await savePath(`${study(app)}-endpoint-report-${today()}.pdf`, "PDF", ["pdf"]);
    if (!path) return null;
    app.status(t("dm.x.pdfBusy"), "info");
    const bytes = await reportEndpointsPdf(l, path);
    app.status(t("dm.x.saved", { size: sizeText(bytes), path }), "ok");
    return bytes;
  } catch (raw) {
    app.status(t("dm.x.pdfFailed", { msg: errorText(toApiError(raw)) }), "error");
    return null;
  }
}

/** The ODM summary in words. */
export function odmLines(s: ExportSummary): string[] {
  return [
    t("dm.x.odm.kind", { kind: s.file_type === "Snapshot" ? t("dm.x.odm.snapshot") : t("dm.x.odm.transactional") }),
    [tn("dm.x.subjects", s.subjects), tn("dm.x.forms", s.forms), tn("dm.x.values", s.item_data)].join(", "),
    [tn("dm.x.audit", s.audit_records), tn("dm.x.signatures", s.signatures)].join(", "),
    t("dm.x.versions", { v: s.metadata_versions.join(", ") }),
  ];
}

export function csvLines(s: CsvSummary): string[] {
  const rows = s.files.reduce((a, f) => a + f.rows, 0);
  return [[tn("dm.x.subjects", s.subjects), tn("dm.x.forms", s.forms)].join(", "), t("dm.x.csv.files", { n: num(s.files.length), rows: num(rows) })];
}

type Result = { path: string; bytes?: number; lines: string[]; files?: CsvSummary["files"] };

export function Exports() {
  const app = useApp();
  const [busy, setBusy] = useState<"odm" | "csv" | "pdf" | null>(null);
  const [res, setRes] = useState<Partial<Record<"odm" | "csv" | "pdf", Result>>>({});
  const [err, setErr] = useState<Partial<Record<"odm" | "csv" | "pdf", string>>>({});
  const [pdfLang, setPdfLang] = useState<ReportLang>(lang());

  const run = async (k: "odm" | "csv" | "pdf", ask: () => Promise<string | null>, go: (path: string) => Promise<Result>) => {
    setErr((e) => ({ ...e, [k]: undefined }));
    let path: string | null;
    try {
      path = await ask();
    } catch (raw) {
      setErr((e) => ({ ...e, [k]: errorText(toApiError(raw)) }));
      return;
    }
    if (!path) return;
    setBusy(k);
    try {
      const r = await go(path);
      setRes((old) => ({ ...old, [k]: r }));
      app.status(r.bytes !== undefined ? t("dm.x.saved", { size: sizeText(r.bytes), path }) : t("dm.x.savedFolder", { path }), "ok");
    } catch (raw) {
      const msg = errorText(toApiError(raw));
      setErr((e) => ({ ...e, [k]: msg }));
      app.status(t("dm.x.failed", { msg }), "error");
    } finally {
      setBusy(null);
    }
  };

  const stamp = today();
  const odm = () =>
    run(
      "odm",
      () => savePath(`${study(app)}-ODM-${stamp}.xml`, "ODM XML", ["xml"]),
      async (path) => {
        const s = await api.exportOdm(path);
        return { path: s.written, bytes: s.bytes, lines: odmLines(s) };
      },
    );
  const csv = () =>
    run(
      "csv",
      () => savePath(`${study(app)}-CSV-${stamp}`, "", []),
      async (path) => {
        const s = await api.exportCsv(path);
        return { path: s.written, lines: csvLines(s), files: s.files };
      },
    );
  const pdf = () =>
    run(
      "pdf",
      () => savePath(`${study(app)}-endpoint-report-${stamp}.pdf`, "PDF", ["pdf"]),
      async (path) => {
        const bytes = await reportEndpointsPdf(pdfLang, path);
        return { path, bytes, lines: [t("dm.x.pdf.contents")] };
      },
    );

  const Result = (q: { k: "odm" | "csv" | "pdf" }) => {
    const r = res[q.k];
    const e = err[q.k];
    return (
      <>
        {e && (
          <div id={`export-error-${q.k}`} class="inline-error" role="alert">
            {t("dm.x.failed", { msg: e })}
          </div>
        )}
        {r && (
          <div class="export-result" data-export-result={q.k}>
            <p class="ok-text">
              <strong>{r.bytes !== undefined ? t("dm.x.saved", { size: sizeText(r.bytes), path: r.path }) : t("dm.x.savedFolder", { path: r.path })}</strong>
            </p>
            <ul>
              {r.lines.map((l) => (
                <li key={l}>{l}</li>
              ))}
            </ul>
            {r.files && (
              <details>
                <summary>{t("dm.x.csv.list")}</summary>
                <table class="grid dm-table compact">
                  <tbody>
                    {r.files.map((f) => (
                      <tr key={f.file}>
                        <td>{f.file}</td>
                        <td class="n">{tn("dm.x.rows", f.rows)}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </details>
            )}
          </div>
        )}
      </>
    );
  };

  return (
    <main class="screen dm-screen exports-screen" id="exports">
      <div class="screen-head">
        <h1>{t("dm.x.heading")}</h1>
        <p class="muted">{app.node?.role === "central" ? t("dm.x.intro.central") : t("dm.x.intro.site", { site: app.node?.site ?? "" })}</p>
      </div>
      <div class="export-grid">
        <section class="panel" aria-labelledby="x-odm-h">
          <h2 id="x-odm-h">{t("dm.x.odm.heading")}</h2>
          <p>{t("dm.x.odm.text")}</p>
          <div class="panel-actions">
            <button id="export-odm" type="button" class="primary" disabled={busy !== null} onClick={() => void odm()}>
              {busy === "odm" ? t("dm.x.busy") : t("dm.x.odm.button")}
            </button>
          </div>
          <Result k="odm" />
        </section>
        <section class="panel" aria-labelledby="x-csv-h">
          <h2 id="x-csv-h">{t("dm.x.csv.heading")}</h2>
          <p>{t("dm.x.csv.text")}</p>
          <div class="panel-actions">
            <button id="export-csv" type="button" class="primary" disabled={busy !== null} onClick={() => void csv()}>
              {busy === "csv" ? t("dm.x.busy") : t("dm.x.csv.button")}
            </button>
          </div>
          <Result k="csv" />
        </section>
        <section class="panel" aria-labelledby="x-pdf-h">
          <h2 id="x-pdf-h">{t("dm.x.pdf.heading")}</h2>
          <p>{t("dm.x.pdf.text")}</p>
          <div class="panel-actions">
            <label class="field-inline">
              <span>{t("dm.x.pdf.lang")}</span>
              <select id="export-report-lang" value={pdfLang} onChange={(e) => setPdfLang((e.target as HTMLSelectElement).value as ReportLang)}>
                <option value="en">{t("dm.x.lang.en")}</option>
                <option value="zh">{t("dm.x.lang.zh")}</option>
                <option value="both">{t("dm.x.lang.both")}</option>
              </select>
            </label>
            <button id="export-report-pdf" type="button" class="primary" disabled={busy !== null} onClick={() => void pdf()}>
              {busy === "pdf" ? t("dm.x.busy") : t("dm.x.pdfButton")}
            </button>
          </div>
          <Result k="pdf" />
        </section>
      </div>
    </main>
  );
}
