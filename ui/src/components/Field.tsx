// One item's input widgets, drawn from its ItemDef: the value widget for its type, the
// special-value control (not done / missing codes / BLQ) where allowed, and its findings.

import type { JSX } from "preact";
import type { Choice } from "../bindings/Choice";
import type { Codelist } from "../bindings/Codelist";
import type { Finding } from "../bindings/Finding";
import type { QueryView } from "../bindings/QueryView";
import type { ItemDef } from "../bindings/ItemDef";
import type { Slot } from "../bindings/Slot";
import { hasKey, lang, t, tx } from "../i18n";
import { Pickable, pickByKey } from "../keyboard";
import { FieldState, localOffset, tidy } from "../values";

export type FieldProps = {
  item: ItemDef;
  slot: Slot;
  state: FieldState;
  codelists: Codelist[];
  findings: Finding[];
  /** Queries on this item (open and answered ones), shown under it, read-only. */
  queries?: QueryView[];
  readOnly: boolean;
  /** Accessible name when no visible <label> points at the widget (table cells). */
  ariaLabel?: string;
  /** Id of the visible label, for radio groups. */
  labelId?: string;
  onChange: (f: FieldState) => void;
};

/** Radios for short codelists, a select for longer ones. */
export const RADIO_MAX = 4;

export function fieldId(slot: Slot, part = "value"): string {
  return `f-${slot.group}-${slot.repeat}-${slot.item}${part === "value" ? "" : "-" + part}`;
}

function dataAttrs(slot: Slot, part: string) {
  return {
    "data-item": slot.item,
    "data-group": slot.group,
    "data-repeat": String(slot.repeat),
    "data-part": part,
  };
}

export function choicesOf(item: ItemDef, codelists: Codelist[]): Choice[] {
  if (item.type === "boolean") {
    return [
      { code: "true", en: "Yes", zh: "是" },
      { code: "false", en: "No", zh: "否" },
    ];
  }
  return codelists.find((c) => c.id === item.codelist)?.choices ?? [];
}

function choiceLabel(c: Choice): string {
  if (c.code === "true" && c.en === "Yes") return t("field.yes");
  if (c.code === "false" && c.en === "No") return t("field.no");
  return c[lang()] || c.en;
}

function pickables(choices: Choice[]): Pickable[] {
  const out: Pickable[] = choices.map((c) => ({ code: c.code, label: choiceLabel(c) }));
  // "Yes"/"No" stored as true/false: Y and N (and T/F, 1/2) pick them in either language.
  return out.map((p) => (p.code === "true" ? { ...p, label: "Yes" } : p.code === "false" ? { ...p, label: "No" } : p));
}

function placeholder(item: ItemDef): string | undefined {
  switch (item.type) {
    case "date":
      return item.partial ? t("field.date.partial.placeholder") : t("field.date.placeholder");
    case "datetime":
      return t("field.datetime.placeholder");
    case "time":
      return t("field.time.placeholder");
    default:
      return undefined;
  }
}

function sizeClass(item: ItemDef): string {
  switch (item.type) {
    case "integer":
    case "decimal":
      return "w-num";
    case "date":
      return item.partial ? "w-date-partial" : "w-date";
    case "datetime":
      return "w-datetime";
    case "time":
      return "w-time";
    default:
      return item.max_length !== null && item.max_length <= 24 ? "w-short" : "w-text";
  }
}

/** A finding's message beside its own field: without the item's label it starts with, if any. */
export function messageBeside(item: ItemDef, text: string): string {
  const label = tx(item.label);
  for (const sep of ["：", ": ", ":"]) {
    if (label && text.startsWith(label + sep) && text.length > label.length + sep.length) {
      const rest = text.slice(label.length + sep.length).trim();
      return rest.charAt(0).toLocaleUpperCase() + rest.slice(1);
    }
  }
  return text;
}

export function Field(p: FieldProps) {
  const { item, slot, state, findings, readOnly } = p;
  const special = state.mode !== "value";
  const errors = findings.filter((f) => f.severity === "error").length;
  const warnings = findings.length - errors;
  const findingIds = findings.map((_, i) => `${fieldId(slot)}-finding-${i}`);
  const describedBy = findingIds.join(" ") || undefined;
  const invalid: "true" | undefined = errors > 0 ? "true" : undefined;
  const cls = errors ? "has-error" : warnings ? "has-warning" : "";
  const choices = choicesOf(item, p.codelists);
  const set = (patch: Partial<FieldState>) => p.onChange({ ...state, ...patch });

  const onChoiceKey = (e: KeyboardEvent) => {
    if (readOnly || e.ctrlKey || e.altKey || e.metaKey) return;
    if (e.key === "Delete" || e.key === "Backspace") {
      e.preventDefault();
      set({ text: "" });
      return;
    }
    const code = pickByKey(pickables(choices), e.key, state.text);
    if (code !== null) {
      e.preventDefault();
      set({ text: code });
      const el = e.currentTarget as HTMLElement;
      if (el instanceof HTMLInputElement && el.type === "radio") {
        // Keep focus on the radio that is now checked.
        const group = el.closest("[role=radiogroup]");
        queueMicrotask(() => group?.querySelector<HTMLInputElement>(`input[value="${code}"]`)?.focus());
      }
    }
  };

  let widget: JSX.Element;
  const common = {
    id: fieldId(slot),
    ...dataAttrs(slot, "value"),
    "aria-invalid": invalid,
    "aria-describedby": describedBy,
    "aria-label": p.ariaLabel,
  };

  if (item.type === "choice" || item.type === "boolean") {
    if (choices.length <= RADIO_MAX) {
      widget = (
        <div
          class={`radios ${cls}`}
          role="radiogroup"
          hidden={special}
          aria-labelledby={p.ariaLabel ? undefined : p.labelId}
          aria-label={p.ariaLabel}
          aria-describedby={describedBy}
          title={t("field.choice.hint")}
        >
          {choices.map((c, i) => (
            <label class={`radio ${state.text === c.code && !special ? "checked" : ""}`} key={c.code}>
              <input
                type="radio"
                {...dataAttrs(slot, "value")}
                id={i === 0 ? fieldId(slot) : undefined}
                name={fieldId(slot)}
                value={c.code}
                checked={!special && state.text === c.code}
                disabled={readOnly || special}
                aria-invalid={invalid}
                onChange={() => set({ text: c.code })}
                onKeyDown={onChoiceKey}
              />
              <span class="key" aria-hidden="true">
                {i + 1}
              </span>
              <span class="radio-label">{choiceLabel(c)}</span>
            </label>
          ))}
        </div>
      );
    } else {
      widget = (
        <select
          {...common}
          class={`${cls} w-select`}
          hidden={special}
          value={special ? "" : state.text}
          disabled={readOnly || special}
          title={t("field.choice.hint")}
          onChange={(e) => set({ text: (e.currentTarget as HTMLSelectElement).value })}
          onKeyDown={onChoiceKey}
        >
          <option value="">{t("field.select")}</option>
          {choices.map((c) => (
            <option value={c.code} key={c.code}>
              {choiceLabel(c)}
            </option>
          ))}
          {/* A stored code no longer in the codelist still shows, as itself. */}
          {state.text && !special && !choices.some((c) => c.code === state.text) && <option value={state.text}>{state.text}</option>}
        </select>
      );
    }
  } else if (item.type === "note") {
    widget = (
      <textarea
        {...common}
        class={`${cls} w-note`}
        hidden={special}
        rows={3}
        value={special ? "" : state.text}
        readOnly={readOnly}
        disabled={special}
        maxLength={item.max_length ?? undefined}
        onInput={(e) => set({ text: (e.currentTarget as HTMLTextAreaElement).value })}
      />
    );
  } else {
    const numeric = item.type === "integer" || item.type === "decimal";
    widget = (
      <input
        {...common}
        type="text"
        class={`${cls} ${sizeClass(item)}${numeric ? " num" : ""}`}
        hidden={special}
        value={special ? "" : state.text}
        placeholder={special ? undefined : placeholder(item)}
        readOnly={readOnly}
        disabled={special}
        autocomplete="off"
        spellcheck={item.type === "text"}
        inputMode={item.type === "integer" ? ("numeric" as const) : item.type === "decimal" ? ("decimal" as const) : undefined}
        maxLength={item.type === "text" && item.max_length ? item.max_length : undefined}
        onInput={(e) => set({ text: (e.currentTarget as HTMLInputElement).value })}
        onBlur={(e) => {
          const v = (e.currentTarget as HTMLInputElement).value;
          const tidied = tidy(item, v);
          if (tidied !== v) set({ text: tidied });
        }}
      />
    );
  }

  const allowsSpecial = item.not_done || item.codes.length > 0 || item.blq;
  const specialValue = state.mode === "code" ? `code:${state.code}` : state.mode;

  return (
    <div class="field">
      <div class="field-line">
        {widget}
        {item.unit && !special && <span class="unit">{item.unit}</span>}
        {item.type === "datetime" && !special && !/(Z|[+-]\d{2}:?\d{2})\s*$/.test(state.text.trim()) && (
          <span class="unit" title={t("field.offset", { offset: localOffset() })}>
            {t("field.offset", { offset: localOffset() })}
          </span>
        )}
        {allowsSpecial && (
          <select
            id={fieldId(slot, "special")}
            {...dataAttrs(slot, "special")}
            class={`special ${special ? "active" : ""}`}
            aria-label={`${t("field.special")}: ${p.ariaLabel ?? tx(item.label)}`}
            title={t("field.special")}
            value={specialValue}
            disabled={readOnly}
            onChange={(e) => {
              const v = (e.currentTarget as HTMLSelectElement).value;
              if (v.startsWith("code:")) set({ mode: "code", code: v.slice(5) });
              else set({ mode: v as FieldState["mode"] });
            }}
          >
            <option value="value">{t("field.special.value")}</option>
            {item.not_done && <option value="not_done">{t("field.special.not_done")}</option>}
            {item.codes.map((c) => {
              const key = `field.code.${c}`;
              return (
                <option value={`code:${c}`} key={c}>
                  {hasKey(key) ? t(key) : c}
                </option>
              );
            })}
            {item.blq && <option value="blq">{t("field.special.blq")}</option>}
          </select>
        )}
        {state.mode === "not_done" && (
          <input
            type="text"
            id={fieldId(slot, "reason")}
            {...dataAttrs(slot, "reason")}
            class="w-reason"
            placeholder={t("field.reason")}
            aria-label={`${t("field.reason")}: ${p.ariaLabel ?? tx(item.label)}`}
            value={state.reason}
            readOnly={readOnly}
            onInput={(e) => set({ reason: (e.currentTarget as HTMLInputElement).value })}
          />
        )}
        {state.mode === "blq" && (
          <>
            <span class="unit">&lt;</span>
            <input
              type="text"
              id={fieldId(slot, "lloq")}
              {...dataAttrs(slot, "lloq")}
              class="w-num num"
              inputMode="decimal"
              placeholder={t("field.lloq")}
              aria-label={`${t("field.lloq")}: ${p.ariaLabel ?? tx(item.label)}`}
              value={state.lloq}
              readOnly={readOnly}
              onInput={(e) => set({ lloq: (e.currentTarget as HTMLInputElement).value })}
            />
            {item.unit && <span class="unit">{item.unit}</span>}
          </>
        )}
      </div>
      {findings.map((f, i) => (
        <div
          class={`finding ${f.severity}`}
          id={findingIds[i]}
          key={`${f.rule}-${i}`}
          data-finding={f.item}
          data-group={f.group}
          data-repeat={String(f.repeat)}
          data-rule={f.rule}
          data-severity={f.severity}
        >
          <span class="finding-icon" aria-hidden="true">
            {f.severity === "error" ? "✖" : "▲"}
          </span>
          {messageBeside(item, tx(f.message))}
        </div>
      ))}
      {(p.queries ?? []).map((q) => (
        <div class={`query-note q-${q.status}`} key={q.query} data-query={q.query} data-query-item={q.item ?? undefined} data-query-status={q.status}>
          <span class="query-icon" aria-hidden="true">?</span>
          <span class="query-label">{t("query.item")}:</span> {q.text}{" "}
          <span class="muted small">({queryStatusText(q.status)})</span>
        </div>
      ))}
    </div>
  );
}

export function queryStatusText(s: string): string {
  const key = `query.status.${s}`;
  return hasKey(key) ? t(key) : s;
}
