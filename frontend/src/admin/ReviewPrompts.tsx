import { useState, type FormEvent } from 'react';
import { useMutation, useQuery } from 'urql';

import { ErrorNote, Loading } from '../components/ui';
import { graphql } from '../gql';
import { errorMessage, formErrors } from '../lib/errors';
import { promptLines } from '../lib/review';

const PromptsQuery = graphql(`
  query ReviewPrompts($postId: ID!) {
    reviewPrompts(postId: $postId)
  }
`);

const SetPrompts = graphql(`
  mutation SetReviewPrompts($postId: ID!, $prompts: [String!]!) {
    setReviewPrompts(postId: $postId, prompts: $prompts)
  }
`);

/**
 * The post's review prompts, for its author (or an admin): what readers who
 * add the post to their review are asked to recall. Without any, their cards
 * show the post's headings and excerpt.
 */
export function ReviewPromptsEditor({ postId }: { postId: string }) {
  const [{ data, fetching, error }] = useQuery({ query: PromptsQuery, variables: { postId }, requestPolicy: 'network-only' });
  if (!data) {
    return (
      <section className="card stack review-prompts" aria-labelledby="prompts-title">
        <h2 id="prompts-title">Review prompts</h2>
        {fetching ? <Loading /> : <ErrorNote message={errorMessage(error) ?? 'Could not load the prompts.'} />}
      </section>
    );
  }
  return <PromptsForm key={postId} postId={postId} stored={data.reviewPrompts} />;
}

function PromptsForm({ postId, stored }: { postId: string; stored: string[] }) {
  const [text, setText] = useState(stored.join('\n'));
  const [saved, setSaved] = useState<string[]>(stored);
  const [state, save] = useMutation(SetPrompts);
  const [done, setDone] = useState(false);
  const errors = formErrors(state.error, ['prompts']);
  const lines = promptLines(text);
  const unchanged = JSON.stringify(lines) === JSON.stringify(saved);
  async function submit(event: FormEvent) {
    event.preventDefault();
    setDone(false);
    const result = await save({ postId, prompts: lines });
    if (result.data) {
      setSaved(result.data.setReviewPrompts);
      setText(result.data.setReviewPrompts.join('\n'));
      setDone(true);
    }
  }
  const error = errors.fields.prompts;
  return (
    <section className="card stack review-prompts" aria-labelledby="prompts-title">
      <h2 id="prompts-title">Review prompts</h2>
      <form className="stack" onSubmit={submit} noValidate>
        <div className={`field${error ? ' has-error' : ''}`}>
          <label htmlFor="field-prompts">Prompts, one a line</label>
          <textarea
            id="field-prompts"
            rows={4}
            value={text}
            onChange={(e) => {
              setText(e.target.value);
              setDone(false);
            }}
            aria-invalid={error ? true : undefined}
            aria-describedby={`field-prompts-hint${error ? ' field-prompts-error' : ''}`}
          />
          <p className="hint" id="field-prompts-hint">
            What readers who add this post to their review should recall: up to 10 questions of up to 300 characters. Without any, their cards show the
            post's headings and excerpt.
          </p>
          {error && (
            <p className="field-error" id="field-prompts-error">
              {error}
            </p>
          )}
        </div>
        <ErrorNote message={errors.form} />
        <div className="form-actions">
          <button type="submit" className="button secondary" disabled={state.fetching || unchanged}>
            Save prompts
          </button>
          <span className="muted small">{saved.length === 0 ? 'None saved: cards use the outline.' : `${saved.length} saved.`}</span>
          {done && (
            <span className="saved" role="status">
              Saved.
            </span>
          )}
        </div>
      </form>
    </section>
  );
}
