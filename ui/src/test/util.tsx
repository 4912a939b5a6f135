// Small DOM helpers for tests (no testing library needed).

import { ComponentChild, render } from "preact";
import { act } from "preact/test-utils";

export type Mounted = { root: HTMLElement; unmount: () => void };

export function mount(node: ComponentChild): Mounted {
  const root = document.createElement("div");
  document.body.appendChild(root);
  act(() => {
    render(node, root);
  });
  return {
    root,
    unmount: () => {
      act(() => render(null, root));
      root.remove();
    },
  };
}

export function $<T extends Element = HTMLElement>(root: ParentNode, css: string): T {
  const el = root.querySelector<T>(css);
  if (!el) throw new Error(`no element ${css}`);
  return el as T;
}

/** Types a whole value into a text input or textarea, as the browser reports it. */
export function type(el: Element, text: string): void {
  act(() => {
    (el as HTMLInputElement).value = text;
    el.dispatchEvent(new Event("input", { bubbles: true }));
  });
}

export function choose(el: Element, value: string): void {
  act(() => {
    (el as HTMLSelectElement).value = value;
    el.dispatchEvent(new Event("change", { bubbles: true }));
  });
}

export function click(el: Element): void {
  act(() => {
    (el as HTMLElement).click();
  });
}

export function press(el: Element, key: string, opts: KeyboardEventInit = {}): KeyboardEvent {
  const e = new KeyboardEvent("keydown", { key, bubbles: true, cancelable: true, ...opts });
  act(() => {
    el.dispatchEvent(e);
  });
  return e;
}

export function blur(el: Element): void {
  act(() => {
    el.dispatchEvent(new FocusEvent("blur"));
    el.dispatchEvent(new FocusEvent("focusout", { bubbles: true }));
  });
}

/** Lets pending promises and effects run. */
export async function flush(): Promise<void> {
  await act(async () => {
    for (let i = 0; i < 5; i++) await Promise.resolve();
  });
}
