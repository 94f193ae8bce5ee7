// Reading time on a post page, kept pure so it is unit-tested. The page sends
// the time through `markPostRead`, which adds it to the reader's total for the
// post; the total earns the post's XP once it reaches `Post.secondsForXp`. So a
// post finished quickly (scrolled to its end first, read after) keeps sending
// its time until the total gets there, and sends nothing after that.

/** The least time worth a request of its own when the reader leaves or hides the page. */
export const MIN_FLUSH_SECONDS = 5;

/** Scheduled sends wait this much longer than needed, so whole seconds never fall short. */
const MARGIN_MS = 250;

/**
 * Time read on a page and not sent yet: it runs while the page is in sight
 * and stops while it is hidden (another tab, a locked screen).
 */
export class ReadingTime {
  /** When the page last came into sight (or time was last taken); null while it is hidden. */
  private since: number | null;
  /** Milliseconds read before that, not sent yet. */
  private banked = 0;

  constructor(now: number, visible = true) {
    this.since = visible ? now : null;
  }

  /** The page went out of sight: the time so far is kept, and the clock stops. */
  pause(now: number): void {
    if (this.since === null) return;
    this.banked += Math.max(0, now - this.since);
    this.since = null;
  }

  /** The page is in sight again. */
  resume(now: number): void {
    if (this.since === null) this.since = now;
  }

  /** Milliseconds read and not sent yet. */
  unsentMs(now: number): number {
    return this.banked + (this.since === null ? 0 : Math.max(0, now - this.since));
  }

  /** The whole seconds to send now; the fraction of a second left over waits for the next send. */
  take(now: number): number {
    const ms = this.unsentMs(now);
    const seconds = Math.floor(ms / 1000);
    this.banked = ms - seconds * 1000;
    if (this.since !== null) this.since = now;
    return seconds;
  }
}

interface Progress {
  secondsSpent: number;
  completedAt?: string | null;
}

/**
 * Whether time on a post still has to be sent beyond the read that finishes
 * it: the post is finished, but its total is short of what earns its XP.
 * (An unfinished post sends its time when it is finished.)
 */
export function shortOfXp(progress: Progress | null | undefined, secondsForXp: number): boolean {
  return Boolean(progress?.completedAt) && progress!.secondsSpent < secondsForXp;
}

/**
 * How long to wait before sending, so that the send carries the total to
 * `secondsForXp`: the seconds still missing, less the time read and not yet sent.
 */
export function msUntilXp(secondsSpent: number, secondsForXp: number, unsentMs: number): number {
  return Math.max(0, (secondsForXp - secondsSpent) * 1000 - unsentMs) + MARGIN_MS;
}
