// The learning dashboard's data, shaped for its charts and for their text
// alternatives, kept pure so it is unit-tested: the calendar heat map's
// cells and levels, the window a phone shows, day and week labels, minutes
// as words, review days, and one-sentence summaries.

/** One day of `learningStats.days`. */
export interface DayActivity {
  day: string;
  minutes: number;
  active: boolean;
  frozen: boolean;
}

/** How the heat map colours a day: 0 nothing, 1 active without reading time (or a freeze), 2–4 by minutes. */
export type Level = 0 | 1 | 2 | 3 | 4;

/** The minutes at which a day reaches levels 2, 3 and 4. */
export const LEVEL_MINUTES = [1, 15, 45] as const;

export const LEVEL_LABEL: Record<Level, string> = {
  0: 'No activity',
  1: 'Active, under a minute read',
  2: '1–14 minutes',
  3: '15–44 minutes',
  4: '45 minutes or more',
};

export function levelOf(day: Pick<DayActivity, 'minutes' | 'active' | 'frozen'>): Level {
  if (day.minutes >= LEVEL_MINUTES[2]) return 4;
  if (day.minutes >= LEVEL_MINUTES[1]) return 3;
  if (day.minutes >= LEVEL_MINUTES[0]) return 2;
  return day.active || day.frozen ? 1 : 0;
}

/** A heat map cell as ECharts' calendar takes it: [date, level], with what the tooltip says. */
export interface HeatCell {
  value: [string, Level];
  minutes: number;
  active: boolean;
  frozen: boolean;
}

export interface HeatMap {
  /** The calendar's first and last day (inclusive). */
  range: [string, string];
  cells: HeatCell[];
}

/**
 * The last `weeks` weeks of `days` (all of them when `weeks` is left out),
 * starting on a Monday so the calendar's first column is whole; days must be
 * consecutive, oldest first, as the API sends them.
 */
export function heatMap(days: readonly DayActivity[], weeks?: number): HeatMap {
  let shown = days;
  if (weeks !== undefined && days.length > 0) {
    const last = days[days.length - 1]!;
    // Back to the Monday `weeks - 1` weeks before the last day's week.
    const lastWeekday = (parseDay(last.day).getUTCDay() + 6) % 7;
    const count = (weeks - 1) * 7 + lastWeekday + 1;
    shown = days.slice(Math.max(0, days.length - count));
  }
  if (shown.length === 0) return { range: ['', ''], cells: [] };
  return {
    range: [shown[0]!.day, shown[shown.length - 1]!.day],
    cells: shown.map((d) => ({ value: [d.day, levelOf(d)], minutes: d.minutes, active: d.active, frozen: d.frozen })),
  };
}

/** A `NaiveDate` ("2026-03-05") as midnight UTC, so formatting it never shifts the day. */
export function parseDay(day: string): Date {
  return new Date(`${day}T00:00:00Z`);
}

/** "5 Mar" (short) or "Thursday, 5 March 2026" (long), in the reader's locale, for a date without a zone. */
export function dayLabel(day: string, style: 'short' | 'long' = 'short', locale?: string): string {
  const options: Intl.DateTimeFormatOptions =
    style === 'short' ? { day: 'numeric', month: 'short', timeZone: 'UTC' } : { weekday: 'long', day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' };
  return new Intl.DateTimeFormat(locale, options).format(parseDay(day));
}

/** "45 min", "2 h", "2 h 5 min". */
export function minutesText(minutes: number): string {
  const m = Math.max(0, Math.floor(minutes));
  if (m < 60) return `${m} min`;
  const rest = m % 60;
  return rest === 0 ? `${Math.floor(m / 60)} h` : `${Math.floor(m / 60)} h ${rest} min`;
}

/** One sentence for a screen reader about the heat map's days. */
export function activitySummary(days: readonly DayActivity[]): string {
  if (days.length === 0) return 'No days to show.';
  const active = days.filter((d) => d.active).length;
  const frozen = days.filter((d) => d.frozen).length;
  const minutes = days.reduce((sum, d) => sum + d.minutes, 0);
  const best = days.reduce((top, d) => (d.minutes > top.minutes ? d : top), days[0]!);
  const parts = [
    `${days.length} days from ${dayLabel(days[0]!.day, 'long')} to ${dayLabel(days[days.length - 1]!.day, 'long')}`,
    `${active} active day${active === 1 ? '' : 's'}`,
  ];
  if (frozen > 0) parts.push(`${frozen} covered by a streak freeze`);
  parts.push(`${minutesText(minutes)} read`);
  const sentence = parts.join(', ');
  return best.minutes > 0 ? `${sentence}; the most on ${dayLabel(best.day, 'long')} (${minutesText(best.minutes)}).` : `${sentence}.`;
}

/** A bar chart's labels and values, and the sentence that says the same. */
export interface Bars {
  labels: string[];
  values: number[];
  summary: string;
}

/** Minutes per day (or per week, from its Monday): labels, values and a summary naming the busiest. */
export function minuteBars(points: readonly { date: string; minutes: number }[], what: 'day' | 'week'): Bars {
  const labels = points.map((p) => (what === 'week' ? `Week of ${dayLabel(p.date)}` : dayLabel(p.date)));
  const values = points.map((p) => p.minutes);
  const total = values.reduce((a, b) => a + b, 0);
  if (points.length === 0) return { labels, values, summary: 'Nothing to show yet.' };
  const best = points.reduce((top, p) => (p.minutes > top.minutes ? p : top), points[0]!);
  const span = what === 'week' ? `the last ${points.length} weeks` : `the last ${points.length} days`;
  const summary =
    total === 0
      ? `No reading recorded over ${span}.`
      : `${minutesText(total)} read over ${span}; the most ${what === 'week' ? 'in the week of' : 'on'} ${dayLabel(best.date, 'long')} (${minutesText(best.minutes)}).`;
  return { labels, values, summary };
}

/** `reviewStats.days` as stacked bars: reviews recalled and reviews graded AGAIN, per day. */
export function reviewBars(days: readonly { date: string; reviews: number; again: number }[]): {
  labels: string[];
  recalled: number[];
  again: number[];
  summary: string;
} {
  const reviews = days.reduce((sum, d) => sum + d.reviews, 0);
  const again = days.reduce((sum, d) => sum + d.again, 0);
  const active = days.filter((d) => d.reviews > 0).length;
  return {
    labels: days.map((d) => dayLabel(d.date)),
    recalled: days.map((d) => Math.max(0, d.reviews - d.again)),
    again: days.map((d) => d.again),
    summary:
      reviews === 0
        ? `No reviews over the last ${days.length} days.`
        : `${reviews} review${reviews === 1 ? '' : 's'} on ${active} of the last ${days.length} days; ${again} graded Again.`,
  };
}

/** "87 %" of reviews recalled, or a dash without any. */
export function retentionText(retention: number | null | undefined): string {
  return retention == null ? '—' : `${Math.round(retention * 100)} %`;
}
