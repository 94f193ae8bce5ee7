import { describe, expect, it } from 'vitest';

import { MAX_QUOTE, lengthText, notesFileName, quoteOf, tooLong } from './notes';

describe('quoting a selection', () => {
  it('squeezes whitespace as the server compares it', () => {
    expect(quoteOf('  The borrow\n\n checker\tsays   no. ')).toEqual({ quote: 'The borrow checker says no.', shortened: false });
    expect(quoteOf(' \n\t ')).toBeNull();
    expect(quoteOf('')).toBeNull();
  });

  it('cuts a long selection to 1,000 characters, at a word break when one is near', () => {
    const words = Array.from({ length: 300 }, (_, i) => `word${i}`).join(' ');
    const cut = quoteOf(words)!;
    expect(cut.shortened).toBe(true);
    expect(cut.quote.length).toBeLessThanOrEqual(MAX_QUOTE);
    expect(words.startsWith(cut.quote)).toBe(true);
    expect(words.charAt(cut.quote.length)).toBe(' ');
    const solid = 'x'.repeat(1500);
    expect(quoteOf(solid)).toEqual({ quote: 'x'.repeat(MAX_QUOTE), shortened: true });
  });
});

describe('note lengths and the export', () => {
  it('counts code points, as the server does', () => {
    expect(lengthText('héllo 🙂')).toBe('7 / 20,000 characters');
    expect(tooLong('a'.repeat(20_000))).toBe(false);
    expect(tooLong('a'.repeat(20_001))).toBe(true);
    expect(tooLong(`  ${'a'.repeat(20_000)}  `)).toBe(false);
  });

  it('names the markdown file by the local date', () => {
    expect(notesFileName(new Date(2026, 2, 5, 23, 59))).toBe('lectern-notes-2026-03-05.md');
  });
});
