import { useCallback, useEffect, useRef, useState, type ReactElement } from 'react';
import { Link, useParams } from 'react-router';
import { useMutation, useQuery } from 'urql';

import { AskAiPanel } from '../components/AskAiPanel';
import { Comments } from '../components/Comments';
import { LightbulbIcon, PartyIcon, QuestionIcon, ThumbsUpIcon } from '../components/icons';
import { Cover, PostMeta, TagList } from '../components/PostCard';
import { ReviewToggle } from '../components/ReviewToggle';
import { NotesPanel } from '../components/StudyNotes';
import { Empty, ErrorNote, Loading, Prose, usePageTitle } from '../components/ui';
import { graphql } from '../gql';
import type { ReactionKind } from '../gql/graphql';
import { useAuth } from '../lib/auth';
import { errorCode, errorMessage } from '../lib/errors';
import { MIN_FLUSH_SECONDS, ReadingTime, msUntilXp, shortOfXp } from '../lib/reading';

const PostQuery = graphql(`
  query PostPage($slug: String!) {
    post(slug: $slug) {
      ...PostCardFields
      bodyHtml
      requiredPlan
      status
      viewCount
      seriesPosition
      series {
        id
        slug
        title
        postCount
      }
      previousInSeries {
        id
        slug
        title
      }
      nextInSeries {
        id
        slug
        title
      }
      viewerHasBookmarked
      viewerNotes {
        id
      }
      viewerReviewCard {
        ...PostReviewCardFields
      }
      viewerProgress {
        secondsSpent
        completedAt
      }
      secondsForXp
      reactions {
        kind
        count
      }
      viewerReactions
    }
  }
`);

const RecordView = graphql(`
  mutation RecordPostView($postId: ID!) {
    recordPostView(postId: $postId)
  }
`);

const Bookmark = graphql(`
  mutation BookmarkPost($postId: ID!) {
    bookmarkPost(postId: $postId) {
      id
      viewerHasBookmarked
    }
  }
`);

const Unbookmark = graphql(`
  mutation UnbookmarkPost($postId: ID!) {
    unbookmarkPost(postId: $postId) {
      id
      viewerHasBookmarked
    }
  }
`);

const ReactToPost = graphql(`
  mutation React($postId: ID!, $kind: ReactionKind!) {
    react(postId: $postId, kind: $kind) {
      id
      reactions {
        kind
        count
      }
      viewerReactions
    }
  }
`);

const Unreact = graphql(`
  mutation Unreact($postId: ID!, $kind: ReactionKind!) {
    unreact(postId: $postId, kind: $kind) {
      id
      reactions {
        kind
        count
      }
      viewerReactions
    }
  }
`);

const MarkRead = graphql(`
  mutation MarkPostRead($postId: ID!, $secondsSpent: Int!) {
    markPostRead(postId: $postId, secondsSpent: $secondsSpent) {
      secondsSpent
      completedAt
      post {
        id
        viewerProgress {
          secondsSpent
          completedAt
        }
        series {
          id
          viewerProgress {
            ...SeriesProgressFields
          }
        }
      }
    }
  }
`);

const REACTIONS: { kind: ReactionKind; label: string; Icon: () => ReactElement }[] = [
  { kind: 'LIKE', label: 'Like', Icon: ThumbsUpIcon },
  { kind: 'INSIGHTFUL', label: 'Insightful', Icon: LightbulbIcon },
  { kind: 'CONFUSED', label: 'Confused', Icon: QuestionIcon },
  { kind: 'CELEBRATE', label: 'Celebrate', Icon: PartyIcon },
];

/** How long the end of the post must stay in view before it counts as read. */
const END_DWELL_MS = 1500;

export function PostPage() {
  const { slug = '' } = useParams();
  const { userId } = useAuth();
  const [{ data, fetching, error }, refetch] = useQuery({ query: PostQuery, variables: { slug } });
  const post = data?.post;
  usePageTitle(post?.title);

  const [, recordView] = useMutation(RecordView);
  const [bookmarkState, bookmark] = useMutation(Bookmark);
  const [unbookmarkState, unbookmark] = useMutation(Unbookmark);
  const [reactState, react] = useMutation(ReactToPost);
  const [unreactState, unreact] = useMutation(Unreact);
  const [markState, markRead] = useMutation(MarkRead);
  const [askOpen, setAskOpen] = useState(false);
  const [notesOpen, setNotesOpen] = useState(false);
  const bodyRef = useRef<HTMLDivElement>(null);
  const clock = useRef<ReadingTime | null>(null);

  // Reading time runs while the post is in sight, from the moment it opens.
  const postId = post?.id;
  useEffect(() => {
    if (!postId) return;
    const time = new ReadingTime(Date.now(), document.visibilityState !== 'hidden');
    clock.current = time;
    const onVisibility = () => (document.visibilityState === 'hidden' ? time.pause(Date.now()) : time.resume(Date.now()));
    document.addEventListener('visibilitychange', onVisibility);
    void recordView({ postId });
    return () => document.removeEventListener('visibilitychange', onVisibility);
  }, [postId, recordView]);

  /** Marks the post read with the time read since it opened (at least a second). */
  const finish = useCallback(
    (id: string) => void markRead({ postId: id, secondsSpent: Math.max(1, clock.current?.take(Date.now()) ?? 0) }),
    [markRead],
  );

  // Reaching the end of the body (and staying there a moment) marks the post
  // read, as the button does; a post that fits on the screen at once waits for
  // the button or a scroll, so merely opening it never counts.
  const endOfBody = useRef<HTMLDivElement>(null);
  const canTrack = Boolean(userId && post && !post.isLocked && !post.viewerProgress?.completedAt);
  useEffect(() => {
    const end = endOfBody.current;
    if (!canTrack || !postId || !end || typeof IntersectionObserver === 'undefined') return;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let scrolled = false;
    let visible = false;
    const arm = () => {
      clearTimeout(timer);
      if (visible && scrolled) timer = setTimeout(() => finish(postId), END_DWELL_MS);
    };
    const onScroll = () => {
      if (scrolled) return;
      scrolled = true;
      arm();
    };
    const observer = new IntersectionObserver((entries) => {
      visible = entries.some((entry) => entry.isIntersecting);
      arm();
    });
    observer.observe(end);
    window.addEventListener('scroll', onScroll, { passive: true });
    return () => {
      clearTimeout(timer);
      observer.disconnect();
      window.removeEventListener('scroll', onScroll);
    };
  }, [canTrack, postId, finish]);

  // A post finished before its reading time earned XP (its end reached first)
  // keeps sending that time: once when the total will reach `secondsForXp`,
  // and what was read when the reader hides or leaves the page. Nothing is
  // sent once the total is there.
  const secondsForXp = post?.secondsForXp ?? 0;
  const spent = post?.viewerProgress?.secondsSpent ?? 0;
  const stillShort = Boolean(userId && post && !post.isLocked && shortOfXp(post.viewerProgress, secondsForXp));
  useEffect(() => {
    const time = clock.current;
    if (!stillShort || !postId || !time) return;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const send = (leaving: boolean) => {
      const seconds = time.take(Date.now());
      // Leaving: `keepalive` lets the request outlive a closing tab.
      if (seconds > 0) void markRead({ postId, secondsSpent: seconds }, leaving ? { fetchOptions: { keepalive: true } } : undefined);
    };
    const flush = () => {
      if (time.unsentMs(Date.now()) >= MIN_FLUSH_SECONDS * 1000) send(true);
    };
    const schedule = () => {
      clearTimeout(timer);
      if (document.visibilityState !== 'hidden') timer = setTimeout(() => send(false), msUntilXp(spent, secondsForXp, time.unsentMs(Date.now())));
    };
    const onVisibility = () => {
      if (document.visibilityState !== 'hidden') return schedule();
      clearTimeout(timer);
      flush();
    };
    schedule();
    document.addEventListener('visibilitychange', onVisibility);
    return () => {
      clearTimeout(timer);
      document.removeEventListener('visibilitychange', onVisibility);
      flush();
    };
  }, [stillShort, postId, spent, secondsForXp, markRead]);

  if (!post) {
    if (fetching) return <Loading />;
    if (errorCode(error) === 'NOT_FOUND') {
      return (
        <Empty title="This post does not exist, or is not published yet.">
          <Link to="/">Back to the feed</Link>
        </Empty>
      );
    }
    return <ErrorNote message={errorMessage(error) ?? 'Could not load the post.'} onRetry={() => refetch({ requestPolicy: 'network-only' })} />;
  }

  const actionError =
    errorMessage(bookmarkState.error) ??
    errorMessage(unbookmarkState.error) ??
    errorMessage(reactState.error) ??
    errorMessage(unreactState.error) ??
    errorMessage(markState.error);
  const signedIn = Boolean(userId);
  const read = Boolean(post.viewerProgress?.completedAt);

  return (
    <div className={`post-layout${notesOpen && signedIn ? ' with-notes' : ''}`}>
      <article className="post" aria-labelledby="post-title">
        {post.series && (
          <p className="eyebrow">
            <Link to={`/series/${post.series.slug}`}>{post.series.title}</Link>
            {post.seriesPosition != null && ` · part ${post.seriesPosition} of ${post.series.postCount}`}
          </p>
        )}
        <h1 id="post-title">{post.title}</h1>
        <PostMeta post={post} />
        <TagList tags={post.tags} />
        {signedIn && post.status === 'PUBLISHED' && (
          <div className="post-tools" role="group" aria-label="Study tools">
            {!post.isLocked && <ReviewToggle postId={post.id} card={post.viewerReviewCard} />}
            <button
              type="button"
              className="button secondary small"
              aria-expanded={notesOpen}
              aria-controls="notes-panel"
              onClick={() => setNotesOpen((open) => !open)}
            >
              {notesOpen ? 'Hide notes' : 'Notes'}
              {post.viewerNotes.length > 0 && <span className="count"> ({post.viewerNotes.length})</span>}
            </button>
          </div>
        )}
        {post.coverImageUrl && <Cover url={post.coverImageUrl} title={post.title} className="post-cover" eager />}
        {post.status !== 'PUBLISHED' && <p className="badge draft">{post.status.toLowerCase()}</p>}

        {post.isLocked ? (
          <section className="premium-preview" aria-label="Premium preview">
            <p className="excerpt">{post.excerpt}</p>
            <div className="paywall">
              <h2>Unlock this post with {planName(post.requiredPlan)}</h2>
              <p>
                The full text of this post is for {planName(post.requiredPlan)} members. Its excerpt, comments and
                series stay open to everyone.
              </p>
              <p className="action-row">
                <Link className="button" to="/pricing">
                  See the plans
                </Link>
                {!signedIn && (
                  <span>
                    or <Link to={`/sign-in?next=/posts/${post.slug}`}>sign in</Link> if you already have access.
                  </span>
                )}
              </p>
            </div>
          </section>
        ) : (
          <div ref={bodyRef}>
            <Prose html={post.bodyHtml ?? ''} testId="post-body" />
          </div>
        )}
        <div ref={endOfBody} className="end-of-body" data-testid="end-of-body" aria-hidden="true" />

        <section className="post-actions" aria-label="Your reactions and progress">
          <div className="reactions" role="group" aria-label="Reactions">
            {REACTIONS.map(({ kind, label, Icon }) => {
              const count = post.reactions.find((r) => r.kind === kind)?.count ?? 0;
              const mine = post.viewerReactions.includes(kind);
              return (
                <button
                  key={kind}
                  type="button"
                  className={`chip${mine ? ' active' : ''}`}
                  aria-pressed={mine}
                  disabled={!signedIn}
                  title={signedIn ? label : 'Sign in to react'}
                  onClick={() => void (mine ? unreact : react)({ postId: post.id, kind })}
                >
                  <Icon /> {label} <span className="count">{count}</span>
                </button>
              );
            })}
          </div>
          {signedIn ? (
            <div className="action-row">
              <button
                type="button"
                className="button secondary"
                aria-pressed={post.viewerHasBookmarked}
                disabled={bookmarkState.fetching || unbookmarkState.fetching}
                onClick={() => void (post.viewerHasBookmarked ? unbookmark : bookmark)({ postId: post.id })}
              >
                {post.viewerHasBookmarked ? '★ Bookmarked' : '☆ Bookmark'}
              </button>
              <button
                type="button"
                className="button secondary"
                disabled={read || markState.fetching || post.isLocked}
                onClick={() => finish(post.id)}
              >
                {read ? '✓ Read' : 'Mark as read'}
              </button>
              <button type="button" className="button secondary" onClick={() => setAskOpen(true)}>
                Ask AI about this post
              </button>
            </div>
          ) : (
            <p className="muted">
              <Link to={`/sign-in?next=/posts/${post.slug}`}>Sign in</Link> to react, bookmark, track your progress and
              ask AI.
            </p>
          )}
          <ErrorNote message={actionError} />
        </section>

        {(post.previousInSeries || post.nextInSeries) && (
          <nav className="series-nav" aria-label="Series navigation">
            {post.previousInSeries ? (
              <Link rel="prev" to={`/posts/${post.previousInSeries.slug}`}>
                ← {post.previousInSeries.title}
              </Link>
            ) : (
              <span />
            )}
            {post.nextInSeries && (
              <Link rel="next" to={`/posts/${post.nextInSeries.slug}`}>
                {post.nextInSeries.title} →
              </Link>
            )}
          </nav>
        )}

        <Comments key={post.id} postId={post.id} postSlug={post.slug} />
      </article>
      {notesOpen && signedIn && (
        <NotesPanel slug={post.slug} postId={post.id} bodyRef={bodyRef} canQuote={!post.isLocked} onClose={() => setNotesOpen(false)} />
      )}
      {askOpen && <AskAiPanel postSlug={post.slug} postTitle={post.title} onClose={() => setAskOpen(false)} />}
    </div>
  );
}

function planName(plan: string | null | undefined): string {
  return plan === 'PREMIUM' || !plan ? 'Premium' : plan.charAt(0) + plan.slice(1).toLowerCase();
}
