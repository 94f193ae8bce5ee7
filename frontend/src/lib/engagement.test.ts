import { describe, expect, it } from 'vitest';

import { days, isEngagementNotice, referralLink, referredNote, sourceLabel, suggestedTimeZone, timeZoneOptions } from './engagement';

describe('engagement labels', () => {
  it('names sources and days', () => {
    expect(sourceLabel('POST_READ')).toBe('Read a post');
    expect(sourceLabel(null)).toBe('XP');
    expect(days(1)).toBe('1 day');
    expect(days(0)).toBe('0 days');
  });

  it('toasts level-ups, badges and certificates only', () => {
    expect(isEngagementNotice('LEVEL_UP')).toBe(true);
    expect(isEngagementNotice('BADGE_EARNED')).toBe(true);
    expect(isEngagementNotice('CERTIFICATE_ISSUED')).toBe(true);
    expect(isEngagementNotice('REVIEW_REMINDER')).toBe(false);
    expect(isEngagementNotice('COMMENT_REPLY')).toBe(false);
  });
});

describe('the referral link', () => {
  it('is registration with the code, whatever the origin ends with', () => {
    expect(referralLink('https://lectern.example', 'AB3D5FGH')).toBe('https://lectern.example/register?ref=AB3D5FGH');
    expect(referralLink('http://127.0.0.1:8080/', 'a b')).toBe('http://127.0.0.1:8080/register?ref=a%20b');
  });
});

describe('the referral a reader came with', () => {
  const ada = { displayName: 'Ada' };

  it('says nothing when nobody referred the reader', () => {
    expect(referredNote(null, true)).toBeNull();
    expect(referredNote({ status: null, referredBy: null }, false)).toBeNull();
  });

  it('names the referrer and what their XP still waits for', () => {
    expect(referredNote({ status: 'PENDING', referredBy: ada }, false)).toBe('Ada referred you. They get their XP once you confirm your email address.');
    // Confirmed and still pending: the server waits for a first finished post.
    expect(referredNote({ status: 'PENDING', referredBy: ada }, true)).toBe('Ada referred you. They get their XP once you finish your first post.');
    expect(referredNote({ status: 'REWARDED', referredBy: ada }, true)).toBe('Ada referred you, and got their XP for it.');
    expect(referredNote({ status: 'REWARDED', referredBy: null }, true)).toBe('An account since deleted referred you, and got their XP for it.');
  });

  it("says why a self-referral earns nobody XP", () => {
    expect(referredNote({ status: 'REJECTED', reason: 'SELF_REFERRAL', referredBy: ada }, true)).toMatch(/your own, under another address/);
    expect(referredNote({ status: 'REJECTED', reason: 'SOMETHING_NEW', referredBy: ada }, true)).toBe('Ada referred you; no XP was given for it.');
  });
});

describe('time zones', () => {
  it('offers UTC first, then every zone once, the stored and the browser one included', () => {
    expect(timeZoneOptions('Pacific/Auckland', 'Europe/Berlin', ['Europe/Berlin', 'America/New_York', 'UTC'])).toEqual([
      'UTC',
      'America/New_York',
      'Europe/Berlin',
      'Pacific/Auckland',
    ]);
    expect(timeZoneOptions(null, 'UTC', [])).toEqual(['UTC']);
  });

  it("suggests the browser's zone while the account still counts days in UTC", () => {
    expect(suggestedTimeZone('UTC', 'Europe/Berlin')).toEqual({ zone: 'Europe/Berlin', suggested: true });
    expect(suggestedTimeZone(null, 'Europe/Berlin')).toEqual({ zone: 'Europe/Berlin', suggested: true });
    expect(suggestedTimeZone('UTC', 'UTC')).toEqual({ zone: 'UTC', suggested: false });
    expect(suggestedTimeZone('Asia/Tokyo', 'Europe/Berlin')).toEqual({ zone: 'Asia/Tokyo', suggested: false });
  });
});
