// Drafts: what has been typed into a form but not saved is kept in the node's database (per
// user and form, `draft_save`) shortly after every change, so that a crash, a kill or a power
// cut loses at most the last fraction of a second. Saving the form removes the draft (the
// services do it in the save's transaction); opening a form with a draft restores it.

import type { ValueEntry } from "./bindings/ValueEntry";

/** At most this long passes between a change and the draft that holds it being sent. */
export const DRAFT_DELAY_MS = 300;

/**
 * Sends drafts: `changed()` after every change schedules one send at most DRAFT_DELAY_MS later
 * (further changes in between ride along: the timer is not restarted, so continuous typing is
 * still kept every DRAFT_DELAY_MS); sends never overlap, and the last one always carries the
 * latest input. `entries()` is read when the send starts; an empty list removes the draft.
 */
export class DraftKeeper {
  private timer: ReturnType<typeof setTimeout> | undefined;
  private running: Promise<void> | null = null;
  private again = false;
  private stopped = false;

  constructor(
    private readonly send: (entries: ValueEntry[]) => Promise<unknown>,
    private readonly entries: () => ValueEntry[] | null,
    private readonly hooks: { onSaved?: (n: number) => void; onError?: (e: unknown) => void } = {},
    private readonly delay = DRAFT_DELAY_MS,
  ) {}

  /** The input changed: keep it within `delay`. */
  changed(): void {
    if (this.stopped || this.timer !== undefined) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.run();
    }, this.delay);
  }

  /** Whether a send is scheduled or under way. */
  pending(): boolean {
    return this.timer !== undefined || this.running !== null;
  }

  /** Sends now what is scheduled (and waits for any send under way). */
  async flush(): Promise<void> {
    if (this.timer !== undefined) {
      clearTimeout(this.timer);
      this.timer = undefined;
      await this.run();
    } else if (this.running) {
      await this.running;
    }
  }

  /** Drops what is scheduled (the form was just saved: the services removed the draft). */
  cancel(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.again = false;
  }

  /** No more sends (the screen is closing); what is scheduled is sent first. */
  stop(): void {
    if (this.timer !== undefined) {
      clearTimeout(this.timer);
      this.timer = undefined;
      void this.run();
    }
    this.stopped = true;
  }

  private run(): Promise<void> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    const list = this.entries();
    if (list === null) return Promise.resolve();
    const p = (async () => {
      try {
        await this.send(list);
        this.hooks.onSaved?.(list.length);
      } catch (e) {
        this.hooks.onError?.(e);
      }
    })();
    this.running = p;
    return p.finally(() => {
      this.running = null;
      if (this.again && !this.stopped) {
        this.again = false;
        void this.run();
      }
    });
  }
}

const pad2 = (n: number) => String(n).padStart(2, "0");

/**
 * When a draft was kept, as a person reads it on this computer: "10:32" today, else
 * "2026-03-04 10:32". A stamp that is not a date-time comes back as it is.
 */
export function draftTime(savedAt: string, now: Date = new Date()): string {
  const d = new Date(savedAt);
  if (Number.isNaN(d.getTime())) return savedAt;
  const hm = `${pad2(d.getHours())}:${pad2(d.getMinutes())}`;
  const sameDay = d.getFullYear() === now.getFullYear() && d.getMonth() === now.getMonth() && d.getDate() === now.getDate();
  return sameDay ? hm : `${d.getFullYear()}-${pad2(d.getMonth() + 1)}-${pad2(d.getDate())} ${hm}`;
}
