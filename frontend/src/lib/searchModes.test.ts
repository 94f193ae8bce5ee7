import { describe, expect, it } from 'vitest';

import { emptyHint, isMode } from './searchModes';

describe('emptyHint', () => {
  it('offers nothing when the API suggests no mode (no other mode would find anything)', () => {
    expect(emptyHint(null)).toBeNull();
    expect(emptyHint(undefined)).toBeNull();
  });

  it('offers the suggested mode by its label', () => {
    expect(emptyHint('SEMANTIC')).toEqual({ mode: 'SEMANTIC', text: '“Meaning” finds posts that say it in other words.' });
    expect(emptyHint('KEYWORD')).toEqual({ mode: 'KEYWORD', text: '“Exact words” finds posts containing your words.' });
  });
});

describe('isMode', () => {
  it('accepts the three modes only', () => {
    expect(['HYBRID', 'KEYWORD', 'SEMANTIC'].every(isMode)).toBe(true);
    expect(isMode('FUZZY')).toBe(false);
    expect(isMode(null)).toBe(false);
  });
});
