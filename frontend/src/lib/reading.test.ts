import { describe, expect, it } from 'vitest';

import { ReadingTime, msUntilXp, shortOfXp } from './reading';

describe('reading time', () => {
  it('runs while the page is in sight and stops while it is hidden', () => {
    const time = new ReadingTime(1_000);
    expect(time.unsentMs(4_000)).toBe(3_000);
    time.pause(4_000);
    expect(time.unsentMs(60_000)).toBe(3_000);
    time.resume(60_000);
    expect(time.unsentMs(62_500)).toBe(5_500);
    // Pausing or resuming twice changes nothing.
    time.resume(61_000);
    time.pause(62_500);
    time.pause(70_000);
    expect(time.unsentMs(80_000)).toBe(5_500);
  });

  it('starts stopped on a hidden page', () => {
    const time = new ReadingTime(0, false);
    expect(time.unsentMs(10_000)).toBe(0);
    time.resume(10_000);
    expect(time.unsentMs(12_000)).toBe(2_000);
  });

  it('hands over whole seconds and keeps the fraction for the next send', () => {
    const time = new ReadingTime(0);
    expect(time.take(2_700)).toBe(2);
    expect(time.unsentMs(2_700)).toBe(700);
    expect(time.take(3_000)).toBe(1);
    expect(time.take(3_500)).toBe(0);
    expect(time.unsentMs(3_500)).toBe(500);
    // Time taken while hidden stays stopped.
    time.pause(4_200);
    expect(time.take(9_000)).toBe(1);
    expect(time.unsentMs(20_000)).toBe(200);
  });
});

describe('reading until the XP is earned', () => {
  it('keeps sending for a finished post whose total is short of the XP, and only then', () => {
    const finished = '2026-12-07T10:00:00Z';
    expect(shortOfXp({ secondsSpent: 2, completedAt: finished }, 30)).toBe(true);
    expect(shortOfXp({ secondsSpent: 29, completedAt: finished }, 30)).toBe(true);
    expect(shortOfXp({ secondsSpent: 30, completedAt: finished }, 30)).toBe(false);
    expect(shortOfXp({ secondsSpent: 500, completedAt: finished }, 30)).toBe(false);
    // Not finished yet, or never opened: its time goes with the read that finishes it.
    expect(shortOfXp({ secondsSpent: 2, completedAt: null }, 30)).toBe(false);
    expect(shortOfXp(null, 30)).toBe(false);
    expect(shortOfXp(undefined, 30)).toBe(false);
  });

  it('waits just long enough for the next send to reach the XP', () => {
    // 2 s recorded, 30 needed, 1.5 s read since: 26.5 s more (and a margin).
    const wait = msUntilXp(2, 30, 1_500);
    expect(wait).toBeGreaterThanOrEqual(26_500);
    expect(wait).toBeLessThan(27_500);
    // The send it schedules carries the missing seconds, in whole seconds.
    const time = new ReadingTime(500);
    expect(time.unsentMs(2_000)).toBe(1_500);
    expect(time.take(2_000 + wait)).toBeGreaterThanOrEqual(28);
    // Already enough unsent: at once.
    expect(msUntilXp(2, 30, 40_000)).toBeLessThan(1_000);
  });
});
