// Study notes: one note (read, edit, delete), the form for a new one with an
// optional quote of the post, and the side panel of the post page that lists
// the viewer's notes on it. The notes page (`/notes`) lists them all with the
// same note component.

import { useId, useRef, useState, type FormEvent, type RefObject } from 'react';
import { Link } from 'react-router';
import { useMutation, useQuery } from 'urql';

import { graphql } from '../gql';
import type { StudyNoteFieldsFragment } from '../gql/graphql';
import { formErrors } from '../lib/errors';
import { MAX_NOTE, lengthText, quoteOf, tooLong } from '../lib/notes';
import { ErrorNote, Loading, Prose, When } from './ui';

export const StudyNoteFields = graphql(`
  fragment StudyNoteFields on StudyNote {
    id
    body
    bodyHtml
    quote
    createdAt
    updatedAt
    post {
      id
      slug
      title
    }
  }
`);

const PostNotes = graphql(`
  query PostNotes($slug: String!) {
    post(slug: $slug) {
      id
      viewerNotes {
        ...StudyNoteFields
      }
    }
  }
`);

const CreateNote = graphql(`
  mutation CreateStudyNote($input: CreateStudyNoteInput!) {
    createStudyNote(input: $input) {
      ...StudyNoteFields
      post {
        id
        viewerNotes {
          ...StudyNoteFields
        }
      }
    }
  }
`);

const UpdateNote = graphql(`
  mutation UpdateStudyNote($id: ID!, $input: UpdateStudyNoteInput!) {
    updateStudyNote(id: $id, input: $input) {
      ...StudyNoteFields
    }
  }
`);

const DeleteNote = graphql(`
  mutation DeleteStudyNote($id: ID!) {
    deleteStudyNote(id: $id)
  }
`);

/** One note: its quote, its text, when it changed; edit and delete in place. */
export function NoteItem({ note, showPost = false }: { note: StudyNoteFieldsFragment; showPost?: boolean }) {
  const [editing, setEditing] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const [deleteState, remove] = useMutation(DeleteNote);
  const edited = note.updatedAt !== note.createdAt;
  return (
    <li className="note" data-testid="study-note" data-note={note.id}>
      {showPost && (
        <p className="eyebrow note-post">
          {note.post ? <Link to={`/posts/${note.post.slug}`}>{note.post.title}</Link> : 'A post you can no longer open'}
        </p>
      )}
      {editing ? (
        <EditNote note={note} onDone={() => setEditing(false)} />
      ) : (
        <>
          {note.quote && <blockquote className="note-quote">{note.quote}</blockquote>}
          <Prose html={note.bodyHtml} />
          <p className="note-meta">
            <span className="muted small">
              {edited ? 'Edited ' : ''}
              <When at={note.updatedAt} withTime />
            </span>
            {confirming ? (
              <span className="action-row" role="group" aria-label="Delete this note?">
                <span className="small">Delete this note?</span>
                <button type="button" className="button danger small" disabled={deleteState.fetching} onClick={() => void remove({ id: note.id })}>
                  Delete
                </button>
                <button type="button" className="button secondary small" onClick={() => setConfirming(false)}>
                  Keep
                </button>
              </span>
            ) : (
              <span className="action-row">
                <button type="button" className="link-button" onClick={() => setEditing(true)}>
                  Edit<span className="visually-hidden"> note</span>
                </button>
                <button type="button" className="link-button danger" onClick={() => setConfirming(true)}>
                  Delete<span className="visually-hidden"> note</span>
                </button>
              </span>
            )}
          </p>
          <ErrorNote message={formErrors(deleteState.error).form} />
        </>
      )}
    </li>
  );
}

function EditNote({ note, onDone }: { note: StudyNoteFieldsFragment; onDone(): void }) {
  const id = useId();
  const [body, setBody] = useState(note.body);
  const [keepQuote, setKeepQuote] = useState(true);
  const [state, update] = useMutation(UpdateNote);
  const errors = formErrors(state.error, ['body', 'quote']);
  async function submit(event: FormEvent) {
    event.preventDefault();
    const input = keepQuote || !note.quote ? { body } : { body, quote: null };
    const result = await update({ id: note.id, input });
    if (result.data) onDone();
  }
  return (
    <form className="stack note-form" onSubmit={submit} noValidate aria-label="Edit note">
      {note.quote && (
        <div>
          <blockquote className={`note-quote${keepQuote ? '' : ' removed'}`}>{note.quote}</blockquote>
          <label className="checkbox small">
            <input type="checkbox" checked={keepQuote} onChange={(e) => setKeepQuote(e.target.checked)} /> Keep the quote
          </label>
          {errors.fields.quote && <p className="field-error">{errors.fields.quote}</p>}
        </div>
      )}
      <NoteBody id={`${id}-body`} label="Note" value={body} onChange={setBody} error={errors.fields.body} autoFocus />
      <ErrorNote message={errors.form} />
      <div className="form-actions">
        <button type="submit" className="button small" disabled={state.fetching || !body.trim()}>
          Save note
        </button>
        <button type="button" className="button secondary small" onClick={onDone}>
          Cancel
        </button>
      </div>
    </form>
  );
}

/**
 * The note's text area, with its length (marked once past the limit) and the
 * server's error for it: the server is the one that refuses a note too long.
 */
function NoteBody({ id, label, value, onChange, error, autoFocus = false }: { id: string; label: string; value: string; onChange(value: string): void; error?: string; autoFocus?: boolean }) {
  const described = [`${id}-length`, error ? `${id}-error` : null].filter(Boolean).join(' ');
  return (
    <div className={`field${error ? ' has-error' : ''}`}>
      <label htmlFor={id}>{label}</label>
      <textarea
        id={id}
        rows={4}
        value={value}
        autoFocus={autoFocus}
        aria-invalid={error ? true : undefined}
        aria-describedby={described}
        onChange={(e) => onChange(e.target.value)}
        placeholder="Markdown: **bold**, `code`, lists, links."
      />
      <p className={`hint${tooLong(value) ? ' warning-text' : ''}`} id={`${id}-length`}>
        {lengthText(value)}
        {tooLong(value) && ` — over the limit of ${MAX_NOTE.toLocaleString('en')}`}
      </p>
      {error && (
        <p className="field-error" id={`${id}-error`}>
          {error}
        </p>
      )}
    </div>
  );
}

/** The selection inside `body`, if any, as text. */
function selectionIn(body: HTMLElement | null): string | null {
  const selection = typeof document === 'undefined' ? null : document.getSelection();
  if (!body || !selection || selection.isCollapsed || selection.rangeCount === 0) return null;
  const range = selection.getRangeAt(0);
  if (!body.contains(range.commonAncestorContainer)) return null;
  return selection.toString();
}

/** A new note on the post, quoting the passage selected in its body if the reader asks. */
function NewNote({ postId, bodyRef, canQuote }: { postId: string; bodyRef: RefObject<HTMLElement | null>; canQuote: boolean }) {
  const id = useId();
  const [body, setBody] = useState('');
  const [quote, setQuote] = useState<string | null>(null);
  const [shortened, setShortened] = useState(false);
  const [hint, setHint] = useState<string | null>(null);
  const [saved, setSaved] = useState(false);
  const [state, create] = useMutation(CreateNote);
  const errors = formErrors(state.error, ['body', 'quote']);
  // Read at pointer-down: a tap on a phone clears the selection before the click.
  const pressed = useRef<string | null>(null);

  function takeQuote() {
    const text = pressed.current ?? selectionIn(bodyRef.current);
    pressed.current = null;
    const taken = text ? quoteOf(text) : null;
    if (!taken) {
      setHint('Select a passage of the post first, then quote it.');
      return;
    }
    setHint(null);
    setQuote(taken.quote);
    setShortened(taken.shortened);
  }

  async function submit(event: FormEvent) {
    event.preventDefault();
    setSaved(false);
    const result = await create({ input: { postId, body, quote } });
    if (result.data) {
      setBody('');
      setQuote(null);
      setShortened(false);
      setSaved(true);
    }
  }

  return (
    <form className="stack note-form" onSubmit={submit} noValidate aria-labelledby={`${id}-title`}>
      <h3 id={`${id}-title`}>New note</h3>
      {quote ? (
        <div>
          <blockquote className="note-quote" data-testid="new-note-quote">
            {quote}
          </blockquote>
          {shortened && <p className="hint">The selection was shortened to its first 1,000 characters.</p>}
          <button type="button" className="link-button small" onClick={() => setQuote(null)}>
            Remove the quote
          </button>
        </div>
      ) : (
        canQuote && (
          <div>
            <button
              type="button"
              className="button secondary small"
              onPointerDown={() => (pressed.current = selectionIn(bodyRef.current))}
              onMouseDown={(e) => e.preventDefault()}
              onClick={takeQuote}
            >
              Quote the selection
            </button>
            <p className="hint" role="status">
              {hint ?? 'Select a passage of the post to quote it in the note.'}
            </p>
          </div>
        )
      )}
      {errors.fields.quote && <p className="field-error">{errors.fields.quote}</p>}
      <NoteBody
        id={`${id}-body`}
        label="Your note"
        value={body}
        onChange={(value) => {
          setBody(value);
          setSaved(false);
        }}
        error={errors.fields.body}
      />
      <ErrorNote message={errors.form} />
      <div className="form-actions">
        <button type="submit" className="button small" disabled={state.fetching || !body.trim()}>
          Save note
        </button>
        {saved && (
          <span className="saved" role="status">
            Saved.
          </span>
        )}
      </div>
    </form>
  );
}

/**
 * The post page's notes: the viewer's notes on this post, oldest first, and a
 * new one. A column beside the post on a wide screen; a drawer over the lower
 * part of the screen on a narrow one, which leaves the text above it readable
 * and scrollable.
 */
export function NotesPanel({ slug, postId, bodyRef, canQuote, onClose }: { slug: string; postId: string; bodyRef: RefObject<HTMLElement | null>; canQuote: boolean; onClose(): void }) {
  const [{ data, fetching, error }] = useQuery({ query: PostNotes, variables: { slug } });
  const notes = data?.post?.viewerNotes ?? [];
  return (
    <aside id="notes-panel" className="notes-panel" aria-labelledby="notes-title">
      <div className="notes-head">
        <h2 id="notes-title">Your notes{notes.length > 0 && <span className="muted"> ({notes.length})</span>}</h2>
        <button type="button" className="icon-button" onClick={onClose}>
          <span aria-hidden="true">×</span>
          <span className="visually-hidden">Close notes</span>
        </button>
      </div>
      <p className="hint">Private: only you see them. <Link to="/notes">All your notes</Link></p>
      {!data && fetching && <Loading />}
      <ErrorNote message={formErrors(error).form} />
      {notes.length > 0 ? (
        <ul className="notes-list">
          {notes.map((note) => (
            <NoteItem key={note.id} note={note} />
          ))}
        </ul>
      ) : (
        data && <p className="muted">No notes on this post yet.</p>
      )}
      <NewNote postId={postId} bodyRef={bodyRef} canQuote={canQuote} />
    </aside>
  );
}
