import { useEffect, useMemo, useRef, useState, type FormEvent } from 'react';
import { Link, useNavigate } from 'react-router';
import { useMutation, useQuery } from 'urql';

import { CopyIcon } from '../components/icons';
import { ErrorNote, Field, LoadMore, Loading, SelectField, TextArea, When, usePageTitle } from '../components/ui';
import { graphql } from '../gql';
import type { DigestFrequency, ReferralStatus } from '../gql/graphql';
import { useAuth, useMe, type Me } from '../lib/auth';
import { browserTimeZone, referralLink, referredNote, suggestedTimeZone, timeZoneOptions } from '../lib/engagement';
import { errorMessage, formErrors, singleFieldError } from '../lib/errors';
import { BillingSection } from './BillingSettings';

const UpdateProfile = graphql(`
  mutation UpdateProfile($input: UpdateProfileInput!) {
    updateProfile(input: $input) {
      id
      displayName
      bio
      timeZone
      profilePrivate
    }
  }
`);

const ReferralsQuery = graphql(`
  query Referrals($first: Int!, $after: String) {
    me {
      id
      emailVerified
      referralCode
      referral {
        canApplyCode
        applyCodeUntil
        status
        reason
        referredBy {
          id
          displayName
        }
      }
    }
    referrals(first: $first, after: $after) {
      totalCount
      edges {
        node {
          id
          status
          reason
          createdAt
          settledAt
          user {
            id
            displayName
          }
        }
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
`);

const ApplyReferralCode = graphql(`
  mutation ApplyReferralCode($code: String!) {
    applyReferralCode(code: $code) {
      id
      status
      reason
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

/** `/settings`: name, XP and streak preferences, referrals, billing, digest, password and newsletter. */
export function Settings() {
  usePageTitle('Settings');
  const { me } = useMe();
  if (!me) return <Loading />;
  return (
    <div className="narrow-wide settings">
      <h1>Settings</h1>
      <ProfileSection me={me} />
      <StreakSection me={me} />
      <ReferralSection />
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
          hint="A few lines about you, shown on your profile. Up to 1,000 characters."
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

/** The time zone streak days are counted in, and whether the profile is private. */
function StreakSection({ me }: { me: Me }) {
  const [browser] = useState(browserTimeZone);
  const stored = me.timeZone ?? 'UTC';
  const [zone, setZone] = useState(() => suggestedTimeZone(stored, browser).zone);
  const [hidden, setHidden] = useState(me.profilePrivate);
  const zones = useMemo(() => timeZoneOptions(stored, browser), [stored, browser]);
  const [state, update] = useMutation(UpdateProfile);
  const errors = formErrors(state.error, ['timeZone', 'profilePrivate']);
  const [saved, setSaved] = useState(false);
  const unchanged = zone === stored && hidden === me.profilePrivate;
  async function submit(event: FormEvent) {
    event.preventDefault();
    setSaved(false);
    const result = await update({ input: { displayName: me.displayName, timeZone: zone, profilePrivate: hidden } });
    setSaved(Boolean(result.data));
  }
  return (
    <section className="card stack" aria-labelledby="streak-title">
      <h2 id="streak-title">XP and streaks</h2>
      <form onSubmit={submit} className="stack" noValidate>
        <SelectField
          label="Time zone"
          name="timeZone"
          value={zone}
          onChange={(e) => setZone(e.target.value)}
          error={errors.fields.timeZone}
          hint="Your streak counts the days you read or comment, in this time zone."
        >
          {zones.map((z) => (
            <option key={z} value={z}>
              {z.replace(/_/g, ' ')}
            </option>
          ))}
        </SelectField>
        {stored === 'UTC' && browser !== 'UTC' && (
          <p className="note" data-testid="zone-offer">
            Your days are counted in UTC. This browser is in {browser.replace(/_/g, ' ')}:{' '}
            {zone === browser ? 'save to count them there.' : (
              <button type="button" className="link-button" onClick={() => setZone(browser)}>
                use {browser.replace(/_/g, ' ')}
              </button>
            )}
          </p>
        )}
        <label className="checkbox">
          <input type="checkbox" name="profilePrivate" checked={hidden} onChange={(e) => setHidden(e.target.checked)} aria-describedby="private-hint" />
          Private profile
        </label>
        <p className="hint" id="private-hint">
          Others then see only your name and bio: not your level, XP, streak, badges or activity. Your name stays on the{' '}
          <Link to="/leaderboard">leaderboard</Link>.
        </p>
        <ErrorNote message={errors.form ?? errors.fields.profilePrivate} />
        <div className="form-actions">
          <button type="submit" className="button" disabled={state.fetching || unchanged}>
            Save
          </button>
          {saved && <span className="saved" role="status">Saved.</span>}
        </div>
      </form>
    </section>
  );
}

const REFERRAL_STATUS: Record<ReferralStatus, string> = {
  PENDING: 'Pending',
  REWARDED: 'Rewarded',
  REJECTED: 'Not rewarded',
};

const REJECTION: Record<string, string> = {
  SELF_REFERRAL: 'another address of your own',
};

/**
 * The viewer's referral link with a copy button, the people who came with it,
 * and who referred the viewer, or (in their first week, when nobody did) a
 * field to enter that person's code.
 */
function ReferralSection() {
  const [after, setAfter] = useState<string | null>(null);
  const [{ data, fetching, error }] = useQuery({ query: ReferralsQuery, variables: { first: 20, after } });
  const [copied, setCopied] = useState('');
  const field = useRef<HTMLInputElement>(null);
  const code = data?.me?.referralCode;
  const link = code ? referralLink(window.location.origin, code) : '';
  const referrals = data?.referrals;
  const own = data?.me?.referral;
  const referred = referredNote(own, data?.me?.emailVerified ?? false);
  // A code just accepted: the form gives way to the note, which takes the focus so it is read out.
  const [applied, setApplied] = useState(false);
  const note = useRef<HTMLParagraphElement>(null);
  useEffect(() => {
    if (applied && referred) note.current?.focus();
  }, [applied, referred]);

  async function copy() {
    try {
      await navigator.clipboard.writeText(link);
      setCopied('Link copied.');
    } catch {
      // No clipboard (an insecure origin, a refusal): select the text to copy by hand.
      field.current?.select();
      setCopied('Press Ctrl+C (⌘C on a Mac) to copy the selected link.');
    }
  }

  return (
    <section className="card stack" aria-labelledby="referral-title">
      <h2 id="referral-title">Invite friends</h2>
      <p className="muted">You earn XP when someone you invite creates an account with your link and confirms their email address.</p>
      {!data && fetching && <Loading />}
      <ErrorNote message={errorMessage(error)} />
      {link && (
        <div className="field">
          <label htmlFor="referral-link">Your referral link</label>
          <div className="copy-row">
            <input id="referral-link" ref={field} readOnly value={link} onFocus={(e) => e.target.select()} />
            <button type="button" className="button secondary" onClick={() => void copy()}>
              <CopyIcon /> Copy
            </button>
          </div>
          <p className="hint" role="status">
            {copied}
          </p>
        </div>
      )}
      {own?.canApplyCode && <ReferralCodeForm until={own.applyCodeUntil} onApplied={() => setApplied(true)} />}
      {referred && (
        <p className="note" data-testid="referred-by" ref={note} tabIndex={-1}>
          {referred}
        </p>
      )}
      {referrals && (
        <>
          <h3>Your referrals ({referrals.totalCount})</h3>
          {referrals.edges.length === 0 ? (
            <p className="muted">Nobody yet.</p>
          ) : (
            <ul className="plain-list referral-list">
              {referrals.edges.map(({ node }) => (
                <li key={node.id} data-testid="referral">
                  <span className="who">{node.user?.displayName ?? 'A deleted account'}</span>
                  <span className={`badge referral-${node.status.toLowerCase()}`}>{REFERRAL_STATUS[node.status]}</span>
                  <span className="muted small">
                    {node.status === 'REJECTED' && node.reason ? `${REJECTION[node.reason] ?? node.reason} · ` : ''}
                    {node.status === 'PENDING' ? 'joined ' : ''}
                    <When at={node.settledAt ?? node.createdAt} />
                  </span>
                </li>
              ))}
            </ul>
          )}
          <LoadMore hasMore={referrals.pageInfo.hasNextPage} fetching={fetching} onMore={() => setAfter(referrals.pageInfo.endCursor ?? null)} />
        </>
      )}
    </section>
  );
}

/** "Were you referred?": the code of whoever invited the viewer, while it can still be entered. */
function ReferralCodeForm({ until, onApplied }: { until: string | null | undefined; onApplied: () => void }) {
  const [code, setCode] = useState('');
  const [state, apply] = useMutation(ApplyReferralCode);
  async function submit(event: FormEvent) {
    event.preventDefault();
    // Accepted: the section reads `me.referral` again (client.ts), which hides this form.
    const result = await apply({ code: code.trim() });
    if (result.data) onApplied();
  }
  return (
    <form onSubmit={submit} className="stack referral-code-form" aria-labelledby="referred-title" noValidate>
      <h3 id="referred-title">Were you referred?</h3>
      <Field
        label="Referral code"
        name="referralCode"
        value={code}
        autoComplete="off"
        autoCapitalize="characters"
        spellCheck={false}
        onChange={(e) => setCode(e.target.value)}
        error={singleFieldError(state.error, 'referralCode')}
        hint={
          <>
            The code of the friend who invited you, so that they earn XP for it. You can enter one until <When at={until} withTime />.
          </>
        }
      />
      <div className="form-actions">
        <button type="submit" className="button secondary" disabled={state.fetching || !code.trim()}>
          Apply code
        </button>
      </div>
    </form>
  );
}
