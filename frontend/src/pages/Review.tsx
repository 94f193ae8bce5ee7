import { useCallback, useEffect, useRef, useState } from 'react';
import { Link } from 'react-router';
import { useClient, useMutation, useQuery } from 'urql';

import { LearningNav } from '../components/LearningNav';
import { Empty, ErrorNote, Loading, When, usePageTitle } from '../components/ui';
import { graphql } from '../gql';
import type { ReviewCardFieldsFragment, ReviewGrade, ReviewSessionQuery } from '../gql/graphql';
import { errorMessage } from '../lib/errors';
import { GRADES, STATE_LABEL, dueIn, keyAction, progressLabel, progressPercent, progressWith, type KeyInput } from '../lib/review';

export const ReviewCardFields = graphql(`
  fragment ReviewCardFields on ReviewCard {
    id
    state
    due
    reps
    keyPoints
    keyPointsSource
    post {
      id
      slug
      title
      excerpt
    }
  }
`);

/** A batch of due cards, and what the page says once none is left. */
const ReviewSession = graphql(`
  query ReviewSession($first: Int!) {
    reviewQueue(first: $first) {
      totalCount
      nodes {
        ...ReviewCardFields
      }
    }
    reviewStats {
      dueNow
      dueToday
      nextDue
      cardsByState {
        total
      }
    }
    reviewSettings {
      reminders
      reminderHour
    }
  }
`);

const GradeCard = graphql(`
  mutation GradeReviewCard($cardId: ID!, $grade: ReviewGrade!) {
    reviewCard(cardId: $cardId, grade: $grade) {
      nextDue
      early
      xpAwarded
      card {
        id
        state
        due
        reps
        isDue
      }
    }
  }
`);

const SetReminders = graphql(`
  mutation SetReviewReminders($enabled: Boolean!) {
    setReviewReminders(enabled: $enabled) {
      reminders
      reminderHour
    }
  }
`);

/** Cards loaded at a time; the next batch comes when these are graded. */
const BATCH = 50;

type Stats = ReviewSessionQuery['reviewStats'];
type Settings = ReviewSessionQuery['reviewSettings'];

interface Session {
  /** Cards still to grade in this batch, the current one first. */
  cards: ReviewCardFieldsFragment[];
  /** Cards graded in this visit. */
  done: number;
  /** Cards due beyond those graded: this batch and any later ones. */
  stillDue: number;
  stats: Stats;
  settings: Settings;
}

interface Graded {
  title: string;
  grade: ReviewGrade;
  nextDue: string;
  xp: number;
}

function sessionOf(data: ReviewSessionQuery, done: number): Session {
  return { cards: data.reviewQueue.nodes, done, stillDue: data.reviewQueue.totalCount, stats: data.reviewStats, settings: data.reviewSettings };
}

function targetKind(target: EventTarget | null): KeyInput['target'] {
  if (!(target instanceof HTMLElement)) return 'other';
  if (target.isContentEditable || target.closest('input, textarea, select')) return 'text';
  if (target.closest('button, a, summary, [role=button]')) return 'control';
  return 'other';
}

/**
 * `/review`: the due cards one at a time. Each shows its post's title and
 * what to recall; Space or Enter (or the button) reveals the key points, then
 * 1–4 (or the buttons) grade AGAIN, HARD, GOOD or EASY. Progress counts the
 * cards graded against those due; once none is left, the page says when the
 * next one is due.
 */
export function ReviewPage() {
  usePageTitle('Review');
  const client = useClient();
  const [session, setSession] = useState<Session | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [revealed, setRevealed] = useState(false);
  const [last, setLast] = useState<Graded | null>(null);
  const [gradeState, grade] = useMutation(GradeCard);
  const [gradeError, setGradeError] = useState<string | null>(null);
  const heading = useRef<HTMLHeadingElement>(null);
  const answer = useRef<HTMLElement>(null);

  // The first batch; later ones are loaded by `load` as each batch is done.
  const [first, reexecute] = useQuery({ query: ReviewSession, variables: { first: BATCH }, requestPolicy: 'network-only', pause: session !== null });
  const firstError = first.error && !first.data ? (errorMessage(first.error) ?? 'Could not load your review queue.') : null;
  const current = session ?? (first.data ? sessionOf(first.data, 0) : null);

  const load = useCallback(
    async (done: number) => {
      const result = await client.query(ReviewSession, { first: BATCH }, { requestPolicy: 'network-only' }).toPromise();
      if (!result.data) {
        setLoadError(errorMessage(result.error) ?? 'Could not load your review queue.');
        return;
      }
      setLoadError(null);
      setSession(sessionOf(result.data, done));
      setRevealed(false);
    },
    [client],
  );

  const card = current?.cards[0] ?? null;
  // Each new card takes the focus (from the nav link that led here, or the
  // grade just given), so Space and Enter reveal it and a screen reader reads its title.
  const cardId = card?.id;
  useEffect(() => {
    if (cardId) heading.current?.focus();
  }, [cardId]);

  const reveal = useCallback(() => {
    setRevealed(true);
    // The answer takes the focus the reveal button had, so 1–4 follow on from here.
    requestAnimationFrame(() => answer.current?.focus());
  }, []);

  const submit = useCallback(
    async (choice: ReviewGrade) => {
      if (!current || !card || gradeState.fetching) return;
      setGradeError(null);
      const result = await grade({ cardId: card.id, grade: choice });
      const outcome = result.data?.reviewCard;
      if (!outcome) {
        setGradeError(errorMessage(result.error) ?? 'Could not save the grade.');
        return;
      }
      setLast({ title: card.post?.title ?? 'The card', grade: choice, nextDue: outcome.nextDue, xp: outcome.xpAwarded });
      const rest = current.cards.slice(1);
      const done = current.done + 1;
      const stillDue = current.stillDue - 1;
      if (rest.length > 0) {
        setSession({ ...current, cards: rest, done, stillDue });
        setRevealed(false);
      } else {
        // This batch is done: the next one (or nothing, and when the next card is due).
        await load(done);
      }
    },
    [current, card, grade, gradeState.fetching, load],
  );

  // Keyboard: Space or Enter reveals, 1–4 grade (see lib/review.ts).
  const latest = useRef({ revealed, reveal, submit, card });
  useEffect(() => {
    latest.current = { revealed, reveal, submit, card };
  });
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      const now = latest.current;
      if (!now.card || event.repeat) return;
      const action = keyAction(
        { key: event.key, code: event.code, ctrlKey: event.ctrlKey, metaKey: event.metaKey, altKey: event.altKey, target: targetKind(event.target) },
        now.revealed,
      );
      if (!action) return;
      event.preventDefault();
      if (action.kind === 'reveal') now.reveal();
      else void now.submit(action.grade);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  if (!current) {
    return (
      <div className="narrow-wide review-page">
        <LearningNav />
        <h1>Review</h1>
        {firstError ? <ErrorNote message={firstError} onRetry={() => reexecute({ requestPolicy: 'network-only' })} /> : <Loading label="Loading your cards…" />}
      </div>
    );
  }

  const progress = progressWith(current.done, current.stillDue);
  const percent = progressPercent(progress);
  return (
    <div className="narrow-wide review-page">
      <LearningNav />
      <div className="page-head">
        <h1>Review</h1>
        {progress.total > 0 && (
          <p className="muted" data-testid="review-progress">
            {progressLabel(progress)}
          </p>
        )}
      </div>
      {progress.total > 0 && (
        <div className="progress" role="progressbar" aria-label="Review progress" aria-valuemin={0} aria-valuemax={100} aria-valuenow={percent} aria-valuetext={progressLabel(progress)}>
          <div style={{ width: `${percent}%` }} />
        </div>
      )}
      <p className="review-last" role="status" data-testid="review-last">
        {last && (
          <>
            {last.title}: {GRADES.find((g) => g.grade === last.grade)?.label}. Next review{' '}
            <time dateTime={last.nextDue} title={new Date(last.nextDue).toLocaleString()}>
              {dueIn(last.nextDue, new Date())}
            </time>
            {last.xp > 0 && ` · +${last.xp} XP`}.
          </>
        )}
      </p>
      {loadError && <ErrorNote message={loadError} onRetry={() => void load(current.done)} />}

      {card ? (
        <article className="card review-card" aria-labelledby="review-card-title" data-testid="review-card" data-card={card.id}>
          <p className="eyebrow">
            {STATE_LABEL[card.state]}
            {card.reps > 0 && ` · reviewed ${card.reps} time${card.reps === 1 ? '' : 's'}`}
          </p>
          <h2 id="review-card-title" ref={heading} tabIndex={-1}>
            {card.post?.title ?? 'A post you can no longer open'}
          </h2>
          {card.keyPointsSource === 'PROMPTS' ? (
            <>
              <p className="muted">Answer these from memory, then check:</p>
              <ol className="key-points prompts" data-testid="review-prompts">
                {card.keyPoints.map((point, i) => (
                  <li key={i}>{point}</li>
                ))}
              </ol>
            </>
          ) : (
            <p className="muted">What are the key points of this post? Recall them, then check.</p>
          )}
          {!revealed ? (
            <button type="button" className="button" aria-keyshortcuts="Space Enter" onClick={reveal}>
              Show answer <kbd>Space</kbd>
            </button>
          ) : (
            <section className="review-answer" aria-label="Answer" tabIndex={-1} ref={answer} data-testid="review-answer">
              {card.keyPointsSource === 'PROMPTS' ? (
                <p>{card.post?.excerpt}</p>
              ) : (
                <ul className="key-points">
                  {card.keyPoints.map((point, i) => (
                    <li key={i}>{point}</li>
                  ))}
                </ul>
              )}
              {card.post && (
                <p className="small">
                  <Link to={`/posts/${card.post.slug}`}>Reread the post</Link>
                </p>
              )}
            </section>
          )}
          {revealed && (
            <div className="grade-buttons" role="group" aria-label="How well did you recall it?">
              {GRADES.map((g) => (
                <button
                  key={g.grade}
                  type="button"
                  className={`button secondary grade grade-${g.grade.toLowerCase()}`}
                  aria-keyshortcuts={g.key}
                  disabled={gradeState.fetching}
                  onClick={() => void submit(g.grade)}
                >
                  <span className="grade-label">
                    {g.label} <kbd>{g.key}</kbd>
                  </span>
                  <span className="grade-hint">{g.hint}</span>
                </button>
              ))}
            </div>
          )}
          <ErrorNote message={gradeError} />
          <p className="hint keys-hint">Keys: Space or Enter shows the answer; 1 Again, 2 Hard, 3 Good, 4 Easy.</p>
        </article>
      ) : (
        <Done session={current} onReload={() => void load(current.done)} />
      )}
      <Reminders settings={current.settings} />
    </div>
  );
}

function Done({ session, onReload }: { session: Session; onReload(): void }) {
  const next = session.stats.nextDue;
  const none = session.stats.cardsByState.total === 0;
  const title = session.done > 0 ? `All done: you reviewed ${session.done} card${session.done === 1 ? '' : 's'}.` : 'Nothing to review right now.';
  return (
    <div data-testid="review-empty">
      <Empty title={title}>
        {none ? (
          <p>
            You have no cards yet. Use “Add to review” on a post, or on a series to add all its posts. <Link to="/">Browse the feed</Link>
          </p>
        ) : next ? (
          <p data-testid="review-next-due">
            Your next card is due <strong>{dueIn(next, new Date())}</strong> (<When at={next} withTime />)
            {session.stats.dueToday > 0 && `; ${session.stats.dueToday} card${session.stats.dueToday === 1 ? ' is' : 's are'} due by the end of today`}.
          </p>
        ) : null}
        <p className="action-row center">
          <button type="button" className="button secondary" onClick={onReload}>
            Check for due cards
          </button>
          <Link to="/learning">Your learning dashboard</Link>
        </p>
      </Empty>
    </div>
  );
}

function Reminders({ settings }: { settings: Settings }) {
  const [state, set] = useMutation(SetReminders);
  const [on, setOn] = useState(settings.reminders);
  async function toggle(enabled: boolean) {
    setOn(enabled);
    const result = await set({ enabled });
    setOn(result.data?.setReviewReminders.reminders ?? !enabled);
  }
  return (
    <section className="review-reminders" aria-labelledby="reminders-title">
      <h2 id="reminders-title" className="visually-hidden">
        Reminders
      </h2>
      <label className="checkbox">
        <input type="checkbox" checked={on} disabled={state.fetching} onChange={(e) => void toggle(e.target.checked)} />
        Remind me on days with cards due (a notification, and a mail to a confirmed address, from {settings.reminderHour}:00 my time)
      </label>
      <ErrorNote message={errorMessage(state.error)} />
    </section>
  );
}
