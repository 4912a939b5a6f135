// The state of one form being edited, independent of how it is drawn: field states by slot,
// the rows of repeating groups, what was last saved, and the values to send.

import type { FormDef } from "./bindings/FormDef";
import type { GroupDef } from "./bindings/GroupDef";
import type { ItemDef } from "./bindings/ItemDef";
import type { Slot } from "./bindings/Slot";
import type { Text } from "./bindings/Text";
import type { ValueEntry } from "./bindings/ValueEntry";
import { FieldState, MAIN_GROUP, emptyField, entry, fromJson, isPresent, sameJson, slotKey, slotOf, toJson } from "./values";

export type EditState = {
  /** Field state by slot key. */
  fields: Record<string, FieldState>;
  /** Keys the user has edited since the last save. */
  dirty: Record<string, true>;
  /** The last saved value by slot key. */
  saved: Record<string, unknown>;
  /** Rows shown, by repeating group id. */
  rows: Record<string, number[]>;
};

export type Section = { group: GroupDef; items: ItemDef[] };

/** The item's group id ("MAIN" when it names none). */
export function groupOf(item: ItemDef): string {
  return item.group || MAIN_GROUP;
}

/**
 * The form's sections in the order their first item appears; MAIN is the implicit group (named
 * after the form when it is not declared).
 */
export function sections(form: FormDef, mainName?: Text): Section[] {
  const out: Section[] = [];
  const byId = new Map<string, Section>();
  for (const item of form.items) {
    const g = groupOf(item);
    let s = byId.get(g);
    if (!s) {
      const def = form.groups.find((x) => x.id === g) ?? {
        id: g,
        name: g === MAIN_GROUP ? (mainName ?? form.name) : { en: g, zh: g },
        repeating: false,
        max: null,
      };
      s = { group: def, items: [] };
      byId.set(g, s);
      out.push(s);
    }
    s.items.push(item);
  }
  return out;
}

export function isRepeating(form: FormDef, group: string): boolean {
  return form.groups.some((g) => g.id === group && g.repeating);
}

export function findItem(form: FormDef, id: string): ItemDef | undefined {
  return form.items.find((i) => i.id === id);
}

/** The state for a form's stored values. */
export function initState(form: FormDef, values: ValueEntry[]): EditState {
  const st: EditState = { fields: {}, dirty: {}, saved: {}, rows: {} };
  for (const g of form.groups) if (g.repeating) st.rows[g.id] = [];
  for (const v of values) {
    const item = findItem(form, v.item);
    if (!item) continue;
    const k = slotKey(v.group, v.repeat, v.item);
    st.saved[k] = v.value;
    st.fields[k] = fromJson(item, v.value);
    if (isRepeating(form, v.group) && isPresent(v.value)) {
      const rows = (st.rows[v.group] ??= []);
      if (!rows.includes(v.repeat)) rows.push(v.repeat);
    }
  }
  for (const g of Object.keys(st.rows)) st.rows[g].sort((a, b) => a - b);
  return st;
}

/** The repeats a group shows: 1 for a non-repeating group. */
export function rowsOf(form: FormDef, st: EditState, group: string): number[] {
  return isRepeating(form, group) ? (st.rows[group] ?? []) : [1];
}

export function fieldOf(st: EditState, slot: Slot): FieldState {
  return st.fields[slotKey(slot.group, slot.repeat, slot.item)] ?? emptyField();
}

export function setField(st: EditState, slot: Slot, f: FieldState): EditState {
  const k = slotKey(slot.group, slot.repeat, slot.item);
  return { ...st, fields: { ...st.fields, [k]: f }, dirty: { ...st.dirty, [k]: true } };
}

/** The next row number of a repeating group, or null at its maximum. */
export function nextRow(form: FormDef, st: EditState, group: string): number | null {
  const g = form.groups.find((x) => x.id === group);
  const rows = st.rows[group] ?? [];
  if (g?.max != null && rows.length >= g.max) return null;
  return rows.reduce((m, r) => Math.max(m, r), 0) + 1;
}

export function addRow(form: FormDef, st: EditState, group: string): EditState {
  const n = nextRow(form, st, group);
  if (n === null) return st;
  return { ...st, rows: { ...st.rows, [group]: [...(st.rows[group] ?? []), n] } };
}

/**
 * Removes a row: its fields are cleared (a saved row's values are sent as null, so the audit
 * trail keeps what they were) and the row is no longer shown. Other rows keep their numbers.
 */
export function removeRow(form: FormDef, st: EditState, group: string, repeat: number): EditState {
  const fields = { ...st.fields };
  const dirty = { ...st.dirty };
  for (const item of form.items) {
    if (groupOf(item) !== group) continue;
    const k = slotKey(group, repeat, item.id);
    if (k in fields || k in st.saved) {
      fields[k] = emptyField();
      dirty[k] = true;
    }
  }
  return { ...st, fields, dirty, rows: { ...st.rows, [group]: (st.rows[group] ?? []).filter((r) => r !== repeat) } };
}

/** The JSON a slot currently holds: as saved when untouched, else as typed. */
export function currentValue(form: FormDef, st: EditState, key: string): unknown {
  if (!st.dirty[key]) return st.saved[key] ?? null;
  const item = findItem(form, slotOf(key).item);
  const f = st.fields[key];
  return item && f ? toJson(item, f) : null;
}

/** Every value of the form, as the services take it (saved, edited, and cleared ones). */
export function valuesToSend(form: FormDef, st: EditState): ValueEntry[] {
  const keys = new Set([...Object.keys(st.saved), ...Object.keys(st.dirty)]);
  const out: ValueEntry[] = [];
  for (const k of keys) {
    const slot = slotOf(k);
    const v = currentValue(form, st, k);
    // An untouched empty slot, never saved, need not be sent.
    if (!(k in st.saved) && v === null) continue;
    out.push(entry(slot, v));
  }
  const order = new Map(form.items.map((i, n) => [i.id, n]));
  out.sort((a, b) => a.group.localeCompare(b.group) || a.repeat - b.repeat || (order.get(a.item) ?? 0) - (order.get(b.item) ?? 0));
  return out;
}

/** Whether anything differs from what was last saved. */
export function isDirty(form: FormDef, st: EditState): boolean {
  return Object.keys(st.dirty).some((k) => !sameJson(currentValue(form, st, k), st.saved[k] ?? null));
}

/**
 * After a successful save of `sent`: that is now what is saved. Fields edited again while the
 * save was under way stay dirty.
 */
export function markSaved(form: FormDef, st: EditState, sent: ValueEntry[]): EditState {
  const saved = { ...st.saved };
  for (const v of sent) {
    const k = slotKey(v.group, v.repeat, v.item);
    if (v.value === null) delete saved[k];
    else saved[k] = v.value;
  }
  const dirty: Record<string, true> = {};
  for (const k of Object.keys(st.dirty)) {
    if (!sameJson(currentValue(form, st, k), saved[k] ?? null)) dirty[k] = true;
  }
  return { ...st, saved, dirty };
}

/** Whether a row holds any value (as typed now). */
export function rowHasValues(form: FormDef, st: EditState, group: string, repeat: number): boolean {
  return form.items.some((i) => groupOf(i) === group && isPresent(currentValue(form, st, slotKey(group, repeat, i.id))));
}

/**
 * What a draft keeps: every slot whose typed value differs from what was last saved (a
 * cleared saved value as null), in form order. Empty when nothing is unsaved.
 */
export function draftEntries(form: FormDef, st: EditState): ValueEntry[] {
  const out: ValueEntry[] = [];
  for (const k of Object.keys(st.dirty)) {
    const v = currentValue(form, st, k);
    if (sameJson(v, st.saved[k] ?? null)) continue;
    out.push(entry(slotOf(k), v));
  }
  const order = new Map(form.items.map((i, n) => [i.id, n]));
  out.sort((a, b) => a.group.localeCompare(b.group) || a.repeat - b.repeat || (order.get(a.item) ?? 0) - (order.get(b.item) ?? 0));
  return out;
}

/**
 * A kept draft laid over the saved state: each entry becomes typed (unsaved) input; rows of
 * repeating groups follow the values (a row the draft cleared entirely is gone, a new row with
 * values appears). Entries of items the form does not have are ignored.
 */
export function applyDraft(form: FormDef, st: EditState, entries: ValueEntry[]): EditState {
  let s = st;
  const touched = new Set<string>();
  for (const e of entries) {
    const item = findItem(form, e.item);
    if (!item || groupOf(item) !== e.group || !(e.repeat >= 1)) continue;
    s = setField(s, { group: e.group, repeat: e.repeat, item: e.item }, fromJson(item, e.value));
    if (isRepeating(form, e.group)) touched.add(e.group);
  }
  if (touched.size === 0) return s;
  const rows = { ...s.rows };
  for (const g of touched) {
    const repeats = new Set<number>(rows[g] ?? []);
    for (const e of entries) if (e.group === g) repeats.add(e.repeat);
    rows[g] = [...repeats].filter((r) => rowHasValues(form, s, g, r)).sort((a, b) => a - b);
  }
  return { ...s, rows };
}
