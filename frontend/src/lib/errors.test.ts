import { CombinedError } from '@urql/core';
import { describe, expect, it } from 'vitest';

import { errorCode, errorMessage, formErrors, messageFor, singleFieldError } from './errors';

const NETWORK = 'Cannot reach the server. Check your connection and try again.';

function gqlError(message: string, extensions?: Record<string, unknown>) {
  return extensions ? { message, extensions } : { message };
}

function combined(...errors: ReturnType<typeof gqlError>[]): CombinedError {
  return new CombinedError({ graphQLErrors: errors });
}

// ---------------------------------------------------------------------------

describe('messageFor', () => {
  describe('BAD_USER_INPUT', () => {
    it('keeps the server message (written for people)', () => {
      expect(messageFor('BAD_USER_INPUT', 'The title must be 1–200 characters')).toBe('The title must be 1–200 characters');
    });
  });

  describe('CONFLICT', () => {
    it('on the email field says an account exists', () => {
      expect(messageFor('CONFLICT', 'An account with this email address already exists', { field: 'email' })).toBe(
        'An account with this email already exists.',
      );
    });

    it('on another field keeps the server message', () => {
      expect(messageFor('CONFLICT', 'Another post already uses this slug', { field: 'slug' })).toBe(
        'Another post already uses this slug',
      );
    });

    it('without a server message falls back to a generic one', () => {
      expect(messageFor('CONFLICT', '', { field: 'slug' })).toBe('That is already taken.');
      expect(messageFor('CONFLICT', '')).toBe('That is already taken.');
    });
  });

  describe('payments', () => {
    it('explains disabled payments, an unconfirmed address and an unreachable provider without the server text', () => {
      expect(messageFor('PAYMENTS_DISABLED', 'payments are disabled')).toBe('Payments are not configured on this server.');
      expect(messageFor('EMAIL_NOT_VERIFIED', 'verify first')).toMatch(/confirm your email address first/);
      // The server masks the provider's error; the message never shows it either.
      expect(messageFor('UPSTREAM_UNAVAILABLE', 'stripe: 502 from api.stripe.com', { retryAfter: 5 })).toBe(
        'A service this needs could not be reached. Please try again in a moment.',
      );
    });
  });

  describe('RATE_LIMITED', () => {
    const rate = (retryAfter: unknown) => messageFor('RATE_LIMITED', 'Too many attempts; try again in 30 s', { retryAfter });

    it('says how many seconds to wait', () => {
      expect(rate(30)).toBe('Too many attempts. Please try again in 30 seconds.');
      expect(rate(89)).toBe('Too many attempts. Please try again in 89 seconds.');
    });

    it('uses the singular for one second and rounds fractions up', () => {
      expect(rate(1)).toBe('Too many attempts. Please try again in 1 second.');
      expect(rate(0.2)).toBe('Too many attempts. Please try again in 1 second.');
      expect(rate(1.2)).toBe('Too many attempts. Please try again in 2 seconds.');
    });

    it('says minutes (rounded up) from 90 seconds on', () => {
      expect(rate(90)).toBe('Too many attempts. Please try again in 2 minutes.');
      expect(rate(91)).toBe('Too many attempts. Please try again in 2 minutes.');
      expect(rate(120)).toBe('Too many attempts. Please try again in 2 minutes.');
      expect(rate(121)).toBe('Too many attempts. Please try again in 3 minutes.');
      expect(rate(3600)).toBe('Too many attempts. Please try again in 60 minutes.');
    });

    it('without a usable retryAfter gives the generic message (never the server text)', () => {
      const generic = 'Too many attempts. Please wait a moment and try again.';
      for (const value of [undefined, null, 0, -5, Number.NaN, Number.POSITIVE_INFINITY, '30', {}]) {
        expect(rate(value)).toBe(generic);
      }
      expect(messageFor('RATE_LIMITED', 'server text')).toBe(generic);
    });
  });

  describe('UNAUTHENTICATED', () => {
    it('keeps a message about credentials (a wrong password)', () => {
      expect(messageFor('UNAUTHENTICATED', 'Wrong email or password')).toBe('Wrong email or password');
    });

    it('replaces messages about tokens with "please sign in"', () => {
      expect(messageFor('UNAUTHENTICATED', 'The access token has expired')).toBe('Please sign in to do that.');
      expect(messageFor('UNAUTHENTICATED', 'The refresh token is invalid or has expired')).toBe('Please sign in to do that.');
      expect(messageFor('UNAUTHENTICATED', 'Invalid TOKEN')).toBe('Please sign in to do that.');
    });

    it('replaces an empty message with "please sign in"', () => {
      expect(messageFor('UNAUTHENTICATED', '')).toBe('Please sign in to do that.');
    });
  });

  describe('other codes', () => {
    it('known codes get their own message, not the server text', () => {
      expect(messageFor('FORBIDDEN', 'You are not allowed to do this')).toBe('You are not allowed to do that.');
      expect(messageFor('NOT_FOUND', 'Post not found')).toBe('That does not exist, or is no longer available.');
      expect(messageFor('PAYLOAD_TOO_LARGE', 'x')).toBe('That is too large to send.');
      expect(messageFor('QUERY_TOO_COMPLEX', 'x')).toBe('That request is too large.');
      expect(messageFor('INTERNAL_SERVER_ERROR', 'Internal server error (request abc)')).toBe(
        'Something went wrong on our side. Please try again.',
      );
    });

    it('unknown codes keep the server message', () => {
      expect(messageFor('PAYMENT_REQUIRED', 'This post is for subscribers')).toBe('This post is for subscribers');
      expect(messageFor('QUERY_TOO_DEEP', 'Query is nested too deeply')).toBe('Query is nested too deeply');
    });

    it('no code keeps the server message', () => {
      expect(messageFor(undefined, 'Something specific')).toBe('Something specific');
    });

    it('no code and no message gives the generic failure', () => {
      expect(messageFor(undefined, '')).toBe('Something went wrong on our side. Please try again.');
      expect(messageFor('SOMETHING_NEW', '')).toBe('Something went wrong on our side. Please try again.');
    });
  });
});

// ---------------------------------------------------------------------------

describe('formErrors', () => {
  it('no error: no messages', () => {
    expect(formErrors(null)).toEqual({ fields: {}, form: null });
    expect(formErrors(undefined, ['email'])).toEqual({ fields: {}, form: null });
  });

  it('a network error: the connection message for the form', () => {
    const error = new CombinedError({ networkError: new TypeError('Failed to fetch') });
    expect(formErrors(error, ['email'])).toEqual({ fields: {}, form: NETWORK });
  });

  it('GraphQL errors win over the network error that came with them (e.g. an HTTP 401 body)', () => {
    const error = new CombinedError({
      networkError: new Error('Unauthorized'),
      graphQLErrors: [gqlError('Wrong email or password', { code: 'UNAUTHENTICATED' })],
    });
    expect(formErrors(error)).toEqual({ fields: {}, form: 'Wrong email or password' });
  });

  it('puts an error on its field', () => {
    const error = combined(gqlError('Enter a valid email address', { code: 'BAD_USER_INPUT', field: 'email' }));
    expect(formErrors(error, ['email', 'password'])).toEqual({
      fields: { email: 'Enter a valid email address' },
      form: null,
    });
  });

  it('matches a dotted path by its last segment (input.email → email)', () => {
    const error = combined(gqlError('Enter a valid email address', { code: 'BAD_USER_INPUT', field: 'input.email' }));
    expect(formErrors(error, ['email'])).toEqual({ fields: { email: 'Enter a valid email address' }, form: null });
  });

  it('matches deeper dotted paths and exact dotted names', () => {
    const deep = combined(gqlError('Bad', { code: 'BAD_USER_INPUT', field: 'input.author.email' }));
    expect(formErrors(deep, ['email']).fields).toEqual({ email: 'Bad' });
    const exact = combined(gqlError('Bad', { code: 'BAD_USER_INPUT', field: 'input.email' }));
    expect(formErrors(exact, ['input.email']).fields).toEqual({ 'input.email': 'Bad' });
  });

  it('does not match on a mere suffix without a dot', () => {
    const error = combined(gqlError('Bad', { code: 'BAD_USER_INPUT', field: 'input.newEmail' }));
    expect(formErrors(error, ['email', 'Email'])).toEqual({ fields: {}, form: 'Bad' });
    const other = combined(gqlError('Bad', { code: 'BAD_USER_INPUT', field: 'backupemail' }));
    expect(formErrors(other, ['email'])).toEqual({ fields: {}, form: 'Bad' });
  });

  it('an error on a field the form does not show goes to the form message', () => {
    const error = combined(gqlError('The slug is taken', { code: 'BAD_USER_INPUT', field: 'slug' }));
    expect(formErrors(error, ['title', 'body'])).toEqual({ fields: {}, form: 'The slug is taken' });
    expect(formErrors(error)).toEqual({ fields: {}, form: 'The slug is taken' });
  });

  it('a non-string field is ignored', () => {
    const error = combined(gqlError('Bad', { code: 'BAD_USER_INPUT', field: 3 }));
    expect(formErrors(error, ['3'])).toEqual({ fields: {}, form: 'Bad' });
  });

  it('applies messageFor per error (CONFLICT on email, on its field)', () => {
    const error = combined(
      gqlError('An account with this email address already exists', { code: 'CONFLICT', field: 'email' }),
    );
    expect(formErrors(error, ['email'])).toEqual({
      fields: { email: 'An account with this email already exists.' },
      form: null,
    });
  });

  it('splits several errors between fields and the form', () => {
    const error = combined(
      gqlError('Enter a valid email address', { code: 'BAD_USER_INPUT', field: 'input.email' }),
      gqlError('Use at least 10 characters', { code: 'BAD_USER_INPUT', field: 'input.password' }),
      gqlError('Too many attempts; try again in 30 s', { code: 'RATE_LIMITED', retryAfter: 30 }),
      gqlError('x', { code: 'FORBIDDEN' }),
    );
    expect(formErrors(error, ['email', 'password'])).toEqual({
      fields: { email: 'Enter a valid email address', password: 'Use at least 10 characters' },
      form: 'Too many attempts. Please try again in 30 seconds. You are not allowed to do that.',
    });
  });

  it('collapses duplicate form messages', () => {
    const error = combined(
      gqlError('Post not found', { code: 'NOT_FOUND' }),
      gqlError('Tag not found', { code: 'NOT_FOUND' }),
      gqlError('Oops', {}),
      gqlError('Oops'),
    );
    expect(formErrors(error)).toEqual({
      fields: {},
      form: 'That does not exist, or is no longer available. Oops',
    });
  });

  it('keeps the first message for a field; a second one for the same field is not lost', () => {
    const error = combined(
      gqlError('First problem', { code: 'BAD_USER_INPUT', field: 'email' }),
      gqlError('Second problem', { code: 'BAD_USER_INPUT', field: 'input.email' }),
    );
    expect(formErrors(error, ['email'])).toEqual({ fields: { email: 'First problem' }, form: 'Second problem' });
  });

  it('errors without extensions keep their message', () => {
    expect(formErrors(new CombinedError({ graphQLErrors: ['plain string error'] }))).toEqual({
      fields: {},
      form: 'plain string error',
    });
  });
});

// ---------------------------------------------------------------------------

describe('errorMessage', () => {
  it('is null without an error', () => {
    expect(errorMessage(null)).toBeNull();
    expect(errorMessage(undefined)).toBeNull();
  });

  it('is the network message for a network error', () => {
    expect(errorMessage(new CombinedError({ networkError: new Error('x') }))).toBe(NETWORK);
  });

  it('is the human message for a GraphQL error, field errors included', () => {
    expect(errorMessage(combined(gqlError('Post not found', { code: 'NOT_FOUND' })))).toBe(
      'That does not exist, or is no longer available.',
    );
    expect(errorMessage(combined(gqlError('Enter a title', { code: 'BAD_USER_INPUT', field: 'title' })))).toBe(
      'Enter a title',
    );
  });

  it('joins several distinct messages into one line', () => {
    expect(
      errorMessage(combined(gqlError('a', { code: 'FORBIDDEN' }), gqlError('b', { code: 'FORBIDDEN' }), gqlError('Custom'))),
    ).toBe('You are not allowed to do that. Custom');
  });
});

describe('singleFieldError', () => {
  it("shows a one-field form's refusals at its field, whether they name it or not", () => {
    expect(singleFieldError(null, 'referralCode')).toBeUndefined();
    expect(singleFieldError(combined(gqlError('There is no such referral code', { code: 'BAD_USER_INPUT', field: 'referralCode' })), 'referralCode')).toBe(
      'There is no such referral code',
    );
    expect(singleFieldError(combined(gqlError('This account was already referred', { code: 'CONFLICT', field: 'referralCode' })), 'referralCode')).toBe(
      'This account was already referred',
    );
    expect(singleFieldError(combined(gqlError('Too many attempts; try again in 1200 s', { code: 'RATE_LIMITED', retryAfter: 1200 })), 'referralCode')).toBe(
      'Too many attempts. Please try again in 20 minutes.',
    );
    expect(singleFieldError(new CombinedError({ networkError: new Error('x') }), 'referralCode')).toBe(NETWORK);
  });
});

describe('errorCode', () => {
  it('is the first error\'s code', () => {
    expect(errorCode(combined(gqlError('a', { code: 'NOT_FOUND' }), gqlError('b', { code: 'FORBIDDEN' })))).toBe('NOT_FOUND');
  });

  it('is undefined without an error, for network errors, and without a string code', () => {
    expect(errorCode(null)).toBeUndefined();
    expect(errorCode(undefined)).toBeUndefined();
    expect(errorCode(new CombinedError({ networkError: new Error('x') }))).toBeUndefined();
    expect(errorCode(combined(gqlError('a')))).toBeUndefined();
    expect(errorCode(combined(gqlError('a', { code: 42 })))).toBeUndefined();
  });

  it('looks only at the first error', () => {
    expect(errorCode(combined(gqlError('a'), gqlError('b', { code: 'FORBIDDEN' })))).toBeUndefined();
  });
});
