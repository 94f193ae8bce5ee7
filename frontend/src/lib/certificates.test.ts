import { describe, expect, it } from 'vitest';

import { groupCode, pdfFileName, verdictOf } from './certificates';

describe('certificates', () => {
  it('groups a code in fours, as printed', () => {
    expect(groupCode('ABCDEFGHIJKLMNOPQRSTUVWXYZ234567')).toBe('ABCD-EFGH-IJKL-MNOP-QRST-UVWX-YZ23-4567');
    expect(groupCode('abcd-efgh ij')).toBe('ABCD-EFGH-IJ');
    expect(groupCode('')).toBe('');
  });

  it('says valid, revoked, or does not verify (never an error) for each status', () => {
    expect(verdictOf('VALID')).toMatchObject({ verdict: 'valid', title: 'Valid certificate' });
    expect(verdictOf('REVOKED')).toMatchObject({ verdict: 'revoked', title: 'Revoked' });
    expect(verdictOf('INVALID_SIGNATURE')).toMatchObject({ verdict: 'invalid', title: 'Does not verify' });
    expect(verdictOf('INVALID_SIGNATURE').detail).toContain('altered');
    expect(verdictOf('UNKNOWN')).toMatchObject({ verdict: 'invalid', title: 'Does not verify' });
    expect(verdictOf('UNKNOWN').detail).toContain('No certificate has this code');
  });

  it('names the PDF after the series', () => {
    expect(pdfFileName('Rust from Zero')).toBe('certificate-rust-from-zero.pdf');
    expect(pdfFileName('Ünïcödé & “quotes”!')).toBe('certificate-unicode-quotes.pdf');
    expect(pdfFileName('???')).toBe('certificate-lectern.pdf');
  });
});
