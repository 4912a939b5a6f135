// Small inline icons (SVG, so they look the same whatever fonts the computer has). Always
// beside words: an icon never carries a meaning on its own.

import type { JSX } from "preact";

type P = { class?: string; title?: string };

function svg(p: P, body: JSX.Element | JSX.Element[], viewBox = "0 0 16 16") {
  return (
    <svg class={`icon ${p.class ?? ""}`} viewBox={viewBox} width="14" height="14" aria-hidden="true" focusable="false">
      {p.title ? <title>{p.title}</title> : null}
      {body}
    </svg>
  );
}

/** Form status: an empty ring (not started), a half-filled one (in progress), a filled one with
 * a tick (complete). */
export function StatusIcon(p: P & { status: string }) {
  switch (p.status) {
    case "complete":
      return svg(p, [
        <circle key="c" cx="8" cy="8" r="7" fill="currentColor" />,
        <path key="t" d="M4.6 8.3l2.2 2.2 4.6-4.8" fill="none" stroke="#fff" stroke-width="1.9" stroke-linecap="round" stroke-linejoin="round" />,
      ]);
    case "in_progress":
      return svg(p, [
        <circle key="r" cx="8" cy="8" r="6.2" fill="none" stroke="currentColor" stroke-width="1.6" />,
        <path key="h" d="M8 1.8a6.2 6.2 0 0 1 0 12.4z" fill="currentColor" />,
      ]);
    default:
      return svg(p, <circle cx="8" cy="8" r="6.2" fill="none" stroke="currentColor" stroke-width="1.6" stroke-dasharray="2.4 1.6" />);
  }
}

export function SignedIcon(p: P) {
  return svg(p, [
    <path key="p" d="M2 12.5c2-.2 3-2.8 4.4-2.8 1.1 0 .6 2 1.7 2 1.2 0 1.8-1.6 2.8-1.6.7 0 .9.8 1.6.8" fill="none" stroke="currentColor" stroke-width="1.5" stroke-linecap="round" />,
    <path key="t" d="M8.5 5.2l1.8 1.8 3.6-4" fill="none" stroke="currentColor" stroke-width="1.7" stroke-linecap="round" stroke-linejoin="round" />,
  ]);
}

/** Awaiting a signature: the signature line, empty. */
export function UnsignedIcon(p: P) {
  return svg(p, [
    <path key="p" d="M2 12.5c2-.2 3-2.8 4.4-2.8 1.1 0 .6 2 1.7 2 1.2 0 1.8-1.6 2.8-1.6.7 0 .9.8 1.6.8" fill="none" stroke="currentColor" stroke-width="1.5" stroke-linecap="round" stroke-dasharray="2 1.6" />,
    <path key="l" d="M1.5 14.6h13" stroke="currentColor" stroke-width="1.2" />,
  ]);
}

export function BrokenIcon(p: P) {
  return svg(p, [
    <path key="a" d="M8 1.5l6.8 12H1.2z" fill="currentColor" />,
    <path key="b" d="M8 5.8v3.8" stroke="#fff" stroke-width="1.7" stroke-linecap="round" />,
    <circle key="c" cx="8" cy="11.5" r="1" fill="#fff" />,
  ]);
}

export function LockIcon(p: P) {
  return svg(p, [
    <rect key="b" x="3" y="7" width="10" height="7.5" rx="1.3" fill="currentColor" />,
    <path key="s" d="M5.2 7V5.2a2.8 2.8 0 0 1 5.6 0V7" fill="none" stroke="currentColor" stroke-width="1.7" />,
  ]);
}

export function VerifiedIcon(p: P) {
  return svg(p, [
    <path key="s" d="M8 1.2l5.6 2.2v4.1c0 3.4-2.4 6-5.6 7.3-3.2-1.3-5.6-3.9-5.6-7.3V3.4z" fill="currentColor" />,
    <path key="t" d="M5.2 8.2l2 2 3.8-4" fill="none" stroke="#fff" stroke-width="1.7" stroke-linecap="round" stroke-linejoin="round" />,
  ]);
}

export function QueryIcon(p: P) {
  return svg(p, [
    <path key="b" d="M2 3.2A1.7 1.7 0 0 1 3.7 1.5h8.6A1.7 1.7 0 0 1 14 3.2v6.1A1.7 1.7 0 0 1 12.3 11H7l-3.3 3v-3h0A1.7 1.7 0 0 1 2 9.3z" fill="currentColor" />,
    <path key="q" d="M6.4 4.9a1.7 1.7 0 1 1 2.4 1.5c-.5.3-.8.6-.8 1.2" fill="none" stroke="#fff" stroke-width="1.4" stroke-linecap="round" />,
    <circle key="d" cx="8" cy="9.2" r=".85" fill="#fff" />,
  ]);
}

export function HistoryIcon(p: P) {
  return svg(p, [
    <path key="a" d="M2.6 8a5.4 5.4 0 1 0 1.6-3.8" fill="none" stroke="currentColor" stroke-width="1.5" stroke-linecap="round" />,
    <path key="h" d="M1.8 2.4v2.9h2.9" fill="none" stroke="currentColor" stroke-width="1.5" stroke-linecap="round" stroke-linejoin="round" />,
    <path key="c" d="M8 5v3.3l2.2 1.4" fill="none" stroke="currentColor" stroke-width="1.5" stroke-linecap="round" stroke-linejoin="round" />,
  ]);
}

export function DraftIcon(p: P) {
  return svg(p, [
    <path key="p" d="M10.8 2.2l3 3-7.6 7.6-3.6.6.6-3.6z" fill="currentColor" />,
    <path key="l" d="M2 14.6h12" stroke="currentColor" stroke-width="1.3" />,
  ]);
}
