import { useState, type FormEvent } from 'react';
import { Link, useSearchParams } from 'react-router';
import { useQuery } from 'urql';

import { Empty, ErrorNote, Loading, usePageTitle } from '../components/ui';
import { graphql } from '../gql';
import type { SearchMode } from '../gql/graphql';
import { errorMessage } from '../lib/errors';
import { emptyHint, isMode, MODES } from '../lib/searchModes';
import { snippetParts } from '../lib/snippet';

const SearchQuery = graphql(`
  query Search($query: String!, $mode: SearchMode!, $first: Int) {
    search(query: $query, mode: $mode, first: $first) {
      mode
      semanticUnavailable
      suggestedMode
      hits {
      score
      snippet
      post {
        id
        slug
        title
        isPremium
        readingMinutes
        series {
          id
          title
        }
      }
      passage {
        id
        headingPath
      }
      }
    }
  }
`);

export function Snippet({ html }: { html: string }) {
  return (
    <p className="snippet">
      {snippetParts(html).map((part, i) => (part.marked ? <mark key={i}>{part.text}</mark> : <span key={i}>{part.text}</span>))}
    </p>
  );
}

export function Search() {
  const [params, setParams] = useSearchParams();
  const q = params.get('q') ?? '';
  const modeParam = params.get('mode');
  const mode: SearchMode = isMode(modeParam) ? modeParam : 'HYBRID';
  const [draft, setDraft] = useState(q);
  const [{ data, fetching, error }, refetch] = useQuery({
    query: SearchQuery,
    variables: { query: q, mode, first: 20 },
    pause: !q.trim(),
  });
  usePageTitle(q ? `Search: ${q}` : 'Search');

  function submit(event: FormEvent) {
    event.preventDefault();
    setParams({ q: draft.trim(), mode });
  }

  const hits = data?.search.hits;
  const hint = emptyHint(data?.search.suggestedMode);
  return (
    <section>
      <h1>Search</h1>
      <form className="search-form" role="search" onSubmit={submit}>
        <label htmlFor="search-query" className="visually-hidden">
          Search query
        </label>
        <input id="search-query" type="search" value={draft} onChange={(e) => setDraft(e.target.value)} placeholder="What are you looking for?" />
        <button type="submit" className="button">
          Search
        </button>
        <fieldset className="segmented">
          <legend className="visually-hidden">Search mode</legend>
          {MODES.map((m) => (
            <label key={m.mode} title={m.hint} className={m.mode === mode ? 'active' : undefined}>
              <input
                type="radio"
                name="mode"
                value={m.mode}
                checked={m.mode === mode}
                onChange={() => setParams(q ? { q, mode: m.mode } : { mode: m.mode })}
              />
              {m.label}
            </label>
          ))}
        </fieldset>
      </form>
      <ErrorNote message={errorMessage(error)} onRetry={() => refetch({ requestPolicy: 'network-only' })} />
      {!q.trim() && <Empty title="Type a question or a few words to search every post." />}
      {q.trim() && fetching && !hits && <Loading label="Searching…" />}
      {data?.search.semanticUnavailable && (
        <p className="muted" role="status">
          Search by meaning is unavailable on this server right now; these results match your words only.
        </p>
      )}
      {hits && hits.length === 0 && (
        <Empty title={`Nothing matches “${q}”.`}>
          {hint && (
            <p>
              {hint.text}{' '}
              <button type="button" className="button secondary small" onClick={() => setParams({ q, mode: hint.mode })}>
                Try it
              </button>
            </p>
          )}
        </Empty>
      )}
      {hits && hits.length > 0 && (
        <ol className="search-results" aria-label="Results">
          {hits.map((hit) => (
            <li key={`${hit.post.id}-${hit.passage?.id ?? 'post'}`} className="card">
              <h2>
                <Link to={`/posts/${hit.post.slug}`}>{hit.post.title}</Link>
              </h2>
              {hit.passage && hit.passage.headingPath.length > 0 && <p className="eyebrow">{hit.passage.headingPath.join(' › ')}</p>}
              <Snippet html={hit.snippet} />
              <p className="meta">
                {hit.post.series && <span>{hit.post.series.title}</span>}
                <span>{hit.post.readingMinutes} min read</span>
                {hit.post.isPremium && <span className="badge premium">Premium</span>}
              </p>
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}
