import { useState } from 'react';
import { Link, useLocation, useParams } from 'react-router';
import { useQuery } from 'urql';

import { BadgeIcon } from '../components/icons';
import { PostList } from '../components/PostList';
import { Empty, ErrorNote, Loading, When, usePageTitle } from '../components/ui';
import { graphql } from '../gql';
import type { ProfilePageQuery } from '../gql/graphql';
import { useAuth } from '../lib/auth';
import { days, sourceLabel } from '../lib/engagement';
import { errorMessage } from '../lib/errors';

const ProfileQuery = graphql(`
  query ProfilePage($id: ID!, $first: Int!, $after: String) {
    user(id: $id) {
      id
      displayName
      bio
      role
      createdAt
      profilePrivate
      level
      xp
      levelProgress {
        level
        xpIntoLevel
        xpForLevel
        percent
      }
      streak {
        current
        longest
        freezes
      }
      badges {
        earnedAt
        badge {
          id
          slug
          name
          description
          icon
        }
      }
      recentActivity(first: 10) {
        source
        amount
        createdAt
        link
      }
    }
    posts(first: $first, after: $after, filter: { authorId: $id }) {
      ...PostListFields
    }
  }
`);

// The API lists series without an author filter; an author's are picked from the newest 100.
const AuthorSeriesQuery = graphql(`
  query AuthorSeries {
    seriesList(first: 100) {
      nodes {
        id
        slug
        title
        description
        postCount
        author {
          id
        }
      }
    }
  }
`);

/** The whole catalogue, for the badges the viewer has still to earn (on their own profile). */
const BadgeCatalogueQuery = graphql(`
  query BadgeCatalogue {
    badges {
      id
      slug
      name
      description
      icon
      xp
    }
  }
`);

type Person = NonNullable<ProfilePageQuery['user']>;

/**
 * A person: `/profile` (the viewer's own), `/users/:id` and `/authors/:id`.
 * Name and bio; level, XP, streak, badges and recent XP unless the profile is
 * private (then those come back null and the page says so); an author's
 * series and posts.
 */
export function ProfilePage({ own = false }: { own?: boolean }) {
  const params = useParams();
  const { pathname } = useLocation();
  const { userId } = useAuth();
  const id = own ? (userId ?? '') : (params.id ?? '');
  const [after, setAfter] = useState<string | null>(null);
  const [{ data, fetching, error }, refetch] = useQuery({ query: ProfileQuery, variables: { id, first: 10, after } });
  const person = data?.user;
  const isMe = Boolean(person && person.id === userId);
  const writer = person?.role === 'AUTHOR' || person?.role === 'ADMIN';
  const [series] = useQuery({ query: AuthorSeriesQuery, pause: !writer });
  usePageTitle(own ? 'Your profile' : person?.displayName);

  if (!person) {
    if (fetching) return <Loading />;
    if (data) return <Empty title={pathname.startsWith('/authors/') ? 'There is no such author.' : 'There is no such person.'} />;
    return <ErrorNote message={errorMessage(error) ?? 'Could not load the profile.'} onRetry={() => refetch({ requestPolicy: 'network-only' })} />;
  }
  const theirSeries = series.data?.seriesList.nodes.filter((s) => s.author?.id === person.id) ?? [];
  const posts = data?.posts;
  const hidden = person.level == null;
  return (
    <section className="profile-page">
      <p className="eyebrow">{isMe ? 'Your profile' : writer ? 'Author' : 'Reader'}</p>
      <h1>{person.displayName}</h1>
      {person.bio && <p className="author-bio">{person.bio}</p>}
      {isMe && (
        <p className="muted small">
          {person.profilePrivate ? 'Your profile is private: others see your name and bio only. ' : ''}
          <Link to="/settings">Edit your profile</Link>
        </p>
      )}
      {hidden ? (
        <p className="card private-note" data-testid="profile-private">
          This profile is private.
        </p>
      ) : (
        <Standing person={person} isMe={isMe} />
      )}
      {theirSeries.length > 0 && (
        <section aria-labelledby="author-series">
          <h2 id="author-series">Series</h2>
          <ul className="plain-list author-series">
            {theirSeries.map((s) => (
              <li key={s.id} className="card">
                <Link to={`/series/${s.slug}`}>{s.title}</Link>{' '}
                <span className="muted">
                  · {s.postCount} post{s.postCount === 1 ? '' : 's'}
                </span>
                {s.description && <p className="muted small">{s.description}</p>}
              </li>
            ))}
          </ul>
        </section>
      )}
      {(writer || (posts?.totalCount ?? 0) > 0) && (
        <>
          <h2>Posts</h2>
          <PostList page={posts} fetching={fetching} onMore={setAfter} empty={<Empty title="No published posts yet." />} />
        </>
      )}
    </section>
  );
}

/** Level, XP, streak, badges and recent XP of a profile one may see. */
function Standing({ person, isMe }: { person: Person; isMe: boolean }) {
  const progress = person.levelProgress;
  const streak = person.streak;
  const earned = person.badges ?? [];
  const [catalogue] = useQuery({ query: BadgeCatalogueQuery, pause: !isMe });
  const earnedSlugs = new Set(earned.map((e) => e.badge.slug));
  const toEarn = (catalogue.data?.badges ?? []).filter((b) => !earnedSlugs.has(b.slug));
  const percent = Math.round(progress?.percent ?? 0);
  const nextLevel = (person.level ?? 1) + 1;
  return (
    <>
      <section aria-labelledby="standing-title" className="standing">
        <h2 id="standing-title" className="visually-hidden">
          Level and streak
        </h2>
        <dl className="figures standing-figures" data-testid="standing">
          <div>
            <dt>Level</dt>
            <dd data-testid="profile-level">{person.level}</dd>
          </div>
          <div>
            <dt>XP</dt>
            <dd data-testid="profile-xp">{(person.xp ?? 0).toLocaleString('en')}</dd>
          </div>
          <div>
            <dt>Streak</dt>
            <dd data-testid="profile-streak">{days(streak?.current ?? 0)}</dd>
          </div>
          <div>
            <dt>Longest streak</dt>
            <dd>{days(streak?.longest ?? 0)}</dd>
          </div>
          <div>
            <dt>Streak freezes</dt>
            <dd>{streak?.freezes ?? 0}</dd>
          </div>
        </dl>
        {progress && (
          <div className="progress-card">
            <div className="progress-text">
              <strong>Level {progress.level}</strong>
              <span className="muted">
                {progress.xpIntoLevel.toLocaleString('en')} of {progress.xpForLevel.toLocaleString('en')} XP to level {nextLevel}
              </span>
            </div>
            <div className="progress" role="progressbar" aria-label={`Progress to level ${nextLevel}`} aria-valuemin={0} aria-valuemax={100} aria-valuenow={percent}>
              <div style={{ width: `${percent}%` }} />
            </div>
          </div>
        )}
      </section>

      <section aria-labelledby="badges-title">
        <h2 id="badges-title">Badges</h2>
        {earned.length === 0 ? (
          <p className="muted">{isMe ? 'No badges yet: finish a post or write a comment to earn your first.' : 'No badges yet.'}</p>
        ) : (
          <ul className="badge-grid" aria-label="Earned badges">
            {earned.map(({ badge, earnedAt }) => (
              <li key={badge.id} className="badge-card earned" data-testid="earned-badge">
                <BadgeIcon name={badge.icon} />
                <div>
                  <strong>{badge.name}</strong>
                  <span className="muted small">{badge.description}</span>
                  <span className="muted small">
                    Earned <When at={earnedAt} />
                  </span>
                </div>
              </li>
            ))}
          </ul>
        )}
        {isMe && toEarn.length > 0 && (
          <>
            <h3 className="to-earn-title">Still to earn</h3>
            <ul className="badge-grid" aria-label="Badges still to earn">
              {toEarn.map((badge) => (
                <li key={badge.id} className="badge-card">
                  <BadgeIcon name={badge.icon} />
                  <div>
                    <strong>{badge.name}</strong>
                    <span className="muted small">
                      {badge.description}
                      {badge.xp > 0 ? ` +${badge.xp} XP` : ''}
                    </span>
                  </div>
                </li>
              ))}
            </ul>
          </>
        )}
      </section>

      <section aria-labelledby="activity-title">
        <h2 id="activity-title">Recent activity</h2>
        {(person.recentActivity ?? []).length === 0 ? (
          <p className="muted">No XP yet.</p>
        ) : (
          <ol className="plain-list activity-list">
            {(person.recentActivity ?? []).map((award, index) => (
              <li key={`${award.createdAt}-${index}`}>
                <span className="xp-amount">+{award.amount} XP</span>
                <span>{award.link ? <Link to={award.link}>{sourceLabel(award.source)}</Link> : sourceLabel(award.source)}</span>
                <When at={award.createdAt} withTime />
              </li>
            ))}
          </ol>
        )}
      </section>
    </>
  );
}
