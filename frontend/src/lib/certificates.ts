// Certificates' small rules, kept pure so they are unit-tested: the code in
// groups of four (as on the PDF), what a check's status tells a visitor, and
// the PDF's file name.

import type { CertificateStatus } from '../gql/graphql';

/** "ABCD-EFGH-IJKL-…": the code in groups of four, as printed (the API reads both forms). */
export function groupCode(code: string): string {
  return (code.replace(/[^A-Za-z0-9]/g, '').toUpperCase().match(/.{1,4}/g) ?? []).join('-');
}

export type Verdict = 'valid' | 'revoked' | 'invalid';

/** What the public page says for a status: its tone, a headline and one sentence. */
export function verdictOf(status: CertificateStatus): { verdict: Verdict; title: string; detail: string } {
  switch (status) {
    case 'VALID':
      return { verdict: 'valid', title: 'Valid certificate', detail: 'Issued and signed by this Lectern, unchanged since, and not revoked.' };
    case 'REVOKED':
      return { verdict: 'revoked', title: 'Revoked', detail: 'This certificate was issued by this Lectern, but it has been revoked: it no longer stands.' };
    case 'INVALID_SIGNATURE':
      return {
        verdict: 'invalid',
        title: 'Does not verify',
        detail: 'A certificate is stored under this code, but its details no longer match its signature: it was altered after it was issued.',
      };
    default:
      return {
        verdict: 'invalid',
        title: 'Does not verify',
        detail: 'No certificate has this code. Check that it was typed or copied exactly; an altered or made-up code does not verify.',
      };
  }
}

/** `certificate-rust-from-zero.pdf`. */
export function pdfFileName(seriesTitle: string): string {
  const slug = seriesTitle
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 60);
  return `certificate-${slug || 'lectern'}.pdf`;
}
