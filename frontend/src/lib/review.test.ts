import { describe, expect, it } from 'vitest';

import { GRADES, dueIn, keyAction, progressLabel, progressPercent, progressWith, promptLines } from './review';

describe('review keys', () => {
  it('reveals with Space or Enter while hidden, and grades 1–4 only once revealed', () => {
    expect(keyAction({ key: ' ' }, false)).toEqual({ kind: 'reveal' });
    expect(keyAction({ key: 'Enter' }, false)).toEqual({ kind: 'reveal' });
    expect(keyAction({ key: '3' }, false)).toBeNull();
    expect(keyAction({ key: '1' }, true)).toEqual({ kind: 'grade', grade: 'AGAIN' });
    expect(keyAction({ key: '2' }, true)).toEqual({ kind: 'grade', grade: 'HARD' });
    expect(keyAction({ key: '3' }, true)).toEqual({ kind: 'grade', grade: 'GOOD' });
    expect(keyAction({ key: '4' }, true)).toEqual({ kind: 'grade', grade: 'EASY' });
    expect(keyAction({ key: '5' }, true)).toBeNull();
    expect(keyAction({ key: ' ' }, true)).toBeNull();
  });

  it('takes the number pad, and leaves modified keys, text fields and buttons alone', () => {
    expect(keyAction({ key: 'End', code: 'Numpad1' }, true)).toEqual({ kind: 'grade', grade: 'AGAIN' });
    expect(keyAction({ key: '4', code: 'Numpad4' }, true)).toEqual({ kind: 'grade', grade: 'EASY' });
    expect(keyAction({ key: '1', ctrlKey: true }, true)).toBeNull();
    expect(keyAction({ key: '1', metaKey: true }, true)).toBeNull();
    expect(keyAction({ key: 'Enter', altKey: true }, false)).toBeNull();
    expect(keyAction({ key: '2', target: 'text' }, true)).toBeNull();
    expect(keyAction({ key: ' ', target: 'text' }, false)).toBeNull();
    // A focused button's Enter or Space is its own click; digits still grade.
    expect(keyAction({ key: 'Enter', target: 'control' }, false)).toBeNull();
    expect(keyAction({ key: '3', target: 'control' }, true)).toEqual({ kind: 'grade', grade: 'GOOD' });
  });

  it('lists the grades in the API order with keys 1 to 4', () => {
    expect(GRADES.map((g) => `${g.key}:${g.grade}`)).toEqual(['1:AGAIN', '2:HARD', '3:GOOD', '4:EASY']);
  });
});

describe('session progress', () => {
  it('counts the cards done and still due', () => {
    const start = progressWith(0, 12);
    expect(progressLabel(start)).toBe('Card 1 of 12');
    expect(progressPercent(start)).toBe(0);
    const third = progressWith(2, 10);
    expect(progressLabel(third)).toBe('Card 3 of 12');
    expect(progressPercent(third)).toBe(17);
    const done = progressWith(12, 0);
    expect(progressLabel(done)).toBe('12 of 12 reviewed');
    expect(progressPercent(done)).toBe(100);
  });

  it('grows when a card comes back, and never counts below what is done', () => {
    // Four graded, one of them AGAIN and due again: five in all, the fifth next.
    expect(progressLabel(progressWith(4, 1))).toBe('Card 5 of 5');
    expect(progressWith(3, -2)).toEqual({ done: 3, total: 3 });
    expect(progressLabel(progressWith(0, 0))).toBe('Nothing due');
    expect(progressPercent(progressWith(0, 0))).toBe(100);
  });
});

describe('due times in words', () => {
  const now = new Date('2026-03-05T12:00:00Z');
  const later = (seconds: number) => new Date(now.getTime() + seconds * 1000);

  it('says how far away the next review is', () => {
    expect(dueIn(later(-3600), now)).toBe('now');
    expect(dueIn(now, now)).toBe('now');
    // A card graded Again, a moment after: it is back in a minute, not "now".
    expect(dueIn(later(59.5), now)).toBe('in 1 minute');
    expect(dueIn(later(5), now)).toBe('in 1 minute');
    expect(dueIn(later(60), now)).toBe('in 1 minute');
    expect(dueIn(later(10 * 60), now)).toBe('in 10 minutes');
    expect(dueIn(later(3 * 3600), now)).toBe('in 3 hours');
    expect(dueIn(later(24 * 3600), now)).toBe('tomorrow');
    expect(dueIn(later(3 * 24 * 3600), now)).toBe('in 3 days');
    expect(dueIn(later(15 * 24 * 3600), now)).toBe('in 2 weeks');
    expect(dueIn(later(400 * 24 * 3600), now)).toBe('next year');
    expect(dueIn('2026-03-05T12:20:00Z', now)).toBe('in 20 minutes');
  });
});

describe('review prompts as typed', () => {
  it('takes one prompt a line, trimmed, without blank lines', () => {
    expect(promptLines('  What moves?  \r\n\n\tWhen may two borrows coexist?\n   \n')).toEqual(['What moves?', 'When may two borrows coexist?']);
    expect(promptLines('')).toEqual([]);
    expect(promptLines('\n \n')).toEqual([]);
  });
});
