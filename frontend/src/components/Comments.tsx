import { useEffect, useMemo, useState, type FormEvent } from 'react';
import { Link, useLocation } from 'react-router';
import { useMutation, useQuery, useSubscription } from 'urql';

import { buildTree, countVisible, flatten, merge, remove, upsert, type TreeNode } from '../comments/tree';
import { graphql } from '../gql';
import type { CommentFieldsFragment } from '../gql/graphql';
import { useAuth, useMe } from '../lib/auth';
import { errorMessage, formErrors } from '../lib/errors';
import { Empty, ErrorNote, Loading, When } from './ui';

export const CommentFields = graphql(`
  fragment CommentFields on Comment {
    id
    postId
    parentId
    body
    status
    createdAt
    editedAt
    author {
      id
      displayName
    }
  }
`);

// Replies nest to any depth on the server; the page asks for eight levels
// (within the server's query depth limit) and live replies go deeper still.
const CommentsQuery = graphql(`
  query PostComments($postId: ID!) {
    comments(postId: $postId) {
      ...CommentFields
      replies {
        ...CommentFields
        replies {
          ...CommentFields
          replies {
            ...CommentFields
            replies {
              ...CommentFields
              replies {
                ...CommentFields
                replies {
                  ...CommentFields
                  replies {
                    ...CommentFields
                    replies {
                      ...CommentFields
                    }
                  }
                }
              }
            }
          }
        }
      }    }
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

export function Comments({ postId, postSlug }: { postId: string; postSlug: string }) {
  const { userId } = useAuth();
  const { me } = useMe();
  const location = useLocation();
  const [{ data, fetching, error }, refetch] = useQuery({ query: CommentsQuery, variables: { postId } });
  const [live] = useSubscription({ query: CommentAdded, variables: { postId } }, (previous: Row[] = [], event) =>
    upsert(previous, event.commentAdded),
  );
  const [mine, setMine] = useState<Row[]>([]);
  const [deleted, setDeleted] = useState<string[]>([]);

  const rows = useMemo(() => {
    const server = flatten<Row>(data?.comments ?? []);
    let all = merge(server, [...mine, ...(live.data ?? [])]);
    for (const id of deleted) all = remove(all, id);
    return all;
  }, [data, mine, live.data, deleted]);
  const tree = useMemo(() => buildTree(rows), [rows]);

  // A link to a comment (from a notification) scrolls to it once it is there.
  const target = location.hash.startsWith('#comment-') ? location.hash.slice(1) : null;
  const targetPresent = Boolean(target && rows.some((row) => `comment-${row.id}` === target));
  useEffect(() => {
    if (target && targetPresent) document.getElementById(target)?.scrollIntoView({ block: 'center' });
  }, [target, targetPresent]);

  const actions: Actions = {
    added: (row) => setMine((list) => upsert(list, row)),
    deleted: (id) => setDeleted((list) => [...list, id]),
    userId,
    isAdmin: me?.role === 'ADMIN',
    postId,
  };

  const count = countVisible(rows);
  return (
    <section className="comments" aria-labelledby="comments-title">
      <h2 id="comments-title">
        Discussion <span className="muted">({count})</span>
      </h2>
      {userId ? (
        <CommentForm postId={postId} parentId={null} onDone={actions.added} label="Add a comment" submitLabel="Comment" />
      ) : (
        <p className="muted">
          <Link to={`/sign-in?next=/posts/${postSlug}`}>Sign in</Link> to join the discussion.
        </p>
      )}
      <ErrorNote message={errorMessage(error)} onRetry={() => refetch({ requestPolicy: 'network-only' })} />
      {fetching && !data && <Loading label="Loading comments…" />}
      {data && tree.length === 0 && <Empty title="No comments yet. Start the discussion." />}
      <ol className="thread" aria-live="polite">
        {tree.map((node) => (
          <CommentItem key={node.comment.id} node={node} actions={actions} target={target} />
        ))}
      </ol>
    </section>
  );
}

interface Actions {
  added(row: Row): void;
  deleted(id: string): void;
  userId: string | null;
  isAdmin: boolean;
  postId: string;
}

function CommentItem({ node, actions, target }: { node: TreeNode<Row>; actions: Actions; target: string | null }) {
  const { comment } = node;
  const [mode, setMode] = useState<'view' | 'reply' | 'edit'>('view');
  const [deleteState, deleteComment] = useMutation(DeleteComment);
  const [moderateState, moderate] = useMutation(ModerateComment);
  const removed = comment.status !== 'VISIBLE';
  const own = Boolean(actions.userId && comment.author?.id === actions.userId);
  const anchor = `comment-${comment.id}`;

  return (
    <li className={`comment${target === anchor ? ' targeted' : ''}`} id={anchor}>
      <div className="comment-body" data-testid="comment">
        <p className="meta">
          <strong>{comment.author?.displayName ?? 'Someone'}</strong>
          <When at={comment.createdAt} withTime />
          {comment.editedAt && <span className="muted">edited</span>}
        </p>
        {mode === 'edit' ? (
          <CommentForm
            postId={actions.postId}
            editing={comment}
            parentId={comment.parentId}
            label="Edit your comment"
            submitLabel="Save"
            onDone={() => setMode('view')}
            onCancel={() => setMode('view')}
          />
        ) : (
          <p className={`text${removed ? ' muted' : ''}`}>{comment.body}</p>
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
              onClick={() => void moderate({ id: comment.id, status: comment.status === 'HIDDEN' ? 'VISIBLE' : 'HIDDEN' })}
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
      {node.replies.length > 0 && (
        <ol className="thread replies">
          {node.replies.map((child) => (
            <CommentItem key={child.comment.id} node={child} actions={actions} target={target} />
          ))}
        </ol>
      )}
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
