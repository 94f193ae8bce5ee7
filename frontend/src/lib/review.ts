// The review session's rules, kept pure so they are unit-tested: which key
// grades how, where the session stands ("3 of 12"), and how far away a due
// time is, in words.

import type { ReviewGrade } from '../gql/graphql';

/** The grades in button order, with their key and what they mean. */
export const GRADES: readonly { grade: ReviewGrade; key: string; label: string; hint: string }[] = [
  { grade: 'AGAIN', key: '1', label: 'Again', hint: 'Forgot it' },
  { grade: 'HARD', key: '2', label: 'Hard', hint: 'Recalled with difficulty' },
  { grade: 'GOOD', key: '3', label: 'Good', hint: 'Recalled after a moment' },
  { grade: 'EASY', key: '4', label: 'Easy', hint: 'Recalled at once' },
];

/** What a key press asks of the review page. */
export type KeyAction = { kind: 'reveal' } | { kind: 'grade'; grade: ReviewGrade } | null;

export interface KeyInput {
  key: string;
  /** `KeyboardEvent.code`, so the number pad's digits count too. */
  code?: string;
  ctrlKey?: boolean;
  metaKey?: boolean;
  altKey?: boolean;
  /** Whether the key went to a text field, a button or a link (which handle it themselves). */
  target?: 'text' | 'control' | 'other';
}

/**
 * Space or Enter reveals the answer while it is hidden; 1–4 grade once it
 * shows. Keys with Ctrl, ⌘ or Alt, and keys typed into a text field, are
 * left alone; Space and Enter on a button or link are its own click.
 */
export function keyAction(event: KeyInput, revealed: boolean): KeyAction {
  if (event.ctrlKey || event.metaKey || event.altKey || event.target === 'text') return null;
  if (!revealed) {
    if ((event.key === ' ' || event.key === 'Enter') && event.target !== 'control') return { kind: 'reveal' };
    return null;
  }
  const digit = /^Numpad([1-4])$/.exec(event.code ?? '')?.[1] ?? event.key;
  const match = GRADES.find((g) => g.key === digit);
  return match ? { kind: 'grade', grade: match.grade } : null;
}

/** Where a review session stands: cards graded, and how many there are in all. */
export interface SessionProgress {
  done: number;
  total: number;
}

/**
 * The session's count after loading the queue: the cards graded so far, plus
 * what is still due (the queue's `totalCount` after those gradings, which
 * may include a card graded AGAIN coming back). Never below what is done.
 */
export function progressWith(done: number, stillDue: number): SessionProgress {
  return { done, total: done + Math.max(0, stillDue) };
}

/** "Card 3 of 12" while cards remain; the percentage for the bar. */
export function progressLabel({ done, total }: SessionProgress): string {
  if (total === 0) return 'Nothing due';
  if (done >= total) return `${total} of ${total} reviewed`;
  return `Card ${done + 1} of ${total}`;
}

export function progressPercent({ done, total }: SessionProgress): number {
  return total === 0 ? 100 : Math.min(100, Math.round((done / total) * 100));
}

const UNITS: [Intl.RelativeTimeFormatUnit, number][] = [
  ['year', 365 * 24 * 3600],
  ['month', 30 * 24 * 3600],
  ['week', 7 * 24 * 3600],
  ['day', 24 * 3600],
  ['hour', 3600],
  ['minute', 60],
];

/**
 * "in 10 minutes", "tomorrow", "in 3 days"; "now" for a due time already
 * reached, and "in 1 minute" for anything under a minute away (a card graded
 * Again comes back a minute later).
 */
export function dueIn(due: Date | string, now: Date, locale?: string): string {
  const at = typeof due === 'string' ? new Date(due) : due;
  const seconds = (at.getTime() - now.getTime()) / 1000;
  if (seconds <= 0) return 'now';
  const format = new Intl.RelativeTimeFormat(locale ?? 'en', { numeric: 'auto' });
  if (seconds < 60) return format.format(1, 'minute');
  for (const [unit, size] of UNITS) {
    if (seconds >= size) return format.format(Math.round(seconds / size), unit);
  }
  return format.format(1, 'minute');
}

/** The card states, as readers read them. */
export const STATE_LABEL: Record<'NEW' | 'LEARNING' | 'REVIEW' | 'RELEARNING', string> = {
  NEW: 'New',
  LEARNING: 'Learning',
  REVIEW: 'Remembered',
  RELEARNING: 'Relearning',
};

/** An author's review prompts as typed, one a line: each trimmed, blank lines left out. */
export function promptLines(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter(Boolean);
}
