import { afterEach, describe, expect, it } from "vitest";
import { fieldStops, handleEnter, neighbourStop, pickByKey } from "./keyboard";

const choices = [
  { code: "POS", label: "Positive" },
  { code: "NEG", label: "Negative" },
  { code: "NT", label: "Not tested" },
];

describe("pickByKey", () => {
  it("digits pick the n-th choice", () => {
    expect(pickByKey(choices, "1", "")).toBe("POS");
    expect(pickByKey(choices, "3", "")).toBe("NT");
    expect(pickByKey(choices, "4", "")).toBeNull();
  });
  it("a letter picks the next choice starting with it, wrapping", () => {
    expect(pickByKey(choices, "n", "")).toBe("NEG");
    expect(pickByKey(choices, "n", "NEG")).toBe("NT");
    expect(pickByKey(choices, "N", "NT")).toBe("NEG");
    expect(pickByKey(choices, "p", "NT")).toBe("POS");
    expect(pickByKey(choices, "x", "")).toBeNull();
  });
  it("matches codes when labels do not start with the letter (Chinese labels)", () => {
    const zh = [
      { code: "Y", label: "是" },
      { code: "N", label: "否" },
    ];
    expect(pickByKey(zh, "n", "")).toBe("N");
    expect(pickByKey(zh, "是", "")).toBe("Y");
  });
  it("ignores keys that are not characters", () => {
    expect(pickByKey(choices, "Enter", "")).toBeNull();
    expect(pickByKey(choices, " ", "")).toBeNull();
  });
});

describe("Enter moves between fields", () => {
  let root: HTMLElement;
  afterEach(() => root?.remove());

  function build(html: string) {
    root = document.createElement("div");
    root.innerHTML = html;
    document.body.appendChild(root);
    return root;
  }
  const enter = (el: HTMLElement, shift = false) => {
    const e = new KeyboardEvent("keydown", { key: "Enter", shiftKey: shift, bubbles: true, cancelable: true });
    Object.defineProperty(e, "target", { value: el });
    const handled = handleEnter(e, root, () => document.getElementById("save"));
    return { handled, prevented: e.defaultPrevented };
  };

  it("skips disabled, hidden and special-value controls; a radio group is one stop", () => {
    build(`
      <input id="a" data-item="A">
      <select id="as" data-item="A" data-part="special"></select>
      <input id="b1" type="radio" name="b" data-item="B" value="1">
      <input id="b2" type="radio" name="b" data-item="B" value="2" checked>
      <input id="c" data-item="C" disabled>
      <div hidden><input id="d" data-item="D"></div>
      <textarea id="e" data-item="E"></textarea>
      <button id="save">Save</button>`);
    expect(fieldStops(root).map((e) => e.id)).toEqual(["a", "b2", "e"]);
    const a = document.getElementById("a")!;
    a.focus();
    expect(enter(a)).toEqual({ handled: true, prevented: true });
    expect(document.activeElement?.id).toBe("b2");
    // From any radio of the group, the next stop is after the group.
    expect(neighbourStop(root, document.getElementById("b1")!)?.id).toBe("e");
    // From the special-value control, the next field.
    expect(neighbourStop(root, document.getElementById("as")!)?.id).toBe("b2");
    // Backwards.
    enter(document.getElementById("b2")!, true);
    expect(document.activeElement?.id).toBe("a");
  });

  it("a textarea keeps Enter for new lines; the last field's Enter goes to Save", () => {
    build(`<input id="a" data-item="A"><textarea id="e" data-item="E"></textarea><button id="save">Save</button>`);
    const e = document.getElementById("e")!;
    expect(enter(e).handled).toBe(false);
    const only = document.getElementById("a")!;
    root.querySelector("textarea")!.remove();
    enter(only);
    expect(document.activeElement?.id).toBe("save");
  });

  it("leaves Enter alone outside fields and with modifiers", () => {
    build(`<input id="x"><input id="a" data-item="A">`);
    const x = document.getElementById("x")!;
    expect(enter(x).handled).toBe(false);
    const a = document.getElementById("a")!;
    const e = new KeyboardEvent("keydown", { key: "Enter", ctrlKey: true, bubbles: true, cancelable: true });
    Object.defineProperty(e, "target", { value: a });
    expect(handleEnter(e, root)).toBe(false);
  });
});
