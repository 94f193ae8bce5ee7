// The search page's modes, and what its empty state may offer.

import type { SearchMode } from '../gql/graphql';

export const MODES: { mode: SearchMode; label: string; hint: string }[] = [
  { mode: 'HYBRID', label: 'Best match', hint: 'Words and meaning together' },
  { mode: 'KEYWORD', label: 'Exact words', hint: 'Posts containing your words' },
  { mode: 'SEMANTIC', label: 'Meaning', hint: 'Posts about the same idea, in any words' },
];

export function isMode(value: string | null): value is SearchMode {
  return MODES.some((m) => m.mode === value);
}

const FINDS: Record<SearchMode, string> = {
  HYBRID: 'matches words and meaning together',
  KEYWORD: 'finds posts containing your words',
  SEMANTIC: 'finds posts that say it in other words',
};

/**
 * What an empty result offers: another mode only when the API's
 * `suggestedMode` says that mode finds something for the same query.
 */
export function emptyHint(suggested: SearchMode | null | undefined): { mode: SearchMode; text: string } | null {
  const m = MODES.find((x) => x.mode === suggested);
  if (!m) return null;
  return { mode: m.mode, text: `“${m.label}” ${FINDS[m.mode]}.` };
}
