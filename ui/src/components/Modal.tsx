// A modal dialog: focus moves in on open and stays inside (Tab wraps), Escape cancels when the
// dialog can be cancelled, focus returns to where it was on close.

import type { ComponentChildren } from "preact";
import { useEffect, useRef } from "preact/hooks";

export function Modal(p: {
  id: string;
  title: string;
  children: ComponentChildren;
  onCancel?: () => void;
  /** An opaque backdrop hides the screen behind (the idle lock). */
  opaque?: boolean;
  /** What has the focus when the dialog opens (a CSS selector inside it); else its first control. */
  initialFocus?: string;
  /** A wider dialog (tables). */
  wide?: boolean;
}) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const before = document.activeElement as HTMLElement | null;
    const first =
      (p.initialFocus ? box.current?.querySelector<HTMLElement>(p.initialFocus) : null) ??
      box.current?.querySelector<HTMLElement>("input, textarea, select, button");
    first?.focus();
    return () => {
      if (before && document.contains(before)) before.focus();
    };
  }, []);

  const onKeyDown = (e: KeyboardEvent) => {
    if (e.key === "Escape" && p.onCancel) {
      e.preventDefault();
      e.stopPropagation();
      p.onCancel();
      return;
    }
    if (e.key === "Tab" && box.current) {
      const els = Array.from(box.current.querySelectorAll<HTMLElement>("input, textarea, select, button")).filter(
        (el) => !(el as HTMLButtonElement).disabled,
      );
      if (els.length === 0) return;
      const first = els[0];
      const last = els[els.length - 1];
      if (e.shiftKey && document.activeElement === first) {
        e.preventDefault();
        last.focus();
      } else if (!e.shiftKey && document.activeElement === last) {
        e.preventDefault();
        first.focus();
      }
    }
    // Keys typed in a dialog are not for the screen behind it (Ctrl+S, Alt+←).
    e.stopPropagation();
  };

  return (
    <div class={`backdrop ${p.opaque ? "opaque" : ""}`}>
      <div class={`modal${p.wide ? " wide" : ""}`} role="dialog" aria-modal="true" aria-labelledby={`${p.id}-title`} id={p.id} ref={box} onKeyDown={onKeyDown}>
        <h2 id={`${p.id}-title`}>{p.title}</h2>
        {p.children}
      </div>
    </div>
  );
}
