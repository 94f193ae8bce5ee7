// The learning dashboard (`/learning`), its own chunk: it is the only page
// that loads the charting library.

import { useCallback, useMemo, useState } from 'react';
import { Link } from 'react-router';
import { useQuery } from 'urql';

import { CertificateList } from '../components/Certificates';
import { Chart, ChartFigure, baseOption, useChartColors, type ChartColors, type ChartOption } from '../components/charts';
import { LearningNav } from '../components/LearningNav';
import { ErrorNote, LoadMore, Loading, When, usePageTitle } from '../components/ui';
import { graphql } from '../gql';
import type { LearningDashboardQuery } from '../gql/graphql';
import { errorMessage } from '../lib/errors';
import { LEVEL_LABEL, activitySummary, dayLabel, heatMap, minuteBars, minutesText, retentionText, reviewBars, type HeatCell, type Level } from '../lib/learning';
import { STATE_LABEL, dueIn } from '../lib/review';

/** A year of days for the heat map (the API allows up to 366). */
const HEAT_MAP_DAYS = 365;
/** The weeks a narrow screen shows of the heat map. */
const PHONE_WEEKS = 17;

const Dashboard = graphql(`
  query LearningDashboard($days: Int!) {
    learningStats(days: $days) {
      timeZone
      postsFinished
      seriesFinished
      totalMinutes
      currentStreak
      longestStreak
      days {
        day
        minutes
        active
        frozen
      }
      weeks {
        weekStart
        minutes
      }
      topics {
        tag {
          id
          slug
          name
        }
        minutes
      }
    }
    reviewStats {
      reviewCount
      matureReviewCount
      retention
      dueNow
      dueToday
      nextDue
      days {
        date
        reviews
        again
      }
      cardsByState {
        new
        learning
        review
        relearning
        total
      }
    }
  }
`);

const History = graphql(`
  query ReadingHistory($first: Int!, $after: String) {
    readingHistory(first: $first, after: $after) {
      totalCount
      edges {
        node {
          secondsSpent
          completedAt
          lastReadAt
          post {
            id
            slug
            title
            readingMinutes
          }
        }
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
`);

type Stats = LearningDashboardQuery['learningStats'];
type Reviews = LearningDashboardQuery['reviewStats'];

/**
 * `/learning`: totals, the calendar heat map of the year, minutes per day and
 * week, topics by time, the review statistics, the viewer's certificates and
 * their reading history.
 */
export function LearningPage() {
  usePageTitle('Your learning');
  const [{ data, fetching, error }, refetch] = useQuery({ query: Dashboard, variables: { days: HEAT_MAP_DAYS } });
  const colors = useChartColors();
  const stats = data?.learningStats;
  const reviews = data?.reviewStats;
  return (
    <div className="learning-page">
      <LearningNav />
      <h1>Your learning</h1>
      {!data && fetching && <Loading />}
      <ErrorNote message={errorMessage(error)} onRetry={() => refetch({ requestPolicy: 'network-only' })} />
      {stats && reviews && (
        <>
          <dl className="figures learning-figures" data-testid="learning-figures">
            <div>
              <dt>Posts finished</dt>
              <dd data-testid="posts-finished">{stats.postsFinished}</dd>
            </div>
            <div>
              <dt>Series finished</dt>
              <dd data-testid="series-finished">{stats.seriesFinished}</dd>
            </div>
            <div>
              <dt>Time read</dt>
              <dd data-testid="total-minutes">{minutesText(stats.totalMinutes)}</dd>
            </div>
            <div>
              <dt>Current streak</dt>
              <dd>
                {stats.currentStreak} day{stats.currentStreak === 1 ? '' : 's'}
                <span className="figure-note">longest {stats.longestStreak}</span>
              </dd>
            </div>
            <div>
              <dt>Cards due</dt>
              <dd>
                <Link to="/review">{reviews.dueNow}</Link>
                <span className="figure-note">{reviews.dueToday} by tonight</span>
              </dd>
            </div>
            <div>
              <dt>Retention</dt>
              <dd>
                {retentionText(reviews.retention)}
                <span className="figure-note">
                  {reviews.matureReviewCount} review{reviews.matureReviewCount === 1 ? '' : 's'}
                </span>
              </dd>
            </div>
          </dl>
          <ActivitySection stats={stats} colors={colors} />
          <ReadingTimeSection stats={stats} colors={colors} />
          <ReviewSection reviews={reviews} colors={colors} />
        </>
      )}
      <section className="learning-section" id="certificates" aria-labelledby="certificates-title">
        <h2 id="certificates-title">Certificates</h2>
        <CertificateList />
      </section>
      <section className="learning-section" aria-labelledby="history-title">
        <h2 id="history-title">Reading history</h2>
        <ReadingHistory />
      </section>
    </div>
  );
}

function ActivitySection({ stats, colors }: { stats: Stats; colors: ChartColors }) {
  const option = useCallback(
    (width: number): ChartOption => {
      const map = heatMap(stats.days, width < 640 ? PHONE_WEEKS : undefined);
      const weeks = Math.ceil(map.cells.length / 7) + 1;
      const left = 34;
      const cell = Math.max(8, Math.min(20, Math.floor((width - left - 12) / weeks)));
      return {
        ...baseOption(colors),
        tooltip: {
          ...(baseOption(colors).tooltip as object),
          formatter: (params: { data?: HeatCell }) => {
            const d = params.data;
            if (!d) return '';
            const notes = [d.active ? 'active' : null, d.frozen ? 'streak freeze' : null].filter(Boolean).join(', ');
            return `${dayLabel(d.value[0], 'long')}<br>${minutesText(d.minutes)} read${notes ? ` · ${notes}` : ''}`;
          },
        },
        visualMap: {
          show: false,
          type: 'piecewise',
          dimension: 1,
          pieces: ([0, 1, 2, 3, 4] as Level[]).map((level) => ({ value: level, color: colors.levels[level] })),
        },
        calendar: {
          range: map.range,
          orient: 'horizontal',
          top: 22,
          left,
          right: 8,
          cellSize: [cell, cell],
          splitLine: { show: false },
          itemStyle: { color: colors.levels[0], borderColor: colors.surface, borderWidth: 2 },
          dayLabel: { firstDay: 1, nameMap: ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'], color: colors.muted, fontSize: 10 },
          monthLabel: { color: colors.muted, fontSize: 11 },
          yearLabel: { show: false },
        },
        series: [{ type: 'heatmap', coordinateSystem: 'calendar', data: map.cells }],
      };
    },
    [stats.days, colors],
  );
  const active = useMemo(() => stats.days.filter((d) => d.minutes > 0 || d.active || d.frozen), [stats.days]);
  const summary = useMemo(() => activitySummary(stats.days), [stats.days]);
  return (
    <section className="learning-section" aria-labelledby="activity-title">
      <h2 id="activity-title">Activity</h2>
      <ChartFigure
        title={`The last ${stats.days.length} days`}
        summary={summary}
        table={
          active.length === 0 ? (
            <p className="muted">No activity yet.</p>
          ) : (
            <table className="table compact">
              <caption className="visually-hidden">Active days</caption>
              <thead>
                <tr>
                  <th scope="col">Day</th>
                  <th scope="col">Minutes read</th>
                  <th scope="col">Streak</th>
                </tr>
              </thead>
              <tbody>
                {active.map((d) => (
                  <tr key={d.day}>
                    <td>{dayLabel(d.day, 'long')}</td>
                    <td>{d.minutes}</td>
                    <td>{d.frozen ? 'Freeze' : d.active ? 'Active' : '—'}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )
        }
      >
        <Chart option={option} height={205} summary={summary} testId="heatmap" />
        <ul className="heat-legend" aria-label="Colours">
          {([0, 1, 2, 3, 4] as Level[]).map((level) => (
            <li key={level}>
              <span className="swatch" style={{ background: colors.levels[level] }} aria-hidden="true" />
              {LEVEL_LABEL[level]}
            </li>
          ))}
        </ul>
      </ChartFigure>
    </section>
  );
}

/** A plain bar chart: labels along the bottom, values up the side. */
function barOption(colors: ChartColors, labels: string[], values: number[], name: string, width: number, color = colors.accent): ChartOption {
  return {
    ...baseOption(colors),
    tooltip: { ...(baseOption(colors).tooltip as object), trigger: 'axis' },
    grid: { left: 40, right: 12, top: 16, bottom: 28 },
    xAxis: {
      type: 'category',
      data: labels,
      axisLabel: { color: colors.muted, hideOverlap: true, fontSize: 11, interval: width < 500 ? 'auto' : undefined },
      axisLine: { lineStyle: { color: colors.border } },
      axisTick: { show: false },
    },
    yAxis: { type: 'value', minInterval: 1, axisLabel: { color: colors.muted }, splitLine: { lineStyle: { color: colors.border } } },
    series: [{ type: 'bar', name, data: values, itemStyle: { color, borderRadius: [3, 3, 0, 0] }, barMaxWidth: 28 }],
  };
}

function NumbersTable({ caption, head, rows }: { caption: string; head: [string, string]; rows: [string, string | number][] }) {
  return (
    <table className="table compact">
      <caption className="visually-hidden">{caption}</caption>
      <thead>
        <tr>
          <th scope="col">{head[0]}</th>
          <th scope="col">{head[1]}</th>
        </tr>
      </thead>
      <tbody>
        {rows.map(([label, value]) => (
          <tr key={label}>
            <td>{label}</td>
            <td>{value}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function ReadingTimeSection({ stats, colors }: { stats: Stats; colors: ChartColors }) {
  const lastDays = useMemo(() => stats.days.slice(-30), [stats.days]);
  const daily = useMemo(() => minuteBars(lastDays.map((d) => ({ date: d.day, minutes: d.minutes })), 'day'), [lastDays]);
  const weekly = useMemo(() => minuteBars(stats.weeks.map((w) => ({ date: w.weekStart, minutes: w.minutes })), 'week'), [stats.weeks]);
  const topics = stats.topics;
  const dailyOption = useCallback((width: number) => barOption(colors, daily.labels, daily.values, 'Minutes', width), [colors, daily.labels, daily.values]);
  const weeklyOption = useCallback(
    (width: number) => barOption(colors, weekly.labels.map((l) => l.replace('Week of ', '')), weekly.values, 'Minutes', width, colors.premium),
    [colors, weekly.labels, weekly.values],
  );
  const topicsOption = useCallback(
    (): ChartOption => ({
      ...baseOption(colors),
      tooltip: { ...(baseOption(colors).tooltip as object), trigger: 'axis' },
      grid: { left: 8, right: 24, top: 8, bottom: 24, containLabel: true },
      xAxis: { type: 'value', minInterval: 1, axisLabel: { color: colors.muted }, splitLine: { lineStyle: { color: colors.border } } },
      yAxis: {
        type: 'category',
        inverse: true,
        data: topics.map((t) => t.tag.name),
        axisLabel: { color: colors.text, width: 110, overflow: 'truncate' },
        axisLine: { lineStyle: { color: colors.border } },
        axisTick: { show: false },
      },
      series: [{ type: 'bar', name: 'Minutes', data: topics.map((t) => t.minutes), itemStyle: { color: colors.success, borderRadius: [0, 3, 3, 0] }, barMaxWidth: 22 }],
    }),
    [colors, topics],
  );
  const topicSummary =
    topics.length === 0
      ? 'No reading time on tagged posts yet.'
      : `Most time on ${topics
          .slice(0, 3)
          .map((t) => `${t.tag.name} (${minutesText(t.minutes)})`)
          .join(', ')}.`;
  return (
    <section className="learning-section" aria-labelledby="time-title">
      <h2 id="time-title">Reading time</h2>
      <div className="chart-grid">
        <ChartFigure
          title="Minutes per day"
          summary={daily.summary}
          table={<NumbersTable caption="Minutes per day" head={['Day', 'Minutes']} rows={lastDays.map((d) => [dayLabel(d.day, 'long'), d.minutes])} />}
        >
          <Chart option={dailyOption} height={220} summary={daily.summary} testId="minutes-per-day" />
        </ChartFigure>
        <ChartFigure
          title="Minutes per week"
          summary={weekly.summary}
          table={<NumbersTable caption="Minutes per week" head={['Week of', 'Minutes']} rows={stats.weeks.map((w) => [dayLabel(w.weekStart, 'long'), w.minutes])} />}
        >
          <Chart option={weeklyOption} height={220} summary={weekly.summary} testId="minutes-per-week" />
        </ChartFigure>
      </div>
      <ChartFigure
        title="Topics by time"
        summary={topicSummary}
        table={<NumbersTable caption="Topics by time" head={['Topic', 'Minutes']} rows={topics.map((t) => [t.tag.name, t.minutes])} />}
      >
        {topics.length > 0 ? (
          <Chart option={topicsOption} height={Math.max(120, topics.length * 34 + 40)} summary={topicSummary} testId="topics" />
        ) : (
          <p className="muted">Read a post with tags and its topics show here.</p>
        )}
      </ChartFigure>
    </section>
  );
}

function ReviewSection({ reviews, colors }: { reviews: Reviews; colors: ChartColors }) {
  const bars = useMemo(() => reviewBars(reviews.days), [reviews.days]);
  const counts = reviews.cardsByState;
  const states = useMemo(
    () =>
      (['NEW', 'LEARNING', 'REVIEW', 'RELEARNING'] as const).map((state) => ({
        name: STATE_LABEL[state],
        value: counts[state.toLowerCase() as 'new' | 'learning' | 'review' | 'relearning'],
      })),
    [counts],
  );
  const perDay = useCallback(
    (width: number): ChartOption => ({
      ...barOption(colors, bars.labels, bars.recalled, 'Recalled', width, colors.success),
      legend: { bottom: 0, textStyle: { color: colors.text }, itemWidth: 12, itemHeight: 10 },
      grid: { left: 40, right: 12, top: 16, bottom: 52 },
      series: [
        { type: 'bar', name: 'Recalled', stack: 'reviews', data: bars.recalled, itemStyle: { color: colors.success }, barMaxWidth: 28 },
        { type: 'bar', name: 'Again', stack: 'reviews', data: bars.again, itemStyle: { color: colors.danger }, barMaxWidth: 28 },
      ],
    }),
    [colors, bars.labels, bars.recalled, bars.again],
  );
  const byState = useCallback(
    (): ChartOption => ({
      ...baseOption(colors),
      tooltip: { ...(baseOption(colors).tooltip as object), trigger: 'item' },
      legend: { bottom: 0, textStyle: { color: colors.text }, itemWidth: 12, itemHeight: 10 },
      series: [
        {
          type: 'pie',
          name: 'Cards',
          radius: ['40%', '68%'],
          center: ['50%', '44%'],
          label: { show: false },
          data: states.map((s, i) => ({ ...s, itemStyle: { color: [colors.levels[2], colors.premium, colors.success, colors.danger][i] } })),
        },
      ],
    }),
    [colors, states],
  );
  const stateSummary =
    reviews.cardsByState.total === 0
      ? 'No cards yet.'
      : `${reviews.cardsByState.total} card${reviews.cardsByState.total === 1 ? '' : 's'}: ${states.map((s) => `${s.value} ${s.name.toLowerCase()}`).join(', ')}.`;
  return (
    <section className="learning-section" aria-labelledby="reviews-title">
      <h2 id="reviews-title">Reviews</h2>
      <p className="muted">
        {reviews.reviewCount} review{reviews.reviewCount === 1 ? '' : 's'} in the last {reviews.days.length} days; retention {retentionText(reviews.retention)}.{' '}
        {reviews.dueNow > 0 ? (
          <Link to="/review">
            {reviews.dueNow} card{reviews.dueNow === 1 ? '' : 's'} due now
          </Link>
        ) : reviews.nextDue ? (
          <>
            Next card due {dueIn(reviews.nextDue, new Date())} (<When at={reviews.nextDue} withTime />).
          </>
        ) : null}
      </p>
      <div className="chart-grid">
        <ChartFigure
          title="Reviews per day"
          summary={bars.summary}
          table={
            <table className="table compact">
              <caption className="visually-hidden">Reviews per day</caption>
              <thead>
                <tr>
                  <th scope="col">Day</th>
                  <th scope="col">Reviews</th>
                  <th scope="col">Again</th>
                </tr>
              </thead>
              <tbody>
                {reviews.days
                  .filter((d) => d.reviews > 0)
                  .map((d) => (
                    <tr key={d.date}>
                      <td>{dayLabel(d.date, 'long')}</td>
                      <td>{d.reviews}</td>
                      <td>{d.again}</td>
                    </tr>
                  ))}
              </tbody>
            </table>
          }
        >
          <Chart option={perDay} height={240} summary={bars.summary} testId="reviews-per-day" />
        </ChartFigure>
        <ChartFigure
          title="Cards by state"
          summary={stateSummary}
          table={<NumbersTable caption="Cards by state" head={['State', 'Cards']} rows={states.map((s) => [s.name, s.value])} />}
        >
          <Chart option={byState} height={240} summary={stateSummary} testId="cards-by-state" />
        </ChartFigure>
      </div>
    </section>
  );
}

function ReadingHistory() {
  const [after, setAfter] = useState<string | null>(null);
  const [{ data, fetching, error }, refetch] = useQuery({ query: History, variables: { first: 10, after } });
  const page = data?.readingHistory;
  if (!page) return fetching ? <Loading /> : <ErrorNote message={errorMessage(error)} onRetry={() => refetch({ requestPolicy: 'network-only' })} />;
  if (page.edges.length === 0) return <p className="muted">Posts you read show here, the latest first.</p>;
  return (
    <>
      <ul className="history-list" data-testid="reading-history">
        {page.edges.map(({ node }) => (
          <li key={node.post.id}>
            <Link to={`/posts/${node.post.slug}`}>{node.post.title}</Link>
            <span className="muted small">
              {node.completedAt ? '✓ finished' : 'started'} · {minutesText(Math.round(node.secondsSpent / 60))} of {node.post.readingMinutes} min · last read{' '}
              <When at={node.lastReadAt} />
            </span>
          </li>
        ))}
      </ul>
      <p className="muted small">{page.totalCount} posts in all.</p>
      <LoadMore hasMore={page.pageInfo.hasNextPage} fetching={fetching} onMore={() => setAfter(page.pageInfo.endCursor ?? null)} />
    </>
  );
}
