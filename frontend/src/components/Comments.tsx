import { useCallback, useEffect, useMemo, useReducer, useRef, useState, type CSSProperties, type FormEvent } from 'react';
import { Link, useLocation } from 'react-router';
import { CombinedError, useClient, useMutation } from 'urql';

import { arrange, beyondIndent, emptyThread, indentOf, threadReducer, visibleCount } from '../comments/thread';
import { graphql } from '../gql';
import type { CommentFieldsFragment } from '../gql/graphql';
import { useAuth, useMe } from '../lib/auth';
import { errorMessage, formErrors } from '../lib/errors';
import { ResendVerification } from '../pages/auth/AuthPages';
import { Empty, ErrorNote, Loading, When } from './ui';

export const CommentFields = graphql(`
  fragment CommentFields on Comment {
    id
    postId
    parentId
    depth
    body
    bodyHtml
    status
    createdAt
    editedAt
    author {
      id
      displayName
    }
  }
`);

/** Comments per page: one screenful or two, well under the server's limit of 100. */
export const THREAD_PAGE_SIZE = 50;
/** How many pages a link to a comment (from a notification) loads, at most, looking for it. */
const TARGET_PAGE_LIMIT = 20;

// The discussion, flat and depth first (`Post.thread`), one page at a time;
// `commentCount` comes along so the heading counts the whole discussion, not
// the loaded part.
const ThreadQuery = graphql(`
  query PostThread($slug: String!, $first: Int!, $after: String) {
    post(slug: $slug) {
      id
      commentCount
      thread(first: $first, after: $after) {
        nodes {
          ...CommentFields
        }
        pageInfo {
          hasNextPage
          endCursor
        }
      }
    }
  }
`);

const CommentAdded = graphql(`
  subscription CommentAdded($postId: ID!) {
    commentAdded(postId: $postId) {
      ...CommentFields
    }
  }
`);

const AddComment = graphql(`
  mutation AddComment($postId: ID!, $parentId: ID, $body: String!) {
    addComment(postId: $postId, parentId: $parentId, body: $body) {
      ...CommentFields
    }
  }
`);

const EditComment = graphql(`
  mutation EditComment($id: ID!, $body: String!) {
    editComment(id: $id, body: $body) {
      ...CommentFields
    }
  }
`);

const ModerateComment = graphql(`
  mutation ModerateComment($id: ID!, $status: CommentStatus!) {
    moderateComment(id: $id, status: $status) {
      ...CommentFields
    }
  }
`);

const DeleteComment = graphql(`
  mutation DeleteComment($id: ID!) {
    deleteComment(id: $id)
  }
`);

type Row = CommentFieldsFragment;

// The thread lives in this component's state (comments/thread.ts), not in a
// graphcache `relayPagination` field: a new comment belongs right after its
// parent's subtree, which may sit in the middle of any loaded page, and
// relayPagination can only merge whole pages (a cache update would have to
// find and rewrite the right page's edge list). A pure reducer over "pages as
// loaded + comments that arrived live" places, dedupes and counts them, and
// is unit-tested. Pages are read `network-only`, so a page is never a stale
// cached copy; the mutations still go through graphcache as usual.
export function Comments({ postId, postSlug }: { postId: string; postSlug: string }) {
  const client = useClient();
  const { userId } = useAuth();
  const { me } = useMe();
  const location = useLocation();
  const [thread, dispatch] = useReducer(threadReducer<Row>, undefined, emptyThread<Row>);
  const [status, setStatus] = useState('');
  // The page being read: at most one at a time, and none from a client (viewer) that was replaced.
  const inFlight = useRef<symbol | null>(null);

  // Reads a page; the state changes only when it arrives, so effects may call
  // it. A button that calls it says `loading` first itself.
  const load = useCallback(
    (after: string | null) => {
      const ticket = Symbol('page');
      inFlight.current = ticket;
      void client
        .query(ThreadQuery, { slug: postSlug, first: THREAD_PAGE_SIZE, after }, { requestPolicy: 'network-only' })
        .toPromise()
        .then((result) => {
          if (inFlight.current !== ticket) return;
          inFlight.current = null;
          const post = result.data?.post;
          if (!post) {
            // A post that is gone (or no longer readable) reads as NOT_FOUND, or as null.
            const error = result.error ?? new CombinedError({ networkError: new Error('This discussion could not be loaded.') });
            dispatch({ type: 'failed', error });
            return;
          }
          const { nodes, pageInfo } = post.thread;
          dispatch({
            type: 'page',
            nodes,
            hasNextPage: pageInfo.hasNextPage,
            endCursor: pageInfo.endCursor ?? null,
            commentCount: post.commentCount,
            reset: after === null,
          });
          if (after !== null) setStatus(`${nodes.length} more comment${nodes.length === 1 ? '' : 's'} loaded.`);
        });
    },
    [client, postSlug],
  );

  // The first page, again whenever the viewer (and so the client) changes: admins read hidden text.
  useEffect(() => {
    load(null);
    return () => {
      inFlight.current = null;
    };
  }, [load]);

  useEffect(() => {
    const { unsubscribe } = client.subscription(CommentAdded, { postId }).subscribe((result) => {
      if (result.data) dispatch({ type: 'added', comment: result.data.commentAdded });
    });
    return unsubscribe;
  }, [client, postId]);

  const { loading, error } = thread;
  const rows = useMemo(() => arrange(thread.server, thread.extras), [thread.server, thread.extras]);
  const byId = useMemo(() => new Map(rows.map((row) => [row.id, row])), [rows]);
  const more = thread.hasNextPage && thread.endCursor !== null;
  // After "Show more comments", keyboard focus moves to the first comment it
  // brought (the button may be gone, and the new comments start above it).
  const focusAfter = useRef<string | null>(null);
  useEffect(() => {
    if (focusAfter.current === null || loading) return;
    const last = document.getElementById(`comment-${focusAfter.current}`);
    focusAfter.current = null;
    const next = last?.nextElementSibling;
    if (next instanceof HTMLElement) next.focus();
  }, [rows, loading]);
  const loadMore = () => {
    if (loading || !more) return;
    focusAfter.current = thread.server.at(-1)?.id ?? null;
    dispatch({ type: 'loading' });
    load(thread.endCursor);
  };
  const retry = () => {
    dispatch({ type: 'loading' });
    load(thread.loaded ? thread.endCursor : null);
  };

  // A link to a comment (from a notification) loads pages until the comment is
  // there (at most TARGET_PAGE_LIMIT of them, then the button takes over),
  // then scrolls to it.
  const target = location.hash.startsWith('#comment-') ? location.hash.slice(1) : null;
  const targetPresent = Boolean(target && byId.has(target.slice('comment-'.length)));
  const pagesForTarget = useRef(0);
  useEffect(() => {
    pagesForTarget.current = 0;
  }, [target]);
  useEffect(() => {
    if (!target || targetPresent || !thread.loaded || inFlight.current || thread.error || !more) return;
    if (pagesForTarget.current >= TARGET_PAGE_LIMIT) return;
    pagesForTarget.current += 1;
    load(thread.endCursor);
  }, [target, targetPresent, thread.loaded, thread.endCursor, thread.error, more, load]);
  useEffect(() => {
    if (target && targetPresent) document.getElementById(target)?.scrollIntoView({ block: 'center' });
  }, [target, targetPresent]);
  const targetMissing = Boolean(target && thread.loaded && !targetPresent && !more);

  const actions: Actions = {
    added: (row) => dispatch({ type: 'added', comment: row }),
    changed: (row) => dispatch({ type: 'changed', comment: row }),
    deleted: (id) => dispatch({ type: 'deleted', id }),
    userId,
    isAdmin: me?.role === 'ADMIN',
    postId,
  };

  return (
    <section className="comments" aria-labelledby="comments-title">
      <h2 id="comments-title">
        Discussion <span className="muted">({visibleCount(thread)})</span>
      </h2>
      {userId ? (
        <CommentForm postId={postId} parentId={null} onDone={actions.added} label="Add a comment" submitLabel="Comment" />
      ) : (
        <p className="muted">
          <Link to={`/sign-in?next=/posts/${postSlug}`}>Sign in</Link> to join the discussion.
        </p>
      )}
      {targetMissing && <p className="muted">The comment this link points to is no longer in the discussion.</p>}
      {thread.loaded && rows.length === 0 && <Empty title="No comments yet. Start the discussion." />}
      <ol className="thread">
        {rows.map((row) => (
          <CommentItem
            key={row.id}
            comment={row}
            parent={row.parentId ? byId.get(row.parentId) : undefined}
            actions={actions}
            target={target}
          />
        ))}
      </ol>
      <ErrorNote message={error instanceof CombinedError ? errorMessage(error) : (error?.message ?? null)} onRetry={retry} />
      {!thread.loaded && !error && <Loading label="Loading comments…" />}
      {thread.loaded && more && (
        <button type="button" className="button secondary show-more" onClick={loadMore} disabled={loading} aria-busy={loading}>
          {loading ? 'Loading comments…' : 'Show more comments'}
        </button>
      )}
      <p className="visually-hidden" role="status">
        {status}
      </p>
    </section>
  );
}

interface Actions {
  added(row: Row): void;
  changed(row: Row): void;
  deleted(id: string): void;
  userId: string | null;
  isAdmin: boolean;
  postId: string;
}

function CommentItem({
  comment,
  parent,
  actions,
  target,
}: {
  comment: Row;
  parent: Row | undefined;
  actions: Actions;
  target: string | null;
}) {
  const [mode, setMode] = useState<'view' | 'reply' | 'edit'>('view');
  const [deleteState, deleteComment] = useMutation(DeleteComment);
  const [moderateState, moderate] = useMutation(ModerateComment);
  const removed = comment.status !== 'VISIBLE';
  const own = Boolean(actions.userId && comment.author?.id === actions.userId);
  const anchor = `comment-${comment.id}`;
  const parentName = comment.parentId ? (parent?.author?.displayName ?? 'a comment') : null;
  const style = { '--indent': indentOf(comment.depth) } as CSSProperties;

  return (
    <li
      className={`comment${comment.depth > 0 ? ' reply' : ''}${target === anchor ? ' targeted' : ''}`}
      id={anchor}
      data-depth={comment.depth}
      style={style}
      tabIndex={-1}
    >
      <div className="comment-body" data-testid="comment">
        <p className="meta">
          <strong>{comment.author?.displayName ?? 'Someone'}</strong>
          <When at={comment.createdAt} withTime />
          {comment.editedAt && <span className="muted">edited</span>}
          {parentName &&
            (beyondIndent(comment.depth) ? (
              <Link className="muted replying-to" to={{ hash: `#comment-${comment.parentId}` }}>
                replying to {parentName}
              </Link>
            ) : (
              // The indent shows whom a reply answers; a screen reader hears it.
              <span className="visually-hidden">replying to {parentName}</span>
            ))}
        </p>
        {mode === 'edit' ? (
          <CommentForm
            postId={actions.postId}
            editing={comment}
            parentId={comment.parentId}
            label="Edit your comment"
            submitLabel="Save"
            onDone={(row) => {
              actions.changed(row);
              setMode('view');
            }}
            onCancel={() => setMode('view')}
          />
        ) : (
          // bodyHtml is the server's rendering of the comment's markdown, sanitised there
          // (a safe subset: no images, no raw HTML), like a post's body.
          <div className={`text${removed ? ' muted' : ''}`} dangerouslySetInnerHTML={{ __html: comment.bodyHtml }} />
        )}
        {!removed && mode === 'view' && (
          <div className="comment-actions">
            {actions.userId && (
              <button type="button" className="link-button" onClick={() => setMode('reply')}>
                Reply
              </button>
            )}
            {own && (
              <button type="button" className="link-button" onClick={() => setMode('edit')}>
                Edit
              </button>
            )}
            {(own || actions.isAdmin) && (
              <button
                type="button"
                className="link-button danger"
                disabled={deleteState.fetching}
                onClick={async () => {
                  if (!window.confirm('Delete this comment?')) return;
                  const result = await deleteComment({ id: comment.id });
                  if (result.data?.deleteComment) actions.deleted(comment.id);
                }}
              >
                Delete
              </button>
            )}
          </div>
        )}
        {actions.isAdmin && comment.status !== 'DELETED' && mode === 'view' && (
          <div className="comment-actions">
            <button
              type="button"
              className="link-button"
              disabled={moderateState.fetching}
              onClick={async () => {
                const result = await moderate({ id: comment.id, status: comment.status === 'HIDDEN' ? 'VISIBLE' : 'HIDDEN' });
                if (result.data) actions.changed(result.data.moderateComment);
              }}
            >
              {comment.status === 'HIDDEN' ? 'Show again' : 'Hide'}
            </button>
            {comment.status === 'HIDDEN' && <span className="muted">Hidden from readers</span>}
          </div>
        )}
        <ErrorNote message={errorMessage(deleteState.error) ?? errorMessage(moderateState.error)} />
        {mode === 'reply' && (
          <CommentForm
            postId={actions.postId}
            parentId={comment.id}
            label={`Reply to ${comment.author?.displayName ?? 'this comment'}`}
            submitLabel="Reply"
            onDone={(row) => {
              actions.added(row);
              setMode('view');
            }}
            onCancel={() => setMode('view')}
          />
        )}
      </div>
    </li>
  );
}

interface FormProps {
  postId: string;
  parentId: string | null;
  editing?: Row;
  label: string;
  submitLabel: string;
  onDone(row: Row): void;
  onCancel?(): void;
}

function CommentForm({ postId, parentId, editing, label, submitLabel, onDone, onCancel }: FormProps) {
  const [body, setBody] = useState(editing?.body ?? '');
  const [addState, add] = useMutation(AddComment);
  const [editState, edit] = useMutation(EditComment);
  const state = editing ? editState : addState;
  const errors = formErrors(state.error, ['body']);
  const id = `comment-form-${editing?.id ?? parentId ?? 'root'}`;

  async function submit(event: FormEvent) {
    event.preventDefault();
    const result = editing ? await edit({ id: editing.id, body }) : await add({ postId, parentId, body });
    const row = result.data && ('addComment' in result.data ? result.data.addComment : result.data.editComment);
    if (row) {
      if (!editing) setBody('');
      onDone(row);
    }
  }

  const error = errors.fields.body ?? errors.form;
  const unverified = state.error?.graphQLErrors.some((e) => e.extensions?.code === 'EMAIL_NOT_VERIFIED') ?? false;
  return (
    <form className="comment-form" onSubmit={submit}>
      <label htmlFor={id} className="visually-hidden">
        {label}
      </label>
      <textarea
        id={id}
        value={body}
        onChange={(event) => setBody(event.target.value)}
        placeholder={label}
        rows={parentId || editing ? 3 : 4}
        required
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? `${id}-error` : undefined}
        autoFocus={Boolean(parentId || editing)}
      />
      {error && (
        <p className="field-error" id={`${id}-error`} role="alert">
          {error}
        </p>
      )}
      {unverified && <ResendVerification />}
      <div className="form-actions">
        <button type="submit" className="button" disabled={state.fetching || !body.trim()}>
          {state.fetching ? 'Sending…' : submitLabel}
        </button>
        {onCancel && (
          <button type="button" className="button secondary" onClick={onCancel}>
            Cancel
          </button>
        )}
      </div>
    </form>
  );
}
