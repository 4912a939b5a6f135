// The one generic form renderer: every form is drawn from its FormDef alone. Sections per item
// group (in the order their items appear), repeating groups as table rows, hidden items left out.

import { useEffect, useRef, useState } from "preact/hooks";
import type { Codelist } from "../bindings/Codelist";
import type { Finding } from "../bindings/Finding";
import type { QueryView } from "../bindings/QueryView";
import type { FormDef } from "../bindings/FormDef";
import type { ItemDef } from "../bindings/ItemDef";
import type { Slot } from "../bindings/Slot";
import { EditState, Section, currentValue, fieldOf, nextRow, rowHasValues, rowsOf, sections } from "../formModel";
import { t, tx } from "../i18n";
import { fieldStops, isEnterNavigation, moveFocus, neighbourStop } from "../keyboard";
import { FieldState, MAIN_GROUP, emptyField, isPresent, slotKey } from "../values";
import { Field, fieldId } from "./Field";
import { HistoryIcon, VerifiedIcon } from "./Icons";
import { Modal } from "./Modal";

export type FormRendererProps = {
  form: FormDef;
  codelists: Codelist[];
  state: EditState;
  /** Slots whose `when` condition is false; undefined when the services did not say. */
  hidden?: Slot[];
  findings: Finding[];
  /** Queries not closed, shown under their items. */
  queries?: QueryView[];
  readOnly?: boolean;
  onField: (slot: Slot, f: FieldState) => void;
  onAddRow: (group: string) => void;
  onRemoveRow: (group: string, repeat: number) => void;
  /** Where Enter goes after the last field (the Save button). */
  afterLast?: () => HTMLElement | null;
  /**
   * A check of the input still under way, if any (a scheduled one is run at once): after Enter,
   * an item the last answer makes appear becomes the next field rather than being skipped.
   */
  pendingCheck?: () => Promise<void> | null;
  /** Shows the history of an item (Alt+H on its field, or its history button). */
  onHistory?: (slot: Slot) => void;
  /** Slot keys whose source data are verified. */
  verified?: Set<string>;
};

type Visibility = "shown" | "hidden" | "not_applicable";

export function FormRenderer(p: FormRendererProps) {
  const root = useRef<HTMLDivElement>(null);
  const focusRow = useRef<{ group: string; repeat: number } | null>(null);
  const pendingReveal = useRef<{ from: HTMLElement; to: HTMLElement | null; typed: boolean } | null>(null);
  /** The row waiting for "Remove row?" to be confirmed. */
  const [confirmRemove, setConfirmRemove] = useState<{ group: string; repeat: number } | null>(null);
  /** Where the focus goes once a removed row has gone. */
  const focusAfterRemove = useRef<{ group: string; repeat: number | null } | null>(null);
  const hiddenSet = new Set((p.hidden ?? []).map((s) => slotKey(s.group, s.repeat, s.item)));
  const findingsBy = new Map<string, Finding[]>();
  for (const f of p.findings) {
    const k = slotKey(f.group || MAIN_GROUP, f.repeat || 1, f.item);
    findingsBy.set(k, [...(findingsBy.get(k) ?? []), f]);
  }
  const shownFindings = new Set<Finding>();

  const visibility = (item: ItemDef, group: string, repeat: number): Visibility => {
    const k = slotKey(group, repeat, item.id);
    let hide = hiddenSet.has(k);
    // A row the services have not seen yet (no values): a condition reading it is unknown, so
    // its conditional items stay hidden, as the services would have it.
    if (!hide && p.hidden !== undefined && item.when && group !== MAIN_GROUP && !rowHasValues(p.form, p.state, group, repeat)) {
      hide = p.form.groups.some((g) => g.id === group && g.repeating);
    }
    if (!hide) return "shown";
    // A value that no longer applies is not silently dropped: it shows, for the user to clear.
    if (isPresent(currentValue(p.form, p.state, k)) || (findingsBy.get(k)?.length ?? 0) > 0) return "not_applicable";
    return "hidden";
  };

  // After Ctrl+Enter / "Add row", focus the new row's first field.
  useEffect(() => {
    const want = focusRow.current;
    if (!want || !root.current) return;
    focusRow.current = null;
    const first = fieldStops(root.current).find(
      (el) => el.dataset.group === want.group && el.dataset.repeat === String(want.repeat),
    );
    first?.focus();
  });

  // After a row is removed: the next row's first field, else the previous row's, else "Add row".
  useEffect(() => {
    const want = focusAfterRemove.current;
    if (!want || !root.current || confirmRemove) return;
    focusAfterRemove.current = null;
    const stops = fieldStops(root.current).filter((el) => el.dataset.group === want.group);
    const target =
      (want.repeat !== null ? stops.find((el) => el.dataset.repeat === String(want.repeat)) : undefined) ??
      root.current.querySelector<HTMLElement>(`[data-add-row="${want.group}"]`);
    target?.focus();
  });

  /** Removes a row: at once when it is empty, else after "Remove row?" is confirmed. */
  const askRemove = (group: string, repeat: number) => {
    if (p.readOnly) return;
    if (rowHasValues(p.form, p.state, group, repeat)) setConfirmRemove({ group, repeat });
    else doRemove(group, repeat);
  };

  const doRemove = (group: string, repeat: number) => {
    const rows = rowsOf(p.form, p.state, group);
    const i = rows.indexOf(repeat);
    const next = rows[i + 1] ?? rows[i - 1] ?? null;
    focusAfterRemove.current = { group, repeat: next };
    setConfirmRemove(null);
    p.onRemoveRow(group, repeat);
  };

  const addRow = (group: string) => {
    const n = nextRow(p.form, p.state, group);
    if (n === null) return;
    focusRow.current = { group, repeat: n };
    p.onAddRow(group);
  };

  const onKeyDown = (e: KeyboardEvent) => {
    if (!root.current) return;
    const here = e.target as HTMLElement;
    // Alt+H: the history of the field that has the focus.
    if (e.altKey && !e.ctrlKey && !e.metaKey && (e.key === "h" || e.key === "H" || e.code === "KeyH")) {
      const d = here.closest<HTMLElement>("[data-item]")?.dataset;
      if (d?.item && p.onHistory) {
        e.preventDefault();
        p.onHistory({ group: d.group ?? MAIN_GROUP, repeat: Number(d.repeat ?? "1"), item: d.item });
      }
      return;
    }
    // Ctrl+Delete: remove the row the focus is in (after confirming when it holds values).
    if (e.key === "Delete" && e.ctrlKey && !e.altKey && !p.readOnly) {
      const row = here.closest<HTMLElement>("tr[data-row]");
      const section = here.closest<HTMLElement>("[data-repeating-group]");
      if (row && section) {
        e.preventDefault();
        askRemove(section.dataset.repeatingGroup!, Number(row.dataset.row));
      }
      return;
    }
    if (e.key === "Enter" && e.ctrlKey && !p.readOnly) {
      const el = e.target as HTMLElement;
      const section = el.closest<HTMLElement>("[data-repeating-group]");
      if (section) {
        e.preventDefault();
        addRow(section.dataset.repeatingGroup!);
      }
      return;
    }
    if (!isEnterNavigation(e)) return;
    e.preventDefault();
    const from = e.target as HTMLElement;
    const back = e.shiftKey;
    // Focus moves at once, so that what is typed next never lands in the field just left.
    moveFocus(root.current, from, back, p.afterLast);
    const waiting = back ? null : (p.pendingCheck?.() ?? null);
    if (!waiting) return;
    // The answer just given may make an item appear between the two fields: once its check is
    // drawn, go there instead, unless the user has already typed in the field focus went to.
    const to = document.activeElement as HTMLElement | null;
    const reveal = { from, to, typed: false };
    pendingReveal.current = reveal;
    const after = () => {
      if (pendingReveal.current !== reveal) return;
      pendingReveal.current = null;
      if (!root.current || reveal.typed || document.activeElement !== reveal.to || !reveal.from.isConnected) return;
      const next = neighbourStop(root.current, reveal.from, false);
      if (next && next !== reveal.to && (!reveal.to || !root.current.contains(reveal.to) || next.compareDocumentPosition(reveal.to) & Node.DOCUMENT_POSITION_FOLLOWING)) {
        next.focus();
        if (next instanceof HTMLInputElement && next.type === "text") next.select();
      }
    };
    void waiting.then(
      () => window.setTimeout(after, 0),
      () => window.setTimeout(after, 0),
    );
  };

  // Any typing after an Enter cancels the move to a revealed item.
  useEffect(() => {
    const el = root.current;
    if (!el) return;
    const typed = () => {
      if (pendingReveal.current) pendingReveal.current.typed = true;
    };
    el.addEventListener("input", typed, true);
    el.addEventListener("change", typed, true);
    return () => {
      el.removeEventListener("input", typed, true);
      el.removeEventListener("change", typed, true);
    };
  }, []);

  const field = (item: ItemDef, group: string, repeat: number, opts: { ariaLabel?: string; labelId?: string }) => {
    const slot: Slot = { group, repeat, item: item.id };
    const k = slotKey(group, repeat, item.id);
    const fs = findingsBy.get(k) ?? [];
    fs.forEach((f) => shownFindings.add(f));
    return (
      <Field
        item={item}
        slot={slot}
        state={fieldOf(p.state, slot)}
        codelists={p.codelists}
        findings={fs}
        queries={(p.queries ?? []).filter((q) => q.item === item.id && (q.group ?? group) === group && (q.repeat ?? repeat) === repeat)}
        readOnly={!!p.readOnly}
        ariaLabel={opts.ariaLabel}
        labelId={opts.labelId}
        onChange={(f) => p.onField(slot, f)}
      />
    );
  };

  const naNote = (item: ItemDef, group: string, repeat: number) => (
    <div class="na-note">
      {t("form.notApplicable")}{" "}
      {!p.readOnly && (
        <button type="button" class="link" onClick={() => p.onField({ group, repeat, item: item.id }, emptyField())}>
          {t("form.clear")}
        </button>
      )}
    </div>
  );

  const plainSection = (sec: Section) => {
    const group = sec.group.id;
    return (
      <div class="items">
        {sec.items.map((item) => {
          const vis = visibility(item, group, 1);
          if (vis === "hidden") return null;
          const slot = { group, repeat: 1, item: item.id };
          const labelId = `${fieldId(slot)}-label`;
          return (
            <div class={`item ${vis === "not_applicable" ? "not-applicable" : ""}`} key={item.id} data-item-row={item.id}>
              <div class="item-label">
                <label id={labelId} for={fieldId(slot)}>
                  {tx(item.label)}
                  {item.required && (
                    <span class="req" title={t("form.required")} aria-label={t("form.required")}>
                      *
                    </span>
                  )}
                </label>
                {item.help && <div class="help">{tx(item.help)}</div>}
                {p.verified?.has(slotKey(group, 1, item.id)) && (
                  <span class="sdv-tag" data-verified-item={item.id} title={t("sdv.item.title")}>
                    <VerifiedIcon /> {t("sdv.item")}
                  </span>
                )}
              </div>
              <div class="item-field">
                <div class="item-tools">
                  {p.onHistory && slotKey(group, 1, item.id) in p.state.saved && (
                    <button
                      type="button"
                      class="hist-btn"
                      tabIndex={-1}
                      data-history-open={item.id}
                      title={t("itemHistory.button.title")}
                      aria-label={t("itemHistory.button.title")}
                      onClick={() => p.onHistory?.({ group, repeat: 1, item: item.id })}
                    >
                      <HistoryIcon />
                    </button>
                  )}
                </div>
                {field(item, group, 1, { labelId })}
                {vis === "not_applicable" && naNote(item, group, 1)}
              </div>
            </div>
          );
        })}
      </div>
    );
  };

  const repeatingSection = (sec: Section) => {
    const group = sec.group.id;
    const rows = rowsOf(p.form, p.state, group);
    const canAdd = !p.readOnly && nextRow(p.form, p.state, group) !== null;
    return (
      <div data-repeating-group={group}>
        <div class="repeat-wrap">
          <table class="repeat">
            <thead>
              <tr>
                <th class="rownum" scope="col">
                  {t("form.row")}
                </th>
                {sec.items.map((item) => (
                  <th scope="col" key={item.id}>
                    {tx(item.label)}
                    {item.required && (
                      <span class="req" title={t("form.required")}>
                        *
                      </span>
                    )}
                    {item.unit && <span class="th-unit"> ({item.unit})</span>}
                    {item.help && <div class="help">{tx(item.help)}</div>}
                  </th>
                ))}
                {!p.readOnly && <th class="rowact" aria-hidden="true" />}
              </tr>
            </thead>
            <tbody>
              {rows.length === 0 && (
                <tr>
                  <td class="empty" colSpan={sec.items.length + 2}>
                    {t("form.noRows")}
                  </td>
                </tr>
              )}
              {rows.map((repeat) => (
                <tr key={repeat} data-row={repeat}>
                  <th class="rownum" scope="row">
                    {repeat}
                  </th>
                  {sec.items.map((item) => {
                    const vis = visibility(item, group, repeat);
                    return (
                      <td key={item.id} class={vis === "not_applicable" ? "not-applicable" : ""}>
                        {vis === "hidden" ? (
                          <span class="cell-na" aria-hidden="true">
                            —
                          </span>
                        ) : (
                          <>
                            {field(item, group, repeat, { ariaLabel: `${tx(item.label)} (${t("form.row")} ${repeat})` })}
                            {vis === "not_applicable" && naNote(item, group, repeat)}
                          </>
                        )}
                      </td>
                    );
                  })}
                  {!p.readOnly && (
                    <td class="rowact">
                      <button
                        type="button"
                        class="remove-row"
                        data-remove-row={`${group}.${repeat}`}
                        title={t("form.removeRow.title", { n: repeat })}
                        aria-label={t("form.removeRow.title", { n: repeat })}
                        onClick={() => askRemove(group, repeat)}
                      >
                        <span aria-hidden="true">✕</span>
                      </button>
                    </td>
                  )}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        {!p.readOnly && (
          <div class="repeat-actions">
            <button type="button" class="add-row" data-add-row={group} title={t("form.addRow.title")} disabled={!canAdd} onClick={() => addRow(group)}>
              {t("form.addRow")}
            </button>
            {sec.group.max != null && <span class="muted">{t("form.maxRows", { n: sec.group.max })}</span>}
          </div>
        )}
      </div>
    );
  };

  const secs = sections(p.form);
  const body = secs.map((sec) => {
    // The implicit MAIN group has no heading of its own (the form's name is the page title).
    const heading = sec.group.id !== MAIN_GROUP || p.form.groups.some((g) => g.id === MAIN_GROUP);
    // A section none of whose items applies to the answers so far is left out, heading and all.
    if (!sec.group.repeating && sec.items.every((item) => visibility(item, sec.group.id, 1) === "hidden")) return null;
    return (
      <section class="group" key={sec.group.id} data-section={sec.group.id} aria-label={tx(sec.group.name)}>
        {heading && <h3 class="group-heading">{tx(sec.group.name)}</h3>}
        {sec.group.repeating ? repeatingSection(sec) : plainSection(sec)}
      </section>
    );
  });

  // Findings no field shows (an item not drawn, a removed row): listed on their own.
  const others = p.findings.filter((f) => !shownFindings.has(f));

  return (
    <div class="form-body" ref={root} onKeyDown={onKeyDown}>
      {others.length > 0 && (
        <section class="group other-findings" aria-label={t("form.otherFindings")}>
          <h3 class="group-heading">{t("form.otherFindings")}</h3>
          {others.map((f, i) => {
            const item = p.form.items.find((x) => x.id === f.item);
            return (
              <div class={`finding ${f.severity}`} key={i} data-finding={f.item} data-group={f.group} data-repeat={String(f.repeat)} data-rule={f.rule}>
                <span class="finding-icon" aria-hidden="true">
                  {f.severity === "error" ? "✖" : "▲"}
                </span>
                {item ? <strong>{tx(item.label)}: </strong> : null}
                {tx(f.message)}
              </div>
            );
          })}
        </section>
      )}
      {body}
      {confirmRemove && (
        <Modal
          id="remove-row-dialog"
          title={t("form.removeRow.confirmTitle", { n: confirmRemove.repeat })}
          onCancel={() => setConfirmRemove(null)}
          initialFocus="#remove-row-ok"
        >
          <p>
            {t("form.removeRow.confirmText", {
              n: confirmRemove.repeat,
              group: tx(p.form.groups.find((g) => g.id === confirmRemove.group)?.name) || confirmRemove.group,
            })}
          </p>
          <div class="modal-actions">
            <button id="remove-row-cancel" type="button" class="secondary" onClick={() => setConfirmRemove(null)}>
              {t("common.cancel")}
            </button>
            <button id="remove-row-ok" type="button" class="danger" onClick={() => doRemove(confirmRemove.group, confirmRemove.repeat)}>
              {t("form.removeRow.ok")}
            </button>
          </div>
        </Modal>
      )}
    </div>
  );
}

