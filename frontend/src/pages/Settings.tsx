import { useState, type FormEvent } from 'react';
import { useNavigate } from 'react-router';
import { useMutation } from 'urql';

import { ErrorNote, Field, Loading, TextArea, usePageTitle } from '../components/ui';
import { graphql } from '../gql';
import type { DigestFrequency } from '../gql/graphql';
import { useAuth, useMe, type Me } from '../lib/auth';
import { errorMessage, formErrors } from '../lib/errors';
import { BillingSection } from './BillingSettings';

const UpdateProfile = graphql(`
  mutation UpdateProfile($input: UpdateProfileInput!) {
    updateProfile(input: $input) {
      id
      displayName
      bio
    }
  }
`);

const SetDigest = graphql(`
  mutation SetDigestFrequency($frequency: DigestFrequency!) {
    setDigestFrequency(frequency: $frequency) {
      id
      digestFrequency
    }
  }
`);

const ChangePassword = graphql(`
  mutation ChangePassword($current: String!, $new: String!) {
    changePassword(current: $current, new: $new)
  }
`);

const SubscribeNewsletter = graphql(`
  mutation SubscribeNewsletter($email: String!) {
    subscribeNewsletter(email: $email)
  }
`);

const DIGESTS: { value: DigestFrequency; label: string }[] = [
  { value: 'NEVER', label: 'Never' },
  { value: 'DAILY', label: 'Daily' },
  { value: 'WEEKLY', label: 'Weekly' },
];

/** `/settings`: name, billing, digest, password and newsletter. */
export function Settings() {
  usePageTitle('Settings');
  const { me } = useMe();
  if (!me) return <Loading />;
  return (
    <div className="narrow-wide settings">
      <h1>Settings</h1>
      <ProfileSection me={me} />
      <BillingSection />
      <DigestSection me={me} />
      <PasswordSection />
      <NewsletterSection me={me} />
    </div>
  );
}

function ProfileSection({ me }: { me: Me }) {
  const [name, setName] = useState(me.displayName);
  const [bio, setBio] = useState(me.bio);
  const [state, update] = useMutation(UpdateProfile);
  const errors = formErrors(state.error, ['displayName', 'bio']);
  const [saved, setSaved] = useState(false);
  const unchanged = name === me.displayName && bio === me.bio;
  async function submit(event: FormEvent) {
    event.preventDefault();
    setSaved(false);
    const result = await update({ input: { displayName: name, bio } });
    setSaved(Boolean(result.data));
  }
  return (
    <section className="card stack" aria-labelledby="profile-title">
      <h2 id="profile-title">Profile</h2>
      <form onSubmit={submit} className="stack" noValidate>
        <Field label="Name" name="displayName" value={name} onChange={(e) => setName(e.target.value)} error={errors.fields.displayName} hint="Shown with your comments." />
        <TextArea
          label="Bio"
          name="bio"
          value={bio}
          rows={3}
          maxLength={1000}
          onChange={(e) => setBio(e.target.value)}
          error={errors.fields.bio}
          hint="A few lines about you, shown on your author page. Up to 1,000 characters."
        />
        <ErrorNote message={errors.form} />
        <div className="form-actions">
          <button type="submit" className="button" disabled={state.fetching || unchanged}>
            Save profile
          </button>
          {saved && <span className="saved" role="status">Saved.</span>}
        </div>
      </form>
    </section>
  );
}

function DigestSection({ me }: { me: Me }) {
  const [state, setDigest] = useMutation(SetDigest);
  // The choice shows at once; a refusal puts back what the server holds.
  const [current, setCurrent] = useState<DigestFrequency>(me.digestFrequency ?? 'NEVER');
  async function choose(frequency: DigestFrequency) {
    const before = current;
    setCurrent(frequency);
    const result = await setDigest({ frequency });
    if (!result.data) setCurrent(before);
  }
  return (
    <section className="card stack" aria-labelledby="digest-title">
      <h2 id="digest-title">Digest</h2>
      <fieldset>
        <legend>How often should we mail you the new posts?</legend>
        {DIGESTS.map((d) => (
          <label key={d.value} className="checkbox">
            <input type="radio" name="digest" value={d.value} checked={current === d.value} onChange={() => void choose(d.value)} />
            {d.label}
          </label>
        ))}
      </fieldset>
      {!me.emailVerified && current !== 'NEVER' && <p className="hint">Digests go only to a confirmed address: confirm yours first.</p>}
      <ErrorNote message={errorMessage(state.error)} />
    </section>
  );
}

function PasswordSection() {
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [state, change] = useMutation(ChangePassword);
  const { signOut } = useAuth();
  const navigate = useNavigate();
  const errors = formErrors(state.error, ['current', 'new']);
  async function submit(event: FormEvent) {
    event.preventDefault();
    const result = await change({ current, new: next });
    if (result.data?.changePassword) {
      // A new password ends every session, this one too.
      void signOut();
      navigate('/sign-in?changed=1', { replace: true });
    }
  }
  return (
    <section className="card stack" aria-labelledby="password-title">
      <h2 id="password-title">Password</h2>
      <form onSubmit={submit} className="stack" noValidate>
        <Field label="Current password" name="current" type="password" autoComplete="current-password" value={current} onChange={(e) => setCurrent(e.target.value)} error={errors.fields.current} />
        <Field
          label="New password"
          name="new"
          type="password"
          autoComplete="new-password"
          value={next}
          onChange={(e) => setNext(e.target.value)}
          error={errors.fields.new}
          hint="At least 10 characters, and hard to guess. Changing it signs you out everywhere."
        />
        <ErrorNote message={errors.form} />
        <div className="form-actions">
          <button type="submit" className="button" disabled={state.fetching || !current || !next}>
            Change password
          </button>
        </div>
      </form>
    </section>
  );
}

function NewsletterSection({ me }: { me: Me }) {
  const [email, setEmail] = useState(me.email ?? '');
  const [state, subscribe] = useMutation(SubscribeNewsletter);
  const errors = formErrors(state.error, ['email']);
  async function submit(event: FormEvent) {
    event.preventDefault();
    await subscribe({ email });
  }
  return (
    <section className="card stack" aria-labelledby="newsletter-title">
      <h2 id="newsletter-title">Newsletter</h2>
      {state.data ? (
        <p role="status">Check {email}: we sent a link to confirm the subscription.</p>
      ) : (
        <form onSubmit={submit} className="stack" noValidate>
          <Field label="Newsletter address" name="email" type="email" value={email} onChange={(e) => setEmail(e.target.value)} error={errors.fields.email} />
          <ErrorNote message={errors.form} />
          <div className="form-actions">
            <button type="submit" className="button secondary" disabled={state.fetching || !email}>
              Subscribe
            </button>
          </div>
        </form>
      )}
    </section>
  );
}
