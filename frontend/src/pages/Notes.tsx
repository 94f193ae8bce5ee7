import { useEffect, useState, type FormEvent } from 'react';
import { Link, useSearchParams } from 'react-router';
import { useClient, useQuery } from 'urql';

import { LearningNav } from '../components/LearningNav';
import { NoteItem } from '../components/StudyNotes';
import { Empty, ErrorNote, LoadMore, Loading, usePageTitle } from '../components/ui';
import { graphql } from '../gql';
import { saveBlob } from '../lib/download';
import { errorMessage, formErrors } from '../lib/errors';
import { notesFileName } from '../lib/notes';

const NotesQuery = graphql(`
  query StudyNotesPage($search: String, $first: Int!, $after: String) {
    studyNotes(search: $search, first: $first, after: $after) {
      totalCount
      edges {
        node {
          ...StudyNoteFields
        }
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
`);

const NotesMarkdown = graphql(`
  query StudyNotesMarkdown {
    studyNotesMarkdown
  }
`);

/** `/notes`: every note of the viewer's, latest change first, searchable, and downloadable as one markdown file. */
export function NotesPage() {
  usePageTitle('Your notes');
  const [params, setParams] = useSearchParams();
  const search = params.get('q') ?? '';
  const [typed, setTyped] = useState(search);
  const [after, setAfter] = useState<string | null>(null);
  const [{ data, fetching, error }, refetch] = useQuery({
    query: NotesQuery,
    variables: { search: search || null, first: 20, after },
  });
  const notes = data?.studyNotes;
  const searchError = formErrors(error, ['search']).fields.search;

  // Searching as the reader types, once they pause.
  useEffect(() => {
    if (typed.trim() === search) return;
    const timer = setTimeout(() => {
      setAfter(null);
      setParams(typed.trim() ? { q: typed.trim() } : {}, { replace: true });
    }, 300);
    return () => clearTimeout(timer);
  }, [typed, search, setParams]);

  function submit(event: FormEvent) {
    event.preventDefault();
    setAfter(null);
    setParams(typed.trim() ? { q: typed.trim() } : {}, { replace: true });
  }

  return (
    <div className="narrow-wide notes-page">
      <LearningNav />
      <div className="page-head">
        <h1>Your notes</h1>
        <DownloadNotes />
      </div>
      <form role="search" className="search-form" onSubmit={submit}>
        <label htmlFor="notes-search" className="visually-hidden">
          Search your notes
        </label>
        <input
          id="notes-search"
          type="search"
          placeholder="Search your notes and quotes…"
          value={typed}
          onChange={(e) => setTyped(e.target.value)}
          aria-invalid={searchError ? true : undefined}
          aria-describedby={searchError ? 'notes-search-error' : undefined}
        />
        <button type="submit" className="button secondary">
          Search
        </button>
      </form>
      {searchError && (
        <p className="field-error" id="notes-search-error">
          {searchError}
        </p>
      )}
      {notes && (
        <p className="muted" role="status" data-testid="notes-count">
          {search ? `${notes.totalCount} note${notes.totalCount === 1 ? '' : 's'} matching “${search}”` : `${notes.totalCount} note${notes.totalCount === 1 ? '' : 's'}`}
        </p>
      )}
      {!searchError && <ErrorNote message={errorMessage(error)} onRetry={() => refetch({ requestPolicy: 'network-only' })} />}
      {!notes && fetching && <Loading />}
      {notes && notes.edges.length === 0 && (
        <Empty title={search ? 'No note matches.' : 'No notes yet.'}>
          {!search && (
            <p>
              Open a post and choose “Notes” to write one, quoting a passage if you like. <Link to="/">Browse the feed</Link>
            </p>
          )}
        </Empty>
      )}
      {notes && notes.edges.length > 0 && (
        <ul className="notes-list">
          {notes.edges.map(({ node }) => (
            <NoteItem key={node.id} note={node} showPost />
          ))}
        </ul>
      )}
      {notes && <LoadMore hasMore={notes.pageInfo.hasNextPage} fetching={fetching} onMore={() => setAfter(notes.pageInfo.endCursor ?? null)} />}
    </div>
  );
}

/** Fetches every note as one markdown document and saves it as a file. */
function DownloadNotes() {
  const client = useClient();
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  async function download() {
    setBusy(true);
    setProblem(null);
    const result = await client.query(NotesMarkdown, {}, { requestPolicy: 'network-only' }).toPromise();
    setBusy(false);
    if (result.data) saveBlob(new Blob([result.data.studyNotesMarkdown], { type: 'text/markdown;charset=utf-8' }), notesFileName(new Date()));
    else setProblem(errorMessage(result.error) ?? 'Could not download your notes.');
  }
  return (
    <div>
      <button type="button" className="button secondary" disabled={busy} onClick={() => void download()}>
        {busy ? 'Preparing…' : 'Download as markdown'}
      </button>
      <ErrorNote message={problem} />
    </div>
  );
}
