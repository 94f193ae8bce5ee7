import { useEffect, useRef, useState, type FormEvent } from 'react';
import { Link } from 'react-router';
import { useSubscription } from 'urql';

import { applyEvent, citedSources, failAnswer, segments, startAnswer, type AnswerState, type AskEvent } from '../ask/assemble';
import { graphql } from '../gql';
import { useAuth } from '../lib/auth';
import { messageFor } from '../lib/errors';

const AskAi = graphql(`
  subscription AskAi($question: String!, $postSlug: String) {
    askAi(question: $question, postSlug: $postSlug) {
      __typename
      ... on AskAiSources {
        sources {
          index
          heading
          score
          post {
            id
            slug
            title
          }
          passage {
            id
            text
          }
        }
      }
      ... on AskAiDelta {
        text
      }
      ... on AskAiDone {
        finishReason
        characters
        tokens
        retrievalMs
        firstDeltaMs
        totalMs
      }
      ... on AskAiError {
        code
        message
      }
    }
  }
`);

interface Props {
  postSlug?: string;
  postTitle?: string;
  onClose(): void;
}

export function AskAiPanel({ postSlug, postTitle, onClose }: Props) {
  const { userId } = useAuth();
  const [draft, setDraft] = useState('');
  const [onlyThisPost, setOnlyThisPost] = useState(Boolean(postSlug));
  const [asked, setAsked] = useState<{ question: string; postSlug: string | null; n: number } | null>(null);
  const closeRef = useRef<HTMLButtonElement>(null);

  useEffect(() => {
    closeRef.current?.focus();
    const onKey = (event: KeyboardEvent) => {
      if (event.key === 'Escape') onClose();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [onClose]);

  function submit(event: FormEvent) {
    event.preventDefault();
    const question = draft.trim();
    if (!question) return;
    setAsked((previous) => ({ question, postSlug: onlyThisPost && postSlug ? postSlug : null, n: (previous?.n ?? 0) + 1 }));
  }

  return (
    <aside className="ask-panel" role="dialog" aria-modal="false" aria-labelledby="ask-title">
      <header className="ask-head">
        <h2 id="ask-title">Ask AI</h2>
        <button ref={closeRef} type="button" className="icon-button" aria-label="Close Ask AI" onClick={onClose}>
          ×
        </button>
      </header>
      {!userId ? (
        <p>
          <Link to="/sign-in">Sign in</Link> to ask questions about the posts.
        </p>
      ) : (
        <>
          <form onSubmit={submit} className="ask-form">
            <label htmlFor="ask-question">Your question</label>
            <textarea
              id="ask-question"
              value={draft}
              rows={3}
              maxLength={500}
              placeholder="What would you like to know?"
              onChange={(event) => setDraft(event.target.value)}
              onKeyDown={(event) => {
                if (event.key === 'Enter' && !event.shiftKey) submit(event);
              }}
            />
            {postSlug && (
              <label className="checkbox">
                <input type="checkbox" checked={onlyThisPost} onChange={(event) => setOnlyThisPost(event.target.checked)} />
                Only from “{postTitle ?? postSlug}”
              </label>
            )}
            <div className="form-actions">
              <button type="submit" className="button" disabled={!draft.trim()}>
                Ask
              </button>
            </div>
          </form>
          {asked && <Answer key={asked.n} question={asked.question} postSlug={asked.postSlug} />}
        </>
      )}
    </aside>
  );
}

/** One streamed answer; unmounting (a new question, closing) stops it on the server. */
function Answer({ question, postSlug }: { question: string; postSlug: string | null }) {
  const [stopped, setStopped] = useState(false);
  const [result] = useSubscription(
    { query: AskAi, variables: { question, postSlug }, pause: stopped },
    (state: AnswerState = startAnswer(question), data) => applyEvent(state, data.askAi as AskEvent),
  );
  let state = result.data ?? startAnswer(question);
  if (result.error) {
    const error = result.error.graphQLErrors[0];
    const code = typeof error?.extensions?.code === 'string' ? error.extensions.code : 'NETWORK_ERROR';
    state = failAnswer(state, code, messageFor(code, error?.message ?? 'The connection was lost.', error?.extensions ?? {}));
  }
  if (stopped && (state.status === 'retrieving' || state.status === 'streaming')) {
    state = failAnswer(state, 'CANCELLED', 'You stopped this answer.');
  }
  const [highlight, setHighlight] = useState<number | null>(null);
  const cited = citedSources(state.text, state.sources);
  const shown = cited.length ? cited : state.sources;
  const running = state.status === 'retrieving' || state.status === 'streaming';

  return (
    <section className="answer" aria-label="Answer" aria-busy={running}>
      <p className="question">{question}</p>
      {state.status === 'retrieving' && (
        <p className="muted" role="status">
          Looking for relevant passages…
        </p>
      )}
      <div className="answer-text" data-testid="answer" aria-live="polite">
        {segments(state.text, state.sources).map((segment, i) =>
          segment.kind === 'text' ? (
            <span key={i}>{segment.text}</span>
          ) : (
            <a
              key={i}
              className="citation"
              href={`#source-${segment.index}`}
              aria-label={`Source ${segment.index}: ${segment.source.post.title}`}
              onClick={(event) => {
                event.preventDefault();
                setHighlight(segment.index);
                document.getElementById(`source-${segment.index}`)?.scrollIntoView({ block: 'nearest' });
              }}
            >
              [{segment.index}]
            </a>
          ),
        )}
        {state.status === 'streaming' && <span className="caret" aria-hidden="true" />}
      </div>
      {running && (
        <button type="button" className="button secondary small" onClick={() => setStopped(true)}>
          Stop
        </button>
      )}
      {state.status === 'failed' && state.error && state.error.code !== 'CANCELLED' && (
        <p className="error-note" role="alert">
          {state.error.code === 'ANSWER_FAILED' ? 'The answer could not be finished. ' : ''}
          {messageFor(state.error.code, state.error.message)}
        </p>
      )}
      {state.status === 'failed' && state.error?.code === 'CANCELLED' && <p className="muted">Stopped.</p>}
      {state.status === 'done' && state.sources.length === 0 && (
        <p className="muted">No post seems to answer this. Try rephrasing the question.</p>
      )}
      {shown.length > 0 && (
        <>
          <h3 className="sources-title">Sources</h3>
          <ol className="sources">
            {shown.map((source) => (
              <li key={source.index} id={`source-${source.index}`} className={highlight === source.index ? 'highlight' : undefined}>
                <span className="source-index">[{source.index}]</span>{' '}
                <Link to={`/posts/${source.post.slug}`}>{source.post.title}</Link>
                {source.heading && <span className="muted"> · {source.heading}</span>}
                <p className="source-text">{source.passage.text.slice(0, 240)}{source.passage.text.length > 240 ? '…' : ''}</p>
              </li>
            ))}
          </ol>
        </>
      )}
    </section>
  );
}

