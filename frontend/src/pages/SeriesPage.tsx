import { Link, useParams } from 'react-router';
import { useMutation, useQuery } from 'urql';

import { Empty, ErrorNote, Loading, usePageTitle } from '../components/ui';
import { graphql } from '../gql';
import { useAuth } from '../lib/auth';
import { errorCode, errorMessage } from '../lib/errors';

/** The viewer's progress through a series, wherever it is shown or updated. */
export const SeriesProgressFields = graphql(`
  fragment SeriesProgressFields on SeriesProgress {
    completedCount
    totalCount
    percent
    completedAt
    nextPost {
      id
      slug
      title
    }
  }
`);

const SeriesQuery = graphql(`
  query SeriesPage($slug: String!) {
    series(slug: $slug) {
      id
      slug
      title
      description
      postCount
      author {
        id
        displayName
      }
      posts {
        id
        slug
        title
        excerpt
        readingMinutes
        isPremium
        isLocked
        viewerProgress {
          completedAt
        }
        viewerReviewCard {
          id
        }
      }
      viewerProgress {
        ...SeriesProgressFields
      }
    }
  }
`);

const AddSeriesToReview = graphql(`
  mutation AddSeriesToReview($seriesId: ID!) {
    addToReview(seriesId: $seriesId) {
      ...PostReviewCardFields
      post {
        id
        viewerReviewCard {
          ...PostReviewCardFields
        }
      }
    }
  }
`);

/** "Add the series to review": every post of it the viewer may read, in reading order. */
function SeriesReview({ seriesId, posts }: { seriesId: string; posts: { isLocked: boolean; viewerReviewCard?: { id: string } | null }[] }) {
  const [state, add] = useMutation(AddSeriesToReview);
  const readable = posts.filter((p) => !p.isLocked);
  const inReview = readable.filter((p) => p.viewerReviewCard).length;
  if (readable.length === 0) return null;
  const all = inReview === readable.length;
  return (
    <div className="series-review" data-testid="series-review">
      <p className="muted small">
        {inReview === 0 ? 'None of its posts is in your review yet.' : `${inReview} of ${readable.length} posts in your review.`}{' '}
        {all && <Link to="/review">Go to your review</Link>}
      </p>
      {!all && (
        <button type="button" className="button secondary small" disabled={state.fetching} onClick={() => void add({ seriesId })}>
          {inReview === 0 ? 'Add the series to review' : `Add the other ${readable.length - inReview} to review`}
        </button>
      )}
      <ErrorNote message={errorMessage(state.error)} />
    </div>
  );
}

export function SeriesPage() {
  const { slug = '' } = useParams();
  const { userId } = useAuth();
  const [{ data, fetching, error }, refetch] = useQuery({ query: SeriesQuery, variables: { slug } });
  const series = data?.series;
  usePageTitle(series?.title);

  if (!series) {
    if (fetching) return <Loading />;
    if (errorCode(error) === 'NOT_FOUND' || (data && !series)) return <Empty title="There is no such series." />;
    return <ErrorNote message={errorMessage(error) ?? 'Could not load the series.'} onRetry={() => refetch({ requestPolicy: 'network-only' })} />;
  }
  const progress = series.viewerProgress;
  const percent = Math.round(progress?.percent ?? 0);

  return (
    <div className="narrow-wide">
      <p className="eyebrow">
        Series · {series.postCount} posts
        {series.author && (
          <>
            {' · by '}
            <Link to={`/authors/${series.author.id}`}>{series.author.displayName}</Link>
          </>
        )}
      </p>
      <h1>{series.title}</h1>
      <p className="lead">{series.description}</p>
      {userId ? (
        <section className="progress-card" aria-label="Your progress">
          <div className="progress-text">
            <strong data-testid="series-progress">
              {progress?.completedCount ?? 0} of {progress?.totalCount ?? series.postCount} read
            </strong>
            <span>{percent}%</span>
          </div>
          <div className="progress" role="progressbar" aria-label="Series progress" aria-valuemin={0} aria-valuemax={100} aria-valuenow={percent}>
            <div style={{ width: `${percent}%` }} />
          </div>
          {progress?.completedAt ? (
            <p>
              You finished this series. Your certificate of completion is on <Link to="/learning#certificates">your learning dashboard</Link>.
            </p>
          ) : progress?.nextPost ? (
            <p>
              Next up: <Link to={`/posts/${progress.nextPost.slug}`}>{progress.nextPost.title}</Link>
            </p>
          ) : null}
          <SeriesReview seriesId={series.id} posts={series.posts} />
        </section>
      ) : (
        <p className="muted">
          <Link to={`/sign-in?next=/series/${series.slug}`}>Sign in</Link> to track your progress through this series.
        </p>
      )}
      {series.posts.length === 0 && <Empty title="No posts in this series yet." />}
      <ol className="series-posts">
        {series.posts.map((post, index) => (
          <li key={post.id} className={post.viewerProgress?.completedAt ? 'done' : undefined}>
            <span className="step" aria-hidden="true">
              {post.viewerProgress?.completedAt ? '✓' : index + 1}
            </span>
            <div>
              <Link to={`/posts/${post.slug}`}>{post.title}</Link>
              {post.viewerProgress?.completedAt && <span className="visually-hidden"> (read)</span>}
              <p className="muted">
                {post.readingMinutes} min read{post.isPremium ? ' · Premium' : ''}
                {post.viewerReviewCard ? ' · in your review' : ''}
              </p>
            </div>
          </li>
        ))}
      </ol>
    </div>
  );
}
