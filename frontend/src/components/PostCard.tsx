import { Link } from 'react-router';

import { graphql } from '../gql';
import type { PostCardFieldsFragment } from '../gql/graphql';
import { When } from './ui';

export const PostCardFields = graphql(`
  fragment PostCardFields on Post {
    id
    slug
    title
    excerpt
    isPremium
    isLocked
    readingMinutes
    difficulty
    publishedAt
    commentCount
    coverImageUrl
    author {
      id
      displayName
    }
    tags {
      id
      slug
      name
    }
    series {
      id
      slug
      title
    }
    viewerProgress {
      completedAt
    }
  }
`);

export const DIFFICULTY_LABEL: Record<string, string> = {
  BEGINNER: 'Beginner',
  INTERMEDIATE: 'Intermediate',
  ADVANCED: 'Advanced',
};

export function PostMeta({ post }: { post: PostCardFieldsFragment }) {
  return (
    <p className="meta">
      {post.author && <Link to={`/authors/${post.author.id}`}>{post.author.displayName}</Link>}
      <When at={post.publishedAt} />
      <span>{post.readingMinutes} min read</span>
      <span>{DIFFICULTY_LABEL[post.difficulty] ?? post.difficulty}</span>
      {post.isPremium && <span className="badge premium">Premium</span>}
      {post.viewerProgress?.completedAt && <span className="badge done">Read</span>}
    </p>
  );
}

export function TagList({ tags }: { tags: readonly { id: string; slug: string; name: string }[] }) {
  if (!tags.length) return null;
  return (
    <ul className="tags" aria-label="Tags">
      {tags.map((tag) => (
        <li key={tag.id}>
          <Link to={`/tags/${tag.slug}`}>#{tag.name}</Link>
        </li>
      ))}
    </ul>
  );
}

/**
 * The post's cover: lazy (the feed holds many), with its box reserved by the
 * width and height (1200 × 630, the usual social-card shape) so nothing jumps
 * when it arrives.
 */
export function Cover({ url, title, className = '', eager = false }: { url: string; title: string; className?: string; eager?: boolean }) {
  return (
    <img
      className={`cover ${className}`.trim()}
      src={url}
      alt={`Cover image of “${title}”`}
      width={1200}
      height={630}
      loading={eager ? 'eager' : 'lazy'}
      decoding="async"
    />
  );
}

export function PostCard({ post }: { post: PostCardFieldsFragment }) {
  return (
    <article className="card post-card">
      {post.coverImageUrl && <Cover url={post.coverImageUrl} title={post.title} />}
      {post.series && (
        <p className="eyebrow">
          <Link to={`/series/${post.series.slug}`}>{post.series.title}</Link>
        </p>
      )}
      <h2>
        <Link to={`/posts/${post.slug}`}>{post.title}</Link>
      </h2>
      <PostMeta post={post} />
      <p className="excerpt">{post.excerpt}</p>
      <div className="card-foot">
        <TagList tags={post.tags} />
        <span className="muted">
          {post.commentCount} comment{post.commentCount === 1 ? '' : 's'}
        </span>
      </div>
    </article>
  );
}
