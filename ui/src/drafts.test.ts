import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { ValueEntry } from "./bindings/ValueEntry";
import { DRAFT_DELAY_MS, DraftKeeper, draftTime } from "./drafts";
import { applyDraft, currentValue, draftEntries, initState, isDirty, removeRow, setField, valuesToSend } from "./formModel";
import { form } from "./test/fixtures";
import { emptyField, slotKey } from "./values";

const e = (item: string, value: unknown, group = "MAIN", repeat = 1): ValueEntry => ({ group, repeat, item, value });

describe("DraftKeeper", () => {
  let sent: ValueEntry[][];
  let current: ValueEntry[];
  let release: Array<() => void>;
  let slow: boolean;
  const send = (list: ValueEntry[]) => {
    sent.push(list);
    if (!slow) return Promise.resolve();
    return new Promise<void>((r) => release.push(r));
  };

  beforeEach(() => {
    vi.useFakeTimers();
    sent = [];
    current = [];
    release = [];
    slow = false;
  });
  afterEach(() => vi.useRealTimers());

  it("sends at most DRAFT_DELAY_MS after the first change, even while typing goes on", async () => {
    const k = new DraftKeeper(send, () => current);
    current = [e("A", "1")];
    k.changed();
    await vi.advanceTimersByTimeAsync(DRAFT_DELAY_MS / 2);
    current = [e("A", "12")];
    k.changed(); // does not restart the timer
    await vi.advanceTimersByTimeAsync(DRAFT_DELAY_MS / 2);
    expect(sent).toEqual([[e("A", "12")]]);
    expect(DRAFT_DELAY_MS).toBeLessThanOrEqual(300);
  });

  it("never overlaps sends; the last one carries the latest input", async () => {
    slow = true;
    const k = new DraftKeeper(send, () => current);
    current = [e("A", "1")];
    k.changed();
    await vi.advanceTimersByTimeAsync(DRAFT_DELAY_MS);
    expect(sent.length).toBe(1);
    current = [e("A", "123")];
    k.changed();
    await vi.advanceTimersByTimeAsync(DRAFT_DELAY_MS);
    expect(sent.length).toBe(1); // the first is still under way
    expect(k.pending()).toBe(true);
    release.shift()!();
    await vi.advanceTimersByTimeAsync(0);
    expect(sent).toEqual([[e("A", "1")], [e("A", "123")]]);
    release.shift()!();
    await vi.advanceTimersByTimeAsync(0);
    expect(k.pending()).toBe(false);
  });

  it("cancel drops what is scheduled (the form was saved); stop sends it first", async () => {
    const k = new DraftKeeper(send, () => current);
    current = [e("A", "1")];
    k.changed();
    k.cancel();
    await vi.advanceTimersByTimeAsync(DRAFT_DELAY_MS * 2);
    expect(sent).toEqual([]);
    k.changed();
    k.stop();
    await vi.advanceTimersByTimeAsync(0);
    expect(sent).toEqual([[e("A", "1")]]);
    k.changed();
    await vi.advanceTimersByTimeAsync(DRAFT_DELAY_MS * 2);
    expect(sent.length).toBe(1); // stopped
  });

  it("flush sends at once; nothing to keep (null) sends nothing; errors are reported", async () => {
    const errors: unknown[] = [];
    let saved = 0;
    const k = new DraftKeeper(
      (l) => (l.length ? send(l) : Promise.reject(new Error("refused"))),
      () => current,
      { onError: (x) => errors.push(x), onSaved: () => saved++ },
    );
    current = [e("A", "1")];
    k.changed();
    await k.flush();
    expect(sent).toEqual([[e("A", "1")]]);
    expect(saved).toBe(1);
    current = [];
    k.changed();
    await k.flush();
    expect(errors.length).toBe(1);
    const none = new DraftKeeper(send, () => null);
    none.changed();
    await none.flush();
    expect(sent.length).toBe(1);
  });
});

describe("draftTime", () => {
  it("today: hours and minutes; another day: the date too", () => {
    const now = new Date(2026, 2, 4, 15, 0);
    expect(draftTime(new Date(2026, 2, 4, 10, 32).toISOString(), now)).toBe("10:32");
    expect(draftTime(new Date(2026, 2, 3, 9, 5).toISOString(), now)).toBe("2026-03-03 09:05");
    expect(draftTime("soon", now)).toBe("soon");
  });
});

describe("draft entries", () => {
  const saved = [e("VISDAT", "2025-03-01"), e("WEIGHT", 70), e("CMTRT", "Paracetamol", "CM", 1), e("CMTRT", "Tocilizumab", "CM", 2)];

  it("keep only what differs from the saved values (a cleared value as null)", () => {
    let st = initState(form, saved);
    expect(draftEntries(form, st)).toEqual([]);
    st = setField(st, { group: "MAIN", repeat: 1, item: "WEIGHT" }, { ...emptyField(), text: "71.5" });
    st = setField(st, { group: "MAIN", repeat: 1, item: "VISDAT" }, emptyField());
    st = setField(st, { group: "MAIN", repeat: 1, item: "SEX" }, { ...emptyField(), text: "F" });
    // Typed and typed back: no difference.
    st = setField(st, { group: "CM", repeat: 2, item: "CMTRT" }, { ...emptyField(), text: "Tocilizumab" });
    expect(draftEntries(form, st)).toEqual([e("VISDAT", null), e("SEX", "F"), e("WEIGHT", 71.5)]);
  });

  it("a draft laid over the saved form gives back the same input, rows included", () => {
    let st = initState(form, saved);
    st = setField(st, { group: "MAIN", repeat: 1, item: "WEIGHT" }, { mode: "not_done", text: "", reason: "scale broken", code: "", lloq: "" });
    st = removeRow(form, st, "CM", 1);
    st = { ...st, rows: { ...st.rows, CM: [...st.rows.CM, 3] } };
    st = setField(st, { group: "CM", repeat: 3, item: "CMTRT" }, { ...emptyField(), text: "Dexamethasone" });
    const draft = draftEntries(form, st);

    const back = applyDraft(form, initState(form, saved), draft);
    expect(isDirty(form, back)).toBe(true);
    expect(back.rows.CM).toEqual([2, 3]);
    expect(valuesToSend(form, back)).toEqual(valuesToSend(form, st));
    expect(currentValue(form, back, slotKey("MAIN", 1, "WEIGHT"))).toEqual({ not_done: "scale broken" });
    // Items the form does not have are ignored.
    expect(applyDraft(form, initState(form, saved), [e("NOPE", 1)]).dirty).toEqual({});
  });
});
