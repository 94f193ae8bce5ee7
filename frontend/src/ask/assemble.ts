// Assembling an `askAi` stream: the sources arrive first, then the answer in
// deltas that may split anywhere (inside a word, inside a "[2]" citation),
// then a done or error event. The answer text is only ever appended to; the
// citations are parsed from the whole text on render, so a citation split
// across deltas still becomes one link.

export interface AnswerSource {
  index: number;
  heading: string | null;
  post: { slug: string; title: string };
  passage: { id: string; text: string };
}

export type AskEvent =
  | { __typename: 'AskAiSources'; sources: AnswerSource[] }
  | { __typename: 'AskAiDelta'; text: string }
  | {
      __typename: 'AskAiDone';
      finishReason: string;
      characters: number;
      tokens: number | null;
      retrievalMs: number;
      firstDeltaMs: number | null;
      totalMs: number;
    }
  | { __typename: 'AskAiError'; code: string; message: string };

export type AnswerStatus = 'idle' | 'retrieving' | 'streaming' | 'done' | 'failed';

export interface AnswerState {
  status: AnswerStatus;
  question: string;
  sources: AnswerSource[];
  text: string;
  finishReason: string | null;
  totalMs: number | null;
  error: { code: string; message: string } | null;
}

export const idleAnswer: AnswerState = {
  status: 'idle',
  question: '',
  sources: [],
  text: '',
  finishReason: null,
  totalMs: null,
  error: null,
};

export function startAnswer(question: string): AnswerState {
  return { ...idleAnswer, status: 'retrieving', question };
}

/** The state after one more event. Events after the end are ignored. */
export function applyEvent(state: AnswerState, event: AskEvent): AnswerState {
  if (state.status === 'done' || state.status === 'failed' || state.status === 'idle') return state;
  switch (event.__typename) {
    case 'AskAiSources':
      return { ...state, sources: [...event.sources].sort((a, b) => a.index - b.index) };
    case 'AskAiDelta':
      return { ...state, status: 'streaming', text: state.text + event.text };
    case 'AskAiDone':
      return { ...state, status: 'done', finishReason: event.finishReason, totalMs: event.totalMs };
    case 'AskAiError':
      return { ...state, status: 'failed', error: { code: event.code, message: event.message } };
  }
}

/** The stream failed outside the protocol (a GraphQL error, a dropped socket). */
export function failAnswer(state: AnswerState, code: string, message: string): AnswerState {
  if (state.status === 'done' || state.status === 'failed') return state;
  return { ...state, status: 'failed', error: { code, message } };
}

export type Segment = { kind: 'text'; text: string } | { kind: 'cite'; index: number; source: AnswerSource };

/**
 * The answer as text and citations. `[1]`, `[1, 3]` and `[1][2]` cite; a
 * number with no matching source stays text, and so does an unfinished "[2"
 * at the end of a stream still in progress.
 */
export function segments(text: string, sources: readonly AnswerSource[]): Segment[] {
  const byIndex = new Map(sources.map((s) => [s.index, s]));
  const out: Segment[] = [];
  const pushText = (t: string) => {
    if (!t) return;
    const last = out[out.length - 1];
    if (last?.kind === 'text') last.text += t;
    else out.push({ kind: 'text', text: t });
  };
  const pattern = /\[(\d+(?:\s*,\s*\d+)*)\]/g;
  let cursor = 0;
  for (const match of text.matchAll(pattern)) {
    const start = match.index;
    const numbers = match[1]!.split(',').map((n) => Number.parseInt(n.trim(), 10));
    const cited = numbers.map((n) => byIndex.get(n));
    if (cited.some((s) => !s)) continue;
    pushText(text.slice(cursor, start));
    for (const source of cited as AnswerSource[]) out.push({ kind: 'cite', index: source.index, source });
    cursor = start + match[0].length;
  }
  pushText(text.slice(cursor));
  return out;
}

/** The sources the answer actually cites, in order of first citation. */
export function citedSources(text: string, sources: readonly AnswerSource[]): AnswerSource[] {
  const seen = new Map<number, AnswerSource>();
  for (const segment of segments(text, sources)) {
    if (segment.kind === 'cite' && !seen.has(segment.index)) seen.set(segment.index, segment.source);
  }
  return [...seen.values()];
}
