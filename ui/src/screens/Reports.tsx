// The endpoint and PK reports (central node: all sites; a site: its own subjects), as tables
// and plots.
//
// Exports:
//   <Reports onOpenSubject?={(subject: string) => void} />
//       Tabs: Response (ORR, CR, CRi, PR with exact 95% CIs by population and disease), Time to
//       event (Kaplan-Meier plot of OS, PFS or DOR — primary, sensitivity or both — with the CI,
//       censor marks and numbers at risk; medians with CI and landmarks of every endpoint),
//       Safety (worst CRS and ICANS grades, SAE listing), Swimmer plot, Cellular kinetics (PK
//       curves for qPCR or flow, summaries and NCA per subject). "Save as PDF…" writes the
//       endpoint report with its plots (Exports' `saveEndpointPdf`).
//
// Selectors: #reports, #report-tab-response|survival|safety|swimmer|pk, #report-refresh,
// #report-pdf, [data-response="POPULATION/DISEASE"], #km-endpoint-OS|PFS|DOR,
// #km-analysis-primary|sensitivity|both, #km-ci-band|lines|none, [data-survival="OS/primary"],
// [data-grade-table=CRS|ICANS], [data-sae=N], #pk-assay-qPCR|flow, #pk-range-28|all,
// [data-pk-summary=PARAM], [data-pk-subject=ID].

import { useEffect, useState } from "preact/hooks";
import { api, toApiError } from "../api";
import type { EndpointReport } from "../bindings/EndpointReport";
import type { GradeTable } from "../bindings/GradeTable";
import type { PkReport } from "../bindings/PkReport";
import type { SurvivalView } from "../bindings/SurvivalView";
import { useApp } from "../context";
import { lang, num, t } from "../i18n";
import { errorText, whenOf } from "../messages";
import { KmPlot, type KmCurve } from "../plots/KmPlot";
import { PkPlot } from "../plots/PkPlot";
import { SwimmerPlot } from "../plots/SwimmerPlot";
import "../plots/plots.css";
import "./dm.css";
import { codeText, codelistOf, months, pct1, RateCell, responseText, Segmented, tk, wordFor } from "./dmShared";
import { saveEndpointPdf } from "./Exports";

type Tab = "response" | "survival" | "safety" | "swimmer" | "pk";
const TABS: Tab[] = ["response", "survival", "safety", "swimmer", "pk"];

/** A number as people read a concentration: grouped integers from 100 on, else 3 significant
 * digits. */
export function conc(v: number | null | undefined): string {
  if (typeof v !== "number" || !Number.isFinite(v)) return "–";
  if (Math.abs(v) >= 100) return num(Math.round(v));
  return String(Number(v.toPrecision(3)));
}

/** "8.2 (5.1–NR)" months: the median with its CI; "not reached" when null. */
export function medianText(s: SurvivalView): string {
  const nr = t("dm.r.nr");
  if (!s.n) return t("common.none");
  const m = s.median === null ? nr : months(s.median);
  const lo = s.median_lower === null ? nr : months(s.median_lower);
  const hi = s.median_upper === null ? nr : months(s.median_upper);
  if (s.median === null && s.median_lower === null) return nr;
  return `${m} (${lo}–${hi})`;
}

/** A landmark: "86.4% (63.4–95.4)", or "–" beyond the follow-up. */
export function landmarkText(s: SurvivalView, monthsAt: number): string {
  const l = s.landmarks.find((x) => x.months === monthsAt);
  if (!l || l.survival === null) return "–";
  return `${pct1(l.survival)}% (${pct1(l.lower)}–${pct1(l.upper)})`;
}

export const endpointName = (e: string) => wordFor("ep", e);
export const analysisName = (a: string) => wordFor("an", a);
export const populationName = (p: string) => wordFor("pop", p);
export const diseaseName = (d: string) => wordFor("dis", d);

export function Reports(p: { onOpenSubject?: (subject: string) => void }) {
  const app = useApp();
  const [tab, setTab] = useState<Tab>("response");
  const [rep, setRep] = useState<EndpointReport | null>(null);
  const [pk, setPk] = useState<PkReport | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [pkError, setPkError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const load = () => {
    setBusy(true);
    setError(null);
    setPkError(null);
    const a = api
      .reportEndpoints()
      .then(setRep)
      .catch((raw) => {
        const msg = t("dm.r.loadError", { msg: errorText(toApiError(raw)) });
        setError(msg);
        app.status(msg, "error");
      });
    const b = api
      .reportPk()
      .then(setPk)
      .catch((raw) => setPkError(t("dm.r.loadError", { msg: errorText(toApiError(raw)) })));
    void Promise.all([a, b]).finally(() => setBusy(false));
  };
  useEffect(load, []);

  return (
    <main class="screen dm-screen reports-screen" id="reports">
      <div class="screen-head head-with-actions">
        <div>
          <h1>{t("dm.r.heading")}</h1>
          {rep && (
            <p class="muted">
              {t("dm.r.meta", {
                study: rep.study,
                scope: rep.scope === "all sites" ? t("dm.r.allSites") : rep.scope.replace(/^site /, t("dm.r.sitePrefix")),
                when: whenOf(rep.generated_at),
              })}
            </p>
          )}
        </div>
        <div class="head-actions">
          <button id="report-refresh" type="button" class="secondary" disabled={busy} onClick={load}>
            {busy ? t("dm.r.computing") : t("dm.r.refresh")}
          </button>
          <button id="report-pdf" type="button" class="primary" disabled={!rep} onClick={() => void saveEndpointPdf(app, lang())}>
            {t("dm.x.pdfButton")}
          </button>
        </div>
      </div>
      {rep && (
        <p class="populations" data-populations>
          {rep.populations.map((x, i) => (
            <span key={x.population} class="pop-chip">
              {i > 0 && " "}
              {populationName(x.population)} <strong>{num(x.n)}</strong>
            </span>
          ))}
        </p>
      )}
      <div class="sub-tabs" role="tablist" aria-label={t("dm.r.tabs")}>
        {TABS.map((k) => (
          <button key={k} id={`report-tab-${k}`} type="button" role="tab" aria-selected={tab === k} class={`sub-tab${tab === k ? " active" : ""}`} onClick={() => setTab(k)}>
            {tk(`dm.r.tab.${k}`)}
          </button>
        ))}
      </div>
      {error && <div class="alert error">{error}</div>}
      {!rep && !error && <p class="muted">{t("dm.r.computing")}</p>}
      <div role="tabpanel" aria-labelledby={`report-tab-${tab}`} class="report-panel">
        {rep && tab === "response" && <Responses rep={rep} />}
        {rep && tab === "survival" && <Survival rep={rep} />}
        {rep && tab === "safety" && <Safety rep={rep} onOpenSubject={p.onOpenSubject} />}
        {rep && tab === "swimmer" && <Swimmer rep={rep} />}
        {tab === "pk" && (pkError ? <div class="alert error">{pkError}</div> : pk ? <Pk pk={pk} /> : <p class="muted">{t("dm.r.computing")}</p>)}
      </div>
    </main>
  );
}

function Responses(p: { rep: EndpointReport }) {
  const rows = p.rep.responses;
  return (
    <section class="panel report-section">
      <h2>{t("dm.r.resp.heading")}</h2>
      <div class="table-wrap">
        <table class="grid dm-table report-table">
          <thead>
            <tr>
              <th>{t("dm.r.resp.population")}</th>
              <th>{t("dm.r.resp.disease")}</th>
              <th class="n">N</th>
              <th>{t("dm.r.resp.orr")}</th>
              <th>{t("dm.r.resp.cr")}</th>
              <th>{t("dm.r.resp.cri")}</th>
              <th>{t("dm.r.resp.pr")}</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r, i) => {
              const first = i === 0 || rows[i - 1].population !== r.population;
              return (
                <tr key={`${r.population}/${r.disease}`} data-response={`${r.population}/${r.disease}`} class={first ? "group-start" : ""}>
                  <th scope="row">{first ? populationName(r.population) : ""}</th>
                  <td>{diseaseName(r.disease)}</td>
                  <td class="n">{r.n}</td>
                  <td class="rate strong">
                    <RateCell r={r.orr} />
                  </td>
                  <td class="rate">
                    <RateCell r={r.cr} />
                  </td>
                  <td class="rate">{r.disease === "lymphoma" ? <span class="muted">{t("dm.r.na")}</span> : <RateCell r={r.cri} />}</td>
                  <td class="rate">
                    <RateCell r={r.pr} />
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      <p class="footnote">{t("dm.r.resp.note")}</p>
    </section>
  );
}

type Analysis = "primary" | "sensitivity" | "both";

function Survival(p: { rep: EndpointReport }) {
  const [endpoint, setEndpoint] = useState("OS");
  const [analysis, setAnalysis] = useState<Analysis>("primary");
  const [ci, setCi] = useState<"band" | "lines" | "none">("band");
  const views = p.rep.survival;
  const of = (e: string, a: string) => views.find((s) => s.endpoint === e && s.analysis === a);
  const hasSens = !!of(endpoint, "sensitivity");
  const shown: Analysis = hasSens ? analysis : "primary";
  const curves: KmCurve[] = [];
  for (const a of shown === "both" ? ["primary", "sensitivity"] : [shown]) {
    const v = of(endpoint, a);
    if (v) curves.push({ label: analysisName(a), steps: v.steps, atRisk: v.at_risk, dashed: a === "sensitivity" && shown === "both" });
  }
  const endpoints = [...new Set(views.map((v) => v.endpoint))];
  const lms = [6, 12, 24];
  return (
    <>
      <section class="panel report-section">
        <h2>{t("dm.r.km.heading", { endpoint: endpointName(endpoint) })}</h2>
        <div class="plot-controls">
          <Segmented label={t("dm.r.km.endpoint")} value={endpoint} onChange={setEndpoint} options={endpoints.map((e) => ({ value: e, label: endpointName(e), id: `km-endpoint-${e}` }))} />
          <Segmented
            label={t("dm.r.km.analysis")}
            value={shown}
            onChange={setAnalysis}
            options={(hasSens ? (["primary", "sensitivity", "both"] as Analysis[]) : (["primary"] as Analysis[])).map((a) => ({ value: a, label: a === "both" ? t("dm.r.km.both") : analysisName(a), id: `km-analysis-${a}` }))}
          />
          <Segmented
            label={t("dm.r.km.ci")}
            value={ci}
            onChange={setCi}
            options={[
              { value: "band", label: t("dm.r.km.ci.band"), id: "km-ci-band" },
              { value: "lines", label: t("dm.r.km.ci.lines"), id: "km-ci-lines" },
              { value: "none", label: t("dm.r.km.ci.none"), id: "km-ci-none" },
            ]}
          />
        </div>
        {curves.length && curves.some((c) => c.steps.length) ? (
          <KmPlot curves={curves} yLabel={tk(`dm.r.km.y.${endpoint}`)} ci={ci} id="km-plot" />
        ) : (
          <p class="empty-note">{t("dm.r.km.empty")}</p>
        )}
        <p class="footnote">{tk(`dm.r.km.rule.${endpoint}`)}</p>
      </section>
      <section class="panel report-section">
        <h2>{t("dm.r.med.heading")}</h2>
        <div class="table-wrap">
          <table class="grid dm-table report-table">
            <thead>
              <tr>
                <th>{t("dm.r.med.endpoint")}</th>
                <th>{t("dm.r.med.analysis")}</th>
                <th class="n">N</th>
                <th class="n">{t("dm.r.med.events")}</th>
                <th>{t("dm.r.med.median")}</th>
                {lms.map((m) => (
                  <th key={m}>{t("dm.r.med.at", { m })}</th>
                ))}
              </tr>
            </thead>
            <tbody>
              {views.map((s) => (
                <tr key={`${s.endpoint}/${s.analysis}`} data-survival={`${s.endpoint}/${s.analysis}`}>
                  <th scope="row">{endpointName(s.endpoint)}</th>
                  <td>{analysisName(s.analysis)}</td>
                  <td class="n">{s.n}</td>
                  <td class="n">{s.events}</td>
                  <td class="rate">{medianText(s)}</td>
                  {lms.map((m) => (
                    <td key={m} class="rate">
                      {landmarkText(s, m)}
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        <p class="footnote">{t("dm.r.med.note")}</p>
      </section>
    </>
  );
}

function GradeTableView(p: { g: GradeTable }) {
  const { g } = p;
  const max = g.toxicity === "ICANS" ? 5 : 5;
  return (
    <div class="grade-table" data-grade-table={g.toxicity}>
      <h3>{tk(`dm.r.tox.${g.toxicity}`)}</h3>
      <table class="grid dm-table">
        <thead>
          <tr>
            <th>{t("dm.r.tox.grade")}</th>
            <th class="n">{t("dm.r.tox.subjects", { n: g.n })}</th>
            <th class="bar-col" aria-hidden="true" />
          </tr>
        </thead>
        <tbody>
          {g.grades.slice(0, max + 1).map((r, grade) => (
            <tr key={grade}>
              <th scope="row">{grade === 0 ? t("dm.r.tox.none") : t("dm.r.tox.gradeN", { n: grade })}</th>
              <td class="n">
                {r.x} ({pct1(r.rate)}%)
              </td>
              <td class="bar-col" aria-hidden="true">
                <span class={`bar grade-${grade}`} style={{ width: `${(r.rate ?? 0) * 100}%` }} />
              </td>
            </tr>
          ))}
        </tbody>
        <tfoot>
          <tr>
            <th scope="row">{t("dm.r.tox.g3")}</th>
            <td colSpan={2} class="rate strong">
              <RateCell r={g.grade3plus} />
            </td>
          </tr>
        </tfoot>
      </table>
    </div>
  );
}

function Safety(p: { rep: EndpointReport; onOpenSubject?: (s: string) => void }) {
  const app = useApp();
  const word = (item: string, prefix: string, code: string | null) => {
    if (!code) return t("common.none");
    const cl = codelistOf(app.def, "AE", item);
    return cl ? codeText(app.def, cl, code) : wordFor(prefix, code);
  };
  return (
    <>
      <section class="panel report-section">
        <h2>{t("dm.r.tox.heading")}</h2>
        <div class="grade-tables">
          {p.rep.toxicity.map((g) => (
            <GradeTableView key={g.toxicity} g={g} />
          ))}
        </div>
        <p class="footnote">{t("dm.r.tox.note")}</p>
      </section>
      <section class="panel report-section">
        <h2>{t("dm.r.sae.heading", { n: p.rep.sae.length })}</h2>
        {p.rep.sae.length === 0 ? (
          <p class="muted">{t("dm.r.sae.none")}</p>
        ) : (
          <div class="table-wrap">
            <table class="grid dm-table report-table">
              <thead>
                <tr>
                  <th>{t("dm.r.sae.subject")}</th>
                  <th>{t("dm.r.sae.term")}</th>
                  <th>{t("dm.r.sae.start")}</th>
                  <th class="n">{t("dm.r.sae.grade")}</th>
                  <th>{t("dm.r.sae.criteria")}</th>
                  <th>{t("dm.r.sae.related")}</th>
                  <th>{t("dm.r.sae.outcome")}</th>
                </tr>
              </thead>
              <tbody>
                {p.rep.sae.map((s, i) => (
                  <tr key={i} data-sae={i}>
                    <td>
                      {p.onOpenSubject ? (
                        <button type="button" class="link subject-id" onClick={() => p.onOpenSubject?.(s.subject)}>
                          {s.subject}
                        </button>
                      ) : (
                        s.subject
                      )}
                    </td>
                    <td>{s.term}</td>
                    <td class="date">
                      {s.start ?? t("common.none")}
                      {s.day !== null && <span class="muted"> · {t("dm.plot.dayN", { day: Number(s.day) })}</span>}
                    </td>
                    <td class="n">{s.grade === null ? t("common.none") : Number(s.grade)}</td>
                    <td>{word("SAECRIT", "sae.crit", s.criteria)}</td>
                    <td>{word("AERELCAR", "sae.rel", s.related_car_t)}</td>
                    <td>{word("AEOUT", "sae.out", s.outcome)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
    </>
  );
}

function Swimmer(p: { rep: EndpointReport }) {
  return (
    <section class="panel report-section">
      <h2>{t("dm.r.sw.heading", { n: p.rep.swimmer.length })}</h2>
      {p.rep.swimmer.length ? (
        <SwimmerPlot lanes={p.rep.swimmer} codeLabel={responseText} diseaseLabel={diseaseName} id="swimmer-plot" />
      ) : (
        <p class="empty-note">{t("dm.r.sw.empty")}</p>
      )}
      <p class="footnote">{t("dm.r.sw.note")}</p>
    </section>
  );
}

export const assayUnit = (assay: string) => (assay === "flow" ? t("dm.pk.unit.flow") : t("dm.pk.unit.qPCR"));

function Pk(p: { pk: PkReport }) {
  const assays = [...new Set(p.pk.subjects.map((s) => s.assay))];
  const [assay, setAssay] = useState(assays[0] ?? "qPCR");
  const [range, setRange] = useState<"28" | "all">("28");
  const subjects = p.pk.subjects.filter((s) => s.assay === assay);
  const summaries = p.pk.summaries.filter((s) => s.assay === assay);
  const unit = assayUnit(assay);
  if (!p.pk.subjects.length) return <p class="empty-note">{t("dm.pk.empty")}</p>;
  return (
    <>
      <section class="panel report-section">
        <h2>{t("dm.pk.heading", { assay: tk(`dm.pk.assay.${assay}`) })}</h2>
        <div class="plot-controls">
          <Segmented label={t("dm.pk.assay")} value={assay} onChange={setAssay} options={assays.map((a) => ({ value: a, label: tk(`dm.pk.assay.${a}`), id: `pk-assay-${a}` }))} />
          <Segmented
            label={t("dm.pk.range")}
            value={range}
            onChange={setRange}
            options={[
              { value: "28", label: t("dm.pk.range.28"), id: "pk-range-28" },
              { value: "all", label: t("dm.pk.range.all"), id: "pk-range-all" },
            ]}
          />
        </div>
        <PkPlot series={subjects} unit={unit} maxDay={range === "28" ? 28 : undefined} id="pk-plot" />
        <p class="footnote">{t("dm.pk.note")}</p>
      </section>
      <section class="panel report-section">
        <h2>{t("dm.pk.sumHeading")}</h2>
        <div class="table-wrap">
          <table class="grid dm-table report-table">
            <thead>
              <tr>
                <th>{t("dm.pk.param")}</th>
                <th class="n">n</th>
                <th class="n">{t("dm.pk.gmean")}</th>
                <th class="n">{t("dm.pk.gcv")}</th>
                <th class="n">{t("dm.pk.median")}</th>
                <th class="n">{t("dm.pk.minmax")}</th>
              </tr>
            </thead>
            <tbody>
              {summaries.map((s) => (
                <tr key={s.parameter} data-pk-summary={s.parameter}>
                  <th scope="row">{paramName(s.parameter, unit)}</th>
                  <td class="n">{s.n}</td>
                  <td class="n">{conc(s.geometric_mean)}</td>
                  <td class="n">{s.geometric_cv_percent === null ? "–" : s.geometric_cv_percent.toFixed(1)}</td>
                  <td class="n">{conc(s.median)}</td>
                  <td class="n nw-cell">
                    {conc(s.min)}–{conc(s.max)}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>
      <section class="panel report-section">
        <h2>{t("dm.pk.ncaHeading", { n: subjects.length })}</h2>
        <div class="table-wrap">
          <table class="grid dm-table report-table">
            <thead>
              <tr>
                <th>{t("dm.r.sae.subject")}</th>
                <th class="n">{t("dm.pk.cmax")}</th>
                <th class="n">{t("dm.pk.tmax")}</th>
                <th class="n">{t("dm.pk.clast")}</th>
                <th class="n">{t("dm.pk.tlast")}</th>
                <th class="n">{t("dm.pk.auc")}</th>
                <th class="n">{t("dm.pk.aucLin")}</th>
              </tr>
            </thead>
            <tbody>
              {subjects.map((s) => (
                <tr key={s.subject} data-pk-subject={s.subject}>
                  <td class="subject-id">{s.subject}</td>
                  <td class="n">{conc(s.cmax)}</td>
                  <td class="n">{s.tmax === null ? "–" : conc(s.tmax)}</td>
                  <td class="n">{conc(s.clast)}</td>
                  <td class="n">{s.tlast === null ? "–" : conc(s.tlast)}</td>
                  <td class="n">{conc(s.auc_0_28_lin_up_log_down)}</td>
                  <td class="n">{conc(s.auc_0_28_linear)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        <p class="footnote">{t("dm.pk.units", { unit })}</p>
      </section>
    </>
  );
}

function paramName(p: string, unit: string): string {
  switch (p) {
    case "Cmax":
      return t("dm.pk.p.cmax", { unit });
    case "AUC0-28d":
      return t("dm.pk.p.auc", { unit });
    case "Tmax":
      return t("dm.pk.p.tmax");
    case "Tlast":
      return t("dm.pk.p.tlast");
    default:
      return p;
  }
}
