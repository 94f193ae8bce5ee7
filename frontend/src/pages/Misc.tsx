import { Link, useSearchParams } from 'react-router';
import { useMutation } from 'urql';

import { Empty, ErrorNote, Loading, usePageTitle } from '../components/ui';
import { graphql } from '../gql';
import { useMailedToken } from '../lib/auth';

const ConfirmNewsletter = graphql(`
  mutation ConfirmNewsletter($token: String!) {
    confirmNewsletter(token: $token) {
      email
      status
    }
  }
`);

/** `/newsletter/confirm?token=…`, the link in the newsletter's double opt-in mail. */
export function NewsletterConfirm() {
  usePageTitle('Newsletter');
  const [params] = useSearchParams();
  const token = params.get('token');
  const [state, confirm] = useMutation(ConfirmNewsletter);
  useMailedToken(token, (t) => confirm({ token: t }));
  return (
    <div className="narrow">
      <h1>Newsletter</h1>
      {!token && <p>This page needs the link from the confirmation mail.</p>}
      {state.fetching && <Loading label="Confirming…" />}
      {state.data && <p role="status">{state.data.confirmNewsletter.email} is subscribed. Thank you!</p>}
      <ErrorNote message={state.error ? 'This link is invalid or has expired.' : null} />
    </div>
  );
}

export function NotFound() {
  usePageTitle('Not found');
  return (
    <Empty title="There is nothing at this address.">
      <Link to="/">Go to the feed</Link>
    </Empty>
  );
}
