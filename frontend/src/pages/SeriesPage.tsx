import { Link, useParams } from 'react-router';
import { useQuery } from 'urql';

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
        viewerProgress {
          completedAt
        }
      }
      viewerProgress {
        ...SeriesProgressFields
      }
    }
  }
`);

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
            <p>You finished this series. 🎉</p>
          ) : progress?.nextPost ? (
            <p>
              Next up: <Link to={`/posts/${progress.nextPost.slug}`}>{progress.nextPost.title}</Link>
            </p>
          ) : null}
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
              </p>
            </div>
          </li>
        ))}
      </ol>
    </div>
  );
}
