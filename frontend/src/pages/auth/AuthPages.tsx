import type { CombinedError } from '@urql/core';
import { useState, type FormEvent } from 'react';
import { Link, useNavigate, useSearchParams } from 'react-router';
import { useMutation } from 'urql';

import { ErrorNote, Field, Loading, usePageTitle } from '../../components/ui';
import { graphql } from '../../gql';
import { useAuth, useMailedToken, useMe } from '../../lib/auth';
import { errorMessage, formErrors } from '../../lib/errors';

const VerifyEmail = graphql(`
  mutation VerifyEmail($token: String!) {
    verifyEmail(token: $token) {
      id
      emailVerified
    }
  }
`);

const RequestVerification = graphql(`
  mutation RequestEmailVerification {
    requestEmailVerification
  }
`);

const RequestReset = graphql(`
  mutation RequestPasswordReset($email: String!) {
    requestPasswordReset(email: $email)
  }
`);

const ResetPassword = graphql(`
  mutation ResetPassword($token: String!, $newPassword: String!) {
    resetPassword(token: $token, newPassword: $newPassword)
  }
`);

/** A sign-in or registration request: pending while it runs, its error after. */
function useAuthRequest(): [{ fetching: boolean; error: CombinedError | null }, (run: () => Promise<CombinedError | null>) => Promise<boolean>] {
  const [state, setState] = useState<{ fetching: boolean; error: CombinedError | null }>({ fetching: false, error: null });
  async function send(run: () => Promise<CombinedError | null>): Promise<boolean> {
    setState({ fetching: true, error: null });
    const error = await run();
    setState({ fetching: false, error });
    return error === null;
  }
  return [state, send];
}

/** Where to go after signing in: `?next=` when it is a path in this app. */
function useNext(): string {
  const [params] = useSearchParams();
  const next = params.get('next');
  return next && next.startsWith('/') && !next.startsWith('//') ? next : '/';
}

export function SignIn() {
  usePageTitle('Sign in');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [state, send] = useAuthRequest();
  const { signIn } = useAuth();
  const navigate = useNavigate();
  const next = useNext();
  const errors = formErrors(state.error, ['email', 'password']);
  const [params] = useSearchParams();

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (await send(() => signIn(email, password))) navigate(next, { replace: true });
  }

  return (
    <div className="narrow">
      <h1>Sign in</h1>
      {params.get('changed') && (
        <p role="status" className="saved">
          Your password is changed, and every session signed out. Sign in with the new one.
        </p>
      )}
      <form onSubmit={submit} className="stack" noValidate>
        <Field label="Email" name="email" type="email" autoComplete="email" required value={email} onChange={(e) => setEmail(e.target.value)} error={errors.fields.email} />
        <Field
          label="Password"
          name="password"
          type="password"
          autoComplete="current-password"
          required
          value={password}
          onChange={(e) => setPassword(e.target.value)}
          error={errors.fields.password}
        />
        <ErrorNote message={errors.form} />
        <button type="submit" className="button" disabled={state.fetching}>
          {state.fetching ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
      <p className="muted">
        <Link to="/forgot-password">Forgot your password?</Link> · New here? <Link to={`/register${next !== '/' ? `?next=${encodeURIComponent(next)}` : ''}`}>Create an account</Link>
      </p>
    </div>
  );
}

export function RegisterPage() {
  usePageTitle('Create an account');
  const [params] = useSearchParams();
  // A referral link (`/register?ref=CODE`) fills the code in; anyone may also type one.
  const invited = params.get('ref')?.trim() ?? '';
  const [form, setForm] = useState({ displayName: '', email: '', password: '', referralCode: invited });
  const [showCode, setShowCode] = useState(Boolean(invited));
  const [state, send] = useAuthRequest();
  const { register } = useAuth();
  const navigate = useNavigate();
  const next = useNext();
  const errors = formErrors(state.error, ['displayName', 'email', 'password', 'referralCode']);
  const set = (key: keyof typeof form) => (event: React.ChangeEvent<HTMLInputElement>) =>
    setForm((f) => ({ ...f, [key]: event.target.value }));

  async function submit(event: FormEvent) {
    event.preventDefault();
    const referralCode = form.referralCode.trim();
    const input = { displayName: form.displayName, email: form.email, password: form.password, ...(referralCode ? { referralCode } : {}) };
    if (await send(() => register(input))) navigate(next, { replace: true });
  }

  return (
    <div className="narrow">
      <h1>Create an account</h1>
      {invited && <p className="note">A friend invited you: your account will be linked to their invitation.</p>}
      <form onSubmit={submit} className="stack" noValidate>
        <Field label="Name" name="displayName" autoComplete="name" required value={form.displayName} onChange={set('displayName')} error={errors.fields.displayName} hint="Shown with your comments." />
        <Field label="Email" name="email" type="email" autoComplete="email" required value={form.email} onChange={set('email')} error={errors.fields.email} />
        <Field
          label="Password"
          name="password"
          type="password"
          autoComplete="new-password"
          required
          value={form.password}
          onChange={set('password')}
          error={errors.fields.password}
          hint="At least 10 characters, and hard to guess: a few unrelated words work well."
        />
        {showCode ? (
          <Field
            label="Referral code"
            name="referralCode"
            autoComplete="off"
            value={form.referralCode}
            onChange={set('referralCode')}
            error={errors.fields.referralCode}
            hint="From the link a friend sent you. Optional."
          />
        ) : (
          <p>
            <button type="button" className="link-button" onClick={() => setShowCode(true)}>
              I have a referral code
            </button>
          </p>
        )}
        <ErrorNote message={errors.form} />
        <button type="submit" className="button" disabled={state.fetching}>
          {state.fetching ? 'Creating your account…' : 'Create account'}
        </button>
      </form>
      <p className="muted">
        Already have an account? <Link to="/sign-in">Sign in</Link>
      </p>
    </div>
  );
}

/** "Send the link again": mails the signed-in viewer a new confirmation link. */
export function ResendVerification() {
  const [resendState, resend] = useMutation(RequestVerification);
  return (
    <div className="resend-verification">
      <button type="button" className="button secondary" disabled={resendState.fetching} onClick={() => void resend({})}>
        Send the link again
      </button>
      {resendState.data && <p role="status">Sent. Check your inbox.</p>}
      <ErrorNote message={errorMessage(resendState.error)} />
    </div>
  );
}

/** `/verify-email?token=…` from the mail confirms; without a token, offers to resend. */
export function VerifyEmailPage() {
  usePageTitle('Confirm your email');
  const [params] = useSearchParams();
  const token = params.get('token');
  const [verifyState, verify] = useMutation(VerifyEmail);
  const { me } = useMe();
  useMailedToken(token, (t) => verify({ token: t }));

  if (token) {
    return (
      <div className="narrow">
        <h1>Confirm your email</h1>
        {verifyState.fetching && <Loading label="Confirming…" />}
        {verifyState.data && (
          <p role="status">
            Your email address is confirmed. <Link to="/">Go to the feed</Link>
          </p>
        )}
        <ErrorNote message={errorMessage(verifyState.error) && 'This link is invalid or has expired. Sign in and ask for a new one.'} />
      </div>
    );
  }
  return (
    <div className="narrow">
      <h1>Confirm your email</h1>
      {me?.emailVerified ? (
        <p>Your email address is already confirmed.</p>
      ) : me ? (
        <>
          <p>We sent a link to {me.email}. Open it to confirm your address.</p>
          <ResendVerification />
        </>
      ) : (
        <p>
          <Link to="/sign-in?next=/verify-email">Sign in</Link> to get a new confirmation link.
        </p>
      )}
    </div>
  );
}

export function ForgotPassword() {
  usePageTitle('Reset your password');
  const [email, setEmail] = useState('');
  const [state, request] = useMutation(RequestReset);
  const errors = formErrors(state.error, ['email']);

  async function submit(event: FormEvent) {
    event.preventDefault();
    await request({ email });
  }

  return (
    <div className="narrow">
      <h1>Reset your password</h1>
      {state.data ? (
        <p role="status">If an account uses {email}, we sent it a link to choose a new password.</p>
      ) : (
        <form onSubmit={submit} className="stack" noValidate>
          <Field label="Email" name="email" type="email" autoComplete="email" required value={email} onChange={(e) => setEmail(e.target.value)} error={errors.fields.email} />
          <ErrorNote message={errors.form} />
          <button type="submit" className="button" disabled={state.fetching}>
            Send me a link
          </button>
        </form>
      )}
    </div>
  );
}

export function ResetPasswordPage() {
  usePageTitle('Choose a new password');
  const [params] = useSearchParams();
  const token = params.get('token') ?? '';
  const [password, setPassword] = useState('');
  const [state, reset] = useMutation(ResetPassword);
  const { signOut } = useAuth();
  const errors = formErrors(state.error, ['newPassword', 'token']);

  async function submit(event: FormEvent) {
    event.preventDefault();
    const result = await reset({ token, newPassword: password });
    // A reset ends every session, this one included.
    if (result.data?.resetPassword) void signOut();
  }

  if (!token) {
    return (
      <div className="narrow">
        <h1>Choose a new password</h1>
        <p>
          This page needs the link from the reset mail. <Link to="/forgot-password">Ask for one</Link>.
        </p>
      </div>
    );
  }
  return (
    <div className="narrow">
      <h1>Choose a new password</h1>
      {state.data?.resetPassword ? (
        <p role="status">
          Your password is changed. <Link to="/sign-in">Sign in</Link> with it.
        </p>
      ) : (
        <form onSubmit={submit} className="stack" noValidate>
          <Field
            label="New password"
            name="newPassword"
            type="password"
            autoComplete="new-password"
            required
            value={password}
            onChange={(e) => setPassword(e.target.value)}
            error={errors.fields.newPassword}
            hint="At least 10 characters, and hard to guess."
          />
          <ErrorNote message={errors.fields.token ? 'This link is invalid or has expired. Ask for a new one.' : errors.form} />
          <button type="submit" className="button" disabled={state.fetching}>
            Change password
          </button>
        </form>
      )}
    </div>
  );
}
