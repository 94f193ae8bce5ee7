// Errors from the API, as people read them. The server gives every error a
// stable `extensions.code` (and `extensions.field` for input errors); the UI
// branches on those, never on message text.

import type { CombinedError } from '@urql/core';

export interface FormErrors {
  /** Messages for named input fields, shown next to the field. */
  fields: Record<string, string>;
  /** A message for the form as a whole. */
  form: string | null;
}

const MESSAGES: Record<string, string> = {
  UNAUTHENTICATED: 'Please sign in to do that.',
  FORBIDDEN: 'You are not allowed to do that.',
  NOT_FOUND: 'That does not exist, or is no longer available.',
  CONFLICT: 'That is already taken.',
  RATE_LIMITED: 'Too many attempts. Please wait a moment and try again.',
  PAYLOAD_TOO_LARGE: 'That is too large to send.',
  QUERY_TOO_COMPLEX: 'That request is too large.',
  INTERNAL_SERVER_ERROR: 'Something went wrong on our side. Please try again.',
  PAYMENTS_DISABLED: 'Payments are not configured on this server.',
  EMAIL_NOT_VERIFIED: 'Please confirm your email address first: we sent you a link.',
  UPSTREAM_UNAVAILABLE: 'A service this needs could not be reached. Please try again in a moment.',
  SEMANTIC_SEARCH_UNAVAILABLE: 'Search by meaning is not available on this server right now. “Exact words” search still works.',
};

function retryMessage(seconds: unknown): string {
  const n = typeof seconds === 'number' ? Math.ceil(seconds) : NaN;
  if (!Number.isFinite(n) || n <= 0) return MESSAGES.RATE_LIMITED!;
  const wait = n < 90 ? `${n} second${n === 1 ? '' : 's'}` : `${Math.ceil(n / 60)} minutes`;
  return `Too many attempts. Please try again in ${wait}.`;
}

/** A human message for one GraphQL error. */
export function messageFor(code: string | undefined, serverMessage: string, extensions: Record<string, unknown> = {}): string {
  switch (code) {
    case 'BAD_USER_INPUT':
      // Input errors are written for people (they name what is wrong).
      return serverMessage;
    case 'CONFLICT':
      return extensions.field === 'email' ? 'An account with this email already exists.' : serverMessage || MESSAGES.CONFLICT!;
    case 'RATE_LIMITED':
      return retryMessage(extensions.retryAfter);
    case 'UNAUTHENTICATED':
      return serverMessage && !/token/i.test(serverMessage) ? serverMessage : MESSAGES.UNAUTHENTICATED!;
    default:
      return (code ? MESSAGES[code] : undefined) ?? (serverMessage || MESSAGES.INTERNAL_SERVER_ERROR!);
  }
}

/**
 * Splits an error into per-field messages (for errors whose `extensions.field`
 * names one of `fields`) and one message for the rest.
 */
export function formErrors(error: CombinedError | null | undefined, fields: readonly string[] = []): FormErrors {
  const result: FormErrors = { fields: {}, form: null };
  if (!error) return result;
  if (error.networkError && error.graphQLErrors.length === 0) {
    result.form = 'Cannot reach the server. Check your connection and try again.';
    return result;
  }
  const rest: string[] = [];
  for (const e of error.graphQLErrors) {
    const ext = (e.extensions ?? {}) as Record<string, unknown>;
    const code = typeof ext.code === 'string' ? ext.code : undefined;
    const message = messageFor(code, e.message, ext);
    const field = typeof ext.field === 'string' ? ext.field : undefined;
    const match = field ? fields.find((f) => f === field || field.endsWith(`.${f}`)) : undefined;
    if (match && !result.fields[match]) result.fields[match] = message;
    else rest.push(message);
  }
  result.form = rest.length ? [...new Set(rest)].join(' ') : null;
  return result;
}

/**
 * The message of a form with a single field, shown at that field: the
 * refusals that name it, and those that name no field (a rate limit, say).
 */
export function singleFieldError(error: CombinedError | null | undefined, field: string): string | undefined {
  const { fields, form } = formErrors(error, [field]);
  return [fields[field], form].filter(Boolean).join(' ') || undefined;
}

/** One line for an error outside a form (a failed page load, say). */
export function errorMessage(error: CombinedError | null | undefined): string | null {
  if (!error) return null;
  const { fields, form } = formErrors(error);
  return form ?? Object.values(fields)[0] ?? null;
}

export function errorCode(error: CombinedError | null | undefined): string | undefined {
  const code = error?.graphQLErrors[0]?.extensions?.code;
  return typeof code === 'string' ? code : undefined;
}
