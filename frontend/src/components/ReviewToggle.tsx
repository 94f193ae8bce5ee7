import { useMutation } from 'urql';

import { graphql } from '../gql';
import { errorMessage } from '../lib/errors';
import { dueIn } from '../lib/review';
import { ErrorNote } from './ui';

/** What a post page knows of the viewer's card for it. */
export const PostReviewCardFields = graphql(`
  fragment PostReviewCardFields on ReviewCard {
    id
    state
    due
    post {
      id
    }
  }
`);

const AddPostToReview = graphql(`
  mutation AddPostToReview($postId: ID!) {
    addToReview(postId: $postId) {
      ...PostReviewCardFields
      post {
        id
        viewerReviewCard {
          ...PostReviewCardFields
        }
      }
    }
  }
`);

export const RemoveFromReview = graphql(`
  mutation RemoveFromReview($cardId: ID!) {
    removeFromReview(cardId: $cardId)
  }
`);

interface Card {
  id: string;
  due: string;
}

/** "Add to review" on a post; once added, when it is next due and a way to take it out again. */
export function ReviewToggle({ postId, card }: { postId: string; card: Card | null | undefined }) {
  const [addState, add] = useMutation(AddPostToReview);
  const [removeState, remove] = useMutation(RemoveFromReview);
  const busy = addState.fetching || removeState.fetching;
  return (
    <div className="review-toggle" data-testid="review-toggle">
      {card ? (
        <span className="action-row">
          <span className="in-review" data-testid="in-review">
            ✓ In your review · {new Date(card.due) <= new Date() ? 'due now' : `due ${dueIn(card.due, new Date())}`}
          </span>
          <button type="button" className="link-button small" disabled={busy} onClick={() => void remove({ cardId: card.id })}>
            Remove from review
          </button>
        </span>
      ) : (
        <button type="button" className="button secondary small" disabled={busy} onClick={() => void add({ postId })}>
          Add to review
        </button>
      )}
      <ErrorNote message={errorMessage(addState.error ?? removeState.error)} />
    </div>
  );
}
