import { describe, expect, it } from 'vitest';

import { activitySummary, dayLabel, heatMap, levelOf, minuteBars, minutesText, retentionText, reviewBars, type DayActivity } from './learning';

/** `count` consecutive days ending on `last`, with minutes from `minutes(i)`. */
function days(last: string, count: number, minutes: (i: number) => number = () => 0): DayActivity[] {
  const end = new Date(`${last}T00:00:00Z`).getTime();
  return Array.from({ length: count }, (_, i) => {
    const day = new Date(end - (count - 1 - i) * 86_400_000).toISOString().slice(0, 10);
    const m = minutes(i);
    return { day, minutes: m, active: m > 0, frozen: false };
  });
}

describe('heat map levels', () => {
  it('colours by minutes, and marks active or frozen days without reading', () => {
    expect(levelOf({ minutes: 0, active: false, frozen: false })).toBe(0);
    expect(levelOf({ minutes: 0, active: true, frozen: false })).toBe(1);
    expect(levelOf({ minutes: 0, active: false, frozen: true })).toBe(1);
    expect(levelOf({ minutes: 1, active: false, frozen: false })).toBe(2);
    expect(levelOf({ minutes: 14, active: true, frozen: false })).toBe(2);
    expect(levelOf({ minutes: 15, active: true, frozen: false })).toBe(3);
    expect(levelOf({ minutes: 45, active: true, frozen: false })).toBe(4);
    expect(levelOf({ minutes: 600, active: true, frozen: false })).toBe(4);
  });
});

describe('heat map cells', () => {
  it('keeps every day, oldest first, as [date, level] with the minutes beside', () => {
    const all = days('2026-03-05', 30, (i) => (i === 29 ? 20 : i === 3 ? 50 : 0));
    const map = heatMap(all);
    expect(map.range).toEqual(['2026-02-04', '2026-03-05']);
    expect(map.cells).toHaveLength(30);
    expect(map.cells[29]).toEqual({ value: ['2026-03-05', 3], minutes: 20, active: true, frozen: false });
    expect(map.cells[3]!.value).toEqual(['2026-02-07', 4]);
    expect(map.cells[0]!.value).toEqual(['2026-02-04', 0]);
  });

  it('shows a phone the last weeks only, from a Monday', () => {
    // 5 March 2026 is a Thursday: 3 weeks back to Monday 16 February, 18 days.
    const map = heatMap(days('2026-03-05', 365), 3);
    expect(map.range).toEqual(['2026-02-16', '2026-03-05']);
    expect(map.cells).toHaveLength(18);
    expect(new Date(`${map.range[0]}T00:00:00Z`).getUTCDay()).toBe(1);
    // Fewer days than the window: all of them.
    expect(heatMap(days('2026-03-05', 5), 3).cells).toHaveLength(5);
    expect(heatMap([], 3)).toEqual({ range: ['', ''], cells: [] });
  });
});

describe('labels and summaries', () => {
  it('formats dates without shifting them by the time zone, and minutes as hours', () => {
    expect(dayLabel('2026-03-01', 'short', 'en-GB')).toBe('1 Mar');
    expect(dayLabel('2026-03-01', 'long', 'en-GB')).toMatch(/^Sunday,? 1 March 2026$/);
    expect(minutesText(0)).toBe('0 min');
    expect(minutesText(45)).toBe('45 min');
    expect(minutesText(120)).toBe('2 h');
    expect(minutesText(125)).toBe('2 h 5 min');
  });

  it('sums the heat map in one sentence, naming the busiest day', () => {
    const some = days('2026-03-05', 3, (i) => [0, 30, 5][i]!);
    some[0]!.frozen = true;
    const text = activitySummary(some);
    expect(text).toContain('3 days from');
    expect(text).toContain('2 active days');
    expect(text).toContain('1 covered by a streak freeze');
    expect(text).toContain('35 min read');
    expect(text).toMatch(/the most on .*4.* \(30 min\)\.$/);
    expect(activitySummary(days('2026-03-05', 2))).toMatch(/0 active days, 0 min read\.$/);
    expect(activitySummary([])).toBe('No days to show.');
  });

  it('labels minute bars per day and per week', () => {
    const perDay = minuteBars(
      [
        { date: '2026-03-04', minutes: 0 },
        { date: '2026-03-05', minutes: 12 },
      ],
      'day',
    );
    expect(perDay.values).toEqual([0, 12]);
    expect(perDay.labels).toHaveLength(2);
    expect(perDay.summary).toMatch(/^12 min read over the last 2 days; the most on .*\(12 min\)\.$/);
    const perWeek = minuteBars([{ date: '2026-03-02', minutes: 0 }], 'week');
    expect(perWeek.labels[0]).toMatch(/^Week of /);
    expect(perWeek.summary).toBe('No reading recorded over the last 1 weeks.');
    expect(minuteBars([], 'day').summary).toBe('Nothing to show yet.');
  });

  it('splits review days into recalled and forgotten', () => {
    const bars = reviewBars([
      { date: '2026-03-04', reviews: 0, again: 0 },
      { date: '2026-03-05', reviews: 4, again: 1 },
    ]);
    expect(bars.recalled).toEqual([0, 3]);
    expect(bars.again).toEqual([0, 1]);
    expect(bars.summary).toBe('4 reviews on 1 of the last 2 days; 1 graded Again.');
    expect(reviewBars([{ date: '2026-03-05', reviews: 0, again: 0 }]).summary).toBe('No reviews over the last 1 days.');
    expect(retentionText(0.866)).toBe('87 %');
    expect(retentionText(null)).toBe('—');
  });
});
