import { describe, expect, it } from 'vitest';

import {
  applyEvent,
  citedSources,
  failAnswer,
  idleAnswer,
  segments,
  startAnswer,
  type AnswerSource,
  type AnswerState,
  type AskEvent,
  type Segment,
} from './assemble';

function source(index: number): AnswerSource {
  return {
    index,
    heading: index % 2 ? `Heading ${index}` : null,
    post: { slug: `post-${index}`, title: `Post ${index}` },
    passage: { id: `passage-${index}`, text: `Passage ${index}` },
  };
}

const sourcesEvent = (...indexes: number[]): AskEvent => ({ __typename: 'AskAiSources', sources: indexes.map(source) });
const delta = (text: string): AskEvent => ({ __typename: 'AskAiDelta', text });
const done = (finishReason = 'stop', totalMs = 1234): AskEvent => ({
  __typename: 'AskAiDone',
  finishReason,
  characters: 10,
  tokens: 5,
  retrievalMs: 100,
  firstDeltaMs: 200,
  totalMs,
});
const error = (code = 'UNAVAILABLE', message = 'The model is unavailable'): AskEvent => ({
  __typename: 'AskAiError',
  code,
  message,
});

const run = (question: string, events: AskEvent[]): AnswerState => events.reduce(applyEvent, startAnswer(question));

const text = (t: string): Segment => ({ kind: 'text', text: t });
const cite = (index: number, sources: readonly AnswerSource[] = SOURCES): Segment => ({
  kind: 'cite',
  index,
  source: sources.find((s) => s.index === index)!,
});

const SOURCES = [1, 2, 3, 12].map(source);

// ---------------------------------------------------------------------------

describe('startAnswer', () => {
  it('starts retrieving with an empty answer for the question', () => {
    expect(startAnswer('What is a B-tree?')).toEqual({ ...idleAnswer, status: 'retrieving', question: 'What is a B-tree?' });
  });

  it('does not share state with idleAnswer', () => {
    const state = startAnswer('q');
    expect(state).not.toBe(idleAnswer);
    expect(idleAnswer.status).toBe('idle');
  });
});

describe('applyEvent', () => {
  it('sources arrive sorted by index, without reordering the event', () => {
    const event = sourcesEvent(3, 1, 12, 2);
    const state = applyEvent(startAnswer('q'), event);
    expect(state.sources.map((s) => s.index)).toEqual([1, 2, 3, 12]);
    expect(state.status).toBe('retrieving');
    expect((event as { sources: AnswerSource[] }).sources.map((s) => s.index)).toEqual([3, 1, 12, 2]);
  });

  it('deltas append and set status streaming', () => {
    const state = run('q', [sourcesEvent(1), delta('Hello'), delta(', '), delta('world [1].')]);
    expect(state.status).toBe('streaming');
    expect(state.text).toBe('Hello, world [1].');
    expect(state.sources).toHaveLength(1);
  });

  it('an empty delta still moves to streaming and changes no text', () => {
    const state = run('q', [delta('')]);
    expect(state.status).toBe('streaming');
    expect(state.text).toBe('');
  });

  it('done ends it with the finish reason and total time', () => {
    const state = run('q', [sourcesEvent(1), delta('Answer.'), done('length', 987)]);
    expect(state).toMatchObject({ status: 'done', text: 'Answer.', finishReason: 'length', totalMs: 987, error: null });
  });

  it('done straight after the sources (no answer text) is done with empty text', () => {
    const state = run('q', [sourcesEvent(), done()]);
    expect(state.status).toBe('done');
    expect(state.text).toBe('');
  });

  it('error ends it as failed, keeping what was streamed so far', () => {
    const state = run('q', [sourcesEvent(1), delta('Partial'), error('RATE_LIMITED', 'Slow down')]);
    expect(state).toMatchObject({
      status: 'failed',
      text: 'Partial',
      error: { code: 'RATE_LIMITED', message: 'Slow down' },
      finishReason: null,
    });
  });

  it('events after done are ignored (same state object)', () => {
    const ended = run('q', [delta('Final.'), done()]);
    for (const event of [delta(' more'), sourcesEvent(9), error(), done('other', 1)]) {
      expect(applyEvent(ended, event)).toBe(ended);
    }
  });

  it('events after an error are ignored (same state object)', () => {
    const failed = run('q', [delta('x'), error()]);
    for (const event of [delta(' more'), sourcesEvent(9), done(), error('OTHER', 'other')]) {
      expect(applyEvent(failed, event)).toBe(failed);
    }
  });

  it('events in the idle state are ignored', () => {
    for (const event of [delta('x'), sourcesEvent(1), done(), error()]) {
      expect(applyEvent(idleAnswer, event)).toBe(idleAnswer);
    }
  });

  it('never mutates the state it is given', () => {
    const start = startAnswer('q');
    const snapshot = structuredClone(start);
    const next = applyEvent(applyEvent(start, sourcesEvent(2, 1)), delta('a'));
    expect(start).toEqual(snapshot);
    expect(next).not.toBe(start);
  });
});

describe('failAnswer', () => {
  it('fails a stream in progress, keeping its text', () => {
    const streaming = run('q', [sourcesEvent(1), delta('so far')]);
    expect(failAnswer(streaming, 'NETWORK', 'The connection was lost.')).toEqual({
      ...streaming,
      status: 'failed',
      error: { code: 'NETWORK', message: 'The connection was lost.' },
    });
  });

  it('fails one still retrieving', () => {
    expect(failAnswer(startAnswer('q'), 'CANCELLED', 'You stopped this answer.').status).toBe('failed');
  });

  it('leaves a finished answer alone', () => {
    const ended = run('q', [delta('Done.'), done()]);
    expect(failAnswer(ended, 'CANCELLED', 'You stopped this answer.')).toBe(ended);
  });

  it('leaves an already-failed answer (and its first error) alone', () => {
    const failed = run('q', [error('FIRST', 'first')]);
    const again = failAnswer(failed, 'SECOND', 'second');
    expect(again).toBe(failed);
    expect(again.error).toEqual({ code: 'FIRST', message: 'first' });
  });
});

describe('segments', () => {
  it('plain text is one text segment; empty text is no segments', () => {
    expect(segments('No citations here.', SOURCES)).toEqual([text('No citations here.')]);
    expect(segments('', SOURCES)).toEqual([]);
  });

  it('[1] becomes a citation between text', () => {
    expect(segments('B-trees [1] are wide.', SOURCES)).toEqual([text('B-trees '), cite(1), text(' are wide.')]);
  });

  it('a citation at the very start or end has no empty text beside it', () => {
    expect(segments('[2]', SOURCES)).toEqual([cite(2)]);
    expect(segments('[2] start', SOURCES)).toEqual([cite(2), text(' start')]);
    expect(segments('end [3]', SOURCES)).toEqual([text('end '), cite(3)]);
  });

  it('[1, 3] cites both, in the order written', () => {
    expect(segments('See [3, 1].', SOURCES)).toEqual([text('See '), cite(3), cite(1), text('.')]);
    expect(segments('See [1,3].', SOURCES)).toEqual([text('See '), cite(1), cite(3), text('.')]);
    expect(segments('See [1 ,  2 , 3].', SOURCES)).toEqual([text('See '), cite(1), cite(2), cite(3), text('.')]);
  });

  it('[1][2] cites both with nothing between', () => {
    expect(segments('Both[1][2].', SOURCES)).toEqual([text('Both'), cite(1), cite(2), text('.')]);
  });

  it('multi-digit indexes cite the right source', () => {
    expect(segments('x [12] y', SOURCES)).toEqual([text('x '), cite(12), text(' y')]);
  });

  it('the cite segment carries the source object', () => {
    const [, c] = segments('a [2]', SOURCES);
    expect(c).toEqual({ kind: 'cite', index: 2, source: SOURCES[1] });
  });

  it('a number with no matching source stays text (merged with its neighbours)', () => {
    expect(segments('Unknown [7] here.', SOURCES)).toEqual([text('Unknown [7] here.')]);
    expect(segments('Zero [0].', SOURCES)).toEqual([text('Zero [0].')]);
  });

  it('a group with any unknown number stays text as a whole', () => {
    expect(segments('Mixed [1, 7] here [2].', SOURCES)).toEqual([text('Mixed [1, 7] here '), cite(2), text('.')]);
  });

  it('an unknown citation next to a known one: text merges, the known one cites', () => {
    expect(segments('a [9][1] b', SOURCES)).toEqual([text('a [9]'), cite(1), text(' b')]);
    expect(segments('a [1][9] b', SOURCES)).toEqual([text('a '), cite(1), text('[9] b')]);
  });

  it('with no sources every bracket stays text', () => {
    expect(segments('a [1] b [2, 3]', [])).toEqual([text('a [1] b [2, 3]')]);
  });

  it('an unfinished "[2" (or "[2," / "[") at the end stays text', () => {
    expect(segments('So far [2', SOURCES)).toEqual([text('So far [2')]);
    expect(segments('So far [2, ', SOURCES)).toEqual([text('So far [2, ')]);
    expect(segments('So far [', SOURCES)).toEqual([text('So far [')]);
    expect(segments('See [1] and [2', SOURCES)).toEqual([text('See '), cite(1), text(' and [2')]);
  });

  it('bracketed non-numbers, empty brackets and odd spacing stay text', () => {
    for (const t of ['[a]', '[]', '[ 1]', '[1 ]', '[1,]', '[,1]', '[-1]', '[1.5]', '(1)', '{1}']) {
      expect(segments(t, SOURCES)).toEqual([text(t)]);
    }
    // "[[1]" contains the citation "[1]" after a literal "[".
    expect(segments('[[1]x', SOURCES)).toEqual([text('['), cite(1), text('x')]);
  });

  it('a number that parses to a known index only by overflow does not cite', () => {
    expect(segments('[99999999999999999999]', SOURCES)).toEqual([text('[99999999999999999999]')]);
  });

  it('adjacent text pieces are merged: segments never contain two text pieces in a row', () => {
    const result = segments('a [8] b [9] c [1] d [7][6] e', SOURCES);
    expect(result).toEqual([text('a [8] b [9] c '), cite(1), text(' d [7][6] e')]);
    for (let i = 1; i < result.length; i++) {
      expect(result[i - 1]!.kind === 'text' && result[i]!.kind === 'text').toBe(false);
    }
  });

  it('concatenating the text segments and citations reproduces the input', () => {
    const input = 'A [1] b [1, 3] c [1][2] d [4] e [12] f [2';
    const rebuilt = segments(input, SOURCES)
      .map((s) => (s.kind === 'text' ? s.text : `{${s.index}}`))
      .join('');
    expect(rebuilt).toBe('A {1} b {1}{3} c {1}{2} d [4] e {12} f [2');
  });

  it('is the same on repeated calls (no state kept in the regex)', () => {
    const input = 'x [1] y [2]';
    expect(segments(input, SOURCES)).toEqual(segments(input, SOURCES));
    expect(segments(input, SOURCES)).toEqual([text('x '), cite(1), text(' y '), cite(2)]);
  });
});

describe('a stream split at every character boundary', () => {
  const ANSWER = 'B-trees [1] keep nodes wide [12]; LSM trees [2, 3] batch writes [1][2]. See [12][3] and [7], [1, 9] or [2';

  function streamed(parts: string[]): AnswerState {
    return run('q', [sourcesEvent(12, 3, 2, 1), ...parts.map(delta), done()]);
  }

  it('every single split point gives the same final segments as the unsplit text', () => {
    const expected = segments(ANSWER, SOURCES);
    expect(expected.filter((s) => s.kind === 'cite').map((s) => (s as { index: number }).index)).toEqual([1, 12, 2, 3, 1, 2, 12, 3]);
    for (let i = 0; i <= ANSWER.length; i++) {
      const state = streamed([ANSWER.slice(0, i), ANSWER.slice(i)]);
      expect(state.text).toBe(ANSWER);
      expect(segments(state.text, state.sources)).toEqual(expected);
    }
  });

  it('every pair of split points (three deltas, including inside "[12]") gives the same segments', () => {
    const expected = segments(ANSWER, SOURCES);
    for (let i = 0; i <= ANSWER.length; i++) {
      for (let j = i; j <= ANSWER.length; j++) {
        const state = streamed([ANSWER.slice(0, i), ANSWER.slice(i, j), ANSWER.slice(j)]);
        expect(segments(state.text, state.sources)).toEqual(expected);
      }
    }
  });

  it('one character per delta gives the same segments', () => {
    const state = streamed([...ANSWER]);
    expect(segments(state.text, state.sources)).toEqual(segments(ANSWER, SOURCES));
    expect(citedSources(state.text, state.sources).map((s) => s.index)).toEqual([1, 12, 2, 3]);
  });

  it('mid-stream, a citation cut inside "[12" is text until its "]" arrives', () => {
    const cut = 'wide [12';
    expect(segments(cut, SOURCES)).toEqual([text('wide [12')]);
    expect(segments(`${cut}]`, SOURCES)).toEqual([text('wide '), cite(12)]);
    // "[1" is a prefix of "[12]": it must not cite source 1 early.
    expect(segments('wide [1', SOURCES)).toEqual([text('wide [1')]);
  });
});

describe('citedSources', () => {
  it('lists cited sources in order of first citation, each once', () => {
    const cited = citedSources('a [3] b [1, 3] c [12][1] d [3]', SOURCES);
    expect(cited.map((s) => s.index)).toEqual([3, 1, 12]);
    expect(cited[0]).toBe(SOURCES[2]);
  });

  it('leaves out uncited sources and citations without a source', () => {
    expect(citedSources('only [2] and [8]', SOURCES).map((s) => s.index)).toEqual([2]);
  });

  it('is empty without citations', () => {
    expect(citedSources('nothing cited', SOURCES)).toEqual([]);
    expect(citedSources('', SOURCES)).toEqual([]);
    expect(citedSources('[1]', [])).toEqual([]);
  });
});
