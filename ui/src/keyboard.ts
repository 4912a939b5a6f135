// Keyboard entry: Enter moves between fields, a letter or digit picks a choice.

/** The fields Enter moves between, in document order: one stop per item widget. */
export function fieldStops(root: ParentNode): HTMLElement[] {
  const all = Array.from(root.querySelectorAll<HTMLElement>("[data-item]"));
  const out: HTMLElement[] = [];
  const seenRadio = new Set<string>();
  for (const el of all) {
    if ((el as HTMLInputElement).disabled) continue;
    if (el.dataset.part === "special") continue;
    if (el.closest("[hidden]")) continue;
    if (el instanceof HTMLInputElement && el.type === "radio") {
      if (seenRadio.has(el.name)) continue;
      seenRadio.add(el.name);
      // The group's stop is its checked radio, or its first.
      const checked = root.querySelector<HTMLInputElement>(`input[type=radio][name="${cssEscape(el.name)}"]:checked`);
      out.push(checked && !checked.disabled ? checked : el);
      continue;
    }
    out.push(el);
  }
  return out;
}

function cssEscape(s: string): string {
  return s.replace(/["\\]/g, "\\$&");
}

/**
 * The stop after (or before) `from`; `from` need not be a stop itself (a special-value
 * control, or a radio that is not its group's stop).
 */
export function neighbourStop(root: ParentNode, from: HTMLElement, backwards = false): HTMLElement | null {
  const stops = fieldStops(root);
  const radioName = from instanceof HTMLInputElement && from.type === "radio" ? from.name : null;
  if (!backwards) {
    for (const s of stops) {
      if (s === from) continue;
      if (radioName && s instanceof HTMLInputElement && s.name === radioName) continue;
      if (from.compareDocumentPosition(s) & Node.DOCUMENT_POSITION_FOLLOWING) return s;
    }
    return null;
  }
  for (let i = stops.length - 1; i >= 0; i--) {
    const s = stops[i];
    if (s === from) continue;
    if (radioName && s instanceof HTMLInputElement && s.name === radioName) continue;
    if (from.compareDocumentPosition(s) & Node.DOCUMENT_POSITION_PRECEDING) return s;
  }
  return null;
}

/** Whether a key press is Enter / Shift+Enter navigation from a field (not in a multi-line note). */
export function isEnterNavigation(e: KeyboardEvent): boolean {
  if (e.key !== "Enter" || e.ctrlKey || e.altKey || e.metaKey || e.isComposing) return false;
  const el = e.target as HTMLElement | null;
  if (!el || !el.dataset || el.dataset.item === undefined) return false;
  return !(el instanceof HTMLTextAreaElement && !e.shiftKey);
}

/** Moves focus from `from` to the next (previous) field, or to `atEnd()` after the last one. */
export function moveFocus(root: HTMLElement, from: HTMLElement, backwards: boolean, atEnd?: () => HTMLElement | null): void {
  const next = neighbourStop(root, from, backwards);
  const target = next ?? (backwards ? null : (atEnd?.() ?? null));
  if (target) {
    target.focus();
    if (target instanceof HTMLInputElement && target.type === "text") target.select();
  }
}

/**
 * Handles Enter / Shift+Enter inside a form: moves focus to the next (previous) field instead of
 * submitting. In a multi-line note Enter is a new line. Returns whether it handled the key.
 * `atEnd` is focused when Enter leaves the last field (the Save button).
 */
export function handleEnter(e: KeyboardEvent, root: HTMLElement, atEnd?: () => HTMLElement | null): boolean {
  if (!isEnterNavigation(e)) return false;
  e.preventDefault();
  moveFocus(root, e.target as HTMLElement, e.shiftKey, atEnd);
  return true;
}

export type Pickable = { code: string; label: string };

/**
 * The choice a typed key picks: digits 1–9 the n-th choice; a letter the next choice (after the
 * current one, wrapping) whose label or code starts with it. Null when nothing matches.
 */
export function pickByKey(choices: Pickable[], key: string, current: string): string | null {
  if (key.length !== 1 || key === " ") return null;
  if (/^[1-9]$/.test(key)) {
    const i = Number(key) - 1;
    return i < choices.length ? choices[i].code : null;
  }
  const k = key.toLocaleLowerCase();
  const starts = (c: Pickable) =>
    c.label.trim().toLocaleLowerCase().startsWith(k) || c.code.toLocaleLowerCase().startsWith(k);
  const n = choices.length;
  const at = choices.findIndex((c) => c.code === current);
  for (let step = 1; step <= n; step++) {
    const c = choices[(at + step + n) % n];
    if (starts(c)) return c.code;
  }
  return null;
}
