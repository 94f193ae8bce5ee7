// Small rules of the XP, streak and referral screens, kept pure so they are
// unit-tested: labels, the referral link, and the time zones on offer.

import type { NotificationKind, ReferralStatus, XpSource } from '../gql/graphql';

/** Notifications of something the viewer achieved (a level, a badge, a certificate): each gets a toast. */
export const ENGAGEMENT_KINDS: readonly NotificationKind[] = ['LEVEL_UP', 'BADGE_EARNED', 'CERTIFICATE_ISSUED'];

export function isEngagementNotice(kind: NotificationKind): boolean {
  return ENGAGEMENT_KINDS.includes(kind);
}

export const SOURCE_LABEL: Record<XpSource, string> = {
  POST_READ: 'Read a post',
  SERIES_FINISHED: 'Finished a series',
  STREAK: 'Streak milestone',
  BADGE: 'Earned a badge',
  REFERRAL: 'A friend joined',
  REVIEW: 'Reviewed a card',
};

export function sourceLabel(source: XpSource | null | undefined): string {
  return (source && SOURCE_LABEL[source]) ?? 'XP';
}

/** "1 day", "5 days". */
export function days(n: number): string {
  return `${n} day${n === 1 ? '' : 's'}`;
}

/** The link a user shares: registration with their code. */
export function referralLink(origin: string, code: string): string {
  return `${origin.replace(/\/$/, '')}/register?ref=${encodeURIComponent(code)}`;
}

/** The referral a reader came with, as settings show it. */
export interface OwnReferral {
  status?: ReferralStatus | null;
  reason?: string | null;
  referredBy?: { displayName: string } | null;
}

/**
 * What settings say about the referral the reader came with (null when nobody
 * referred them): who, and whether that person got their XP, or what it still waits for.
 */
export function referredNote(referral: OwnReferral | null | undefined, emailVerified: boolean): string | null {
  if (!referral?.status) return null;
  const who = referral.referredBy?.displayName ?? 'An account since deleted';
  switch (referral.status) {
    case 'PENDING':
      // Pending with a confirmed address: the server also waits for a first finished post.
      return emailVerified
        ? `${who} referred you. They get their XP once you finish your first post.`
        : `${who} referred you. They get their XP once you confirm your email address.`;
    case 'REWARDED':
      return `${who} referred you, and got their XP for it.`;
    case 'REJECTED':
      return referral.reason === 'SELF_REFERRAL'
        ? `The code you entered is your own, under another address, so nobody gets XP for it.`
        : `${who} referred you; no XP was given for it.`;
  }
}

/** The browser's IANA time zone (UTC when it cannot tell). */
export function browserTimeZone(): string {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
  } catch {
    return 'UTC';
  }
}

/**
 * The time zones to choose from: the browser's list (when it has one), plus
 * UTC, the stored zone and the browser's own, each once, sorted with UTC first.
 */
export function timeZoneOptions(stored: string | null | undefined, browser: string, supported: readonly string[] = supportedTimeZones()): string[] {
  const all = new Set<string>(supported);
  for (const zone of [stored, browser]) if (zone) all.add(zone);
  all.delete('UTC');
  return ['UTC', ...[...all].sort((a, b) => a.localeCompare(b))];
}

function supportedTimeZones(): string[] {
  const intl = Intl as typeof Intl & { supportedValuesOf?: (key: 'timeZone') => string[] };
  try {
    return intl.supportedValuesOf?.('timeZone') ?? [];
  } catch {
    return [];
  }
}

/**
 * The zone the settings form starts with: the stored one, unless it is UTC
 * (the default every account starts with) and the browser is elsewhere, in
 * which case the browser's (still to be saved).
 */
export function suggestedTimeZone(stored: string | null | undefined, browser: string): { zone: string; suggested: boolean } {
  const current = stored || 'UTC';
  if (current === 'UTC' && browser && browser !== 'UTC') return { zone: browser, suggested: true };
  return { zone: current, suggested: false };
}
