import { describe, expect, it } from 'vitest';

import { decodeEntities, snippetParts } from './snippet';

describe('decodeEntities', () => {
  it('decodes the named entities the server escapes with', () => {
    expect(decodeEntities('&amp; &lt; &gt; &quot; &apos;')).toBe('& < > " \'');
  });

  it('decodes &nbsp; to a non-breaking space', () => {
    expect(decodeEntities('a&nbsp;b')).toBe('a\u00a0b');
  });

  it('decodes decimal and hex numeric references', () => {
    expect(decodeEntities('&#39;')).toBe("'");
    expect(decodeEntities('&#x27;')).toBe("'");
    expect(decodeEntities('&#X27;')).toBe("'");
    expect(decodeEntities('&#x2F;&#60;&#x3c;')).toBe('/<<');
    expect(decodeEntities('&#233;t&#xE9;')).toBe('été');
  });

  it('decodes astral code points', () => {
    expect(decodeEntities('&#x1F600;')).toBe('😀');
    expect(decodeEntities('&#128512;')).toBe('😀');
    expect(decodeEntities('&#x10FFFF;')).toBe(String.fromCodePoint(0x10ffff));
  });

  it('names are case-insensitive', () => {
    expect(decodeEntities('&AMP;&Lt;&GT;')).toBe('&<>');
  });

  it('decodes only once: an escaped entity stays an entity', () => {
    expect(decodeEntities('&amp;lt;')).toBe('&lt;');
    expect(decodeEntities('&amp;amp;')).toBe('&amp;');
    expect(decodeEntities('&amp;#60;')).toBe('&#60;');
  });

  it('leaves unknown entities alone', () => {
    expect(decodeEntities('&copy; &bogus; &hellip;')).toBe('&copy; &bogus; &hellip;');
  });

  it('leaves invalid code points alone', () => {
    expect(decodeEntities('&#0;')).toBe('&#0;');
    expect(decodeEntities('&#x0;')).toBe('&#x0;');
    expect(decodeEntities('&#x110000;')).toBe('&#x110000;');
    expect(decodeEntities('&#1114112;')).toBe('&#1114112;');
    expect(decodeEntities('&#99999999999999999999999;')).toBe('&#99999999999999999999999;');
  });

  // Regression: surrogate code points (U+D800–U+DFFF) are not valid
  // characters, but the range check only excludes 0 and > 0x10FFFF, so
  // "&#xD800;" decodes to a lone surrogate (an ill-formed UTF-16 string,
  // rendered as U+FFFD) instead of being left alone. The server cannot send
  // one today (it escapes '&' itself, so a literal "&#xD800;" in a post
  // arrives as "&amp;#xD800;"), so this only matters for other inputs.
  it('leaves surrogate code points alone', () => {
    expect(decodeEntities('&#xD800;')).toBe('&#xD800;'); // actually '\uD800'
    expect(decodeEntities('&#57343;')).toBe('&#57343;'); // U+DFFF; actually '\uDFFF'
  });

  it('leaves malformed references alone', () => {
    for (const t of ['&', '&amp', 'a & b', '&;', '&#;', '&#x;', '&#xZZ;', '&#12a;', '& amp;', '&#-1;']) {
      expect(decodeEntities(t)).toBe(t);
    }
  });

  it('plain text passes through unchanged', () => {
    expect(decodeEntities('')).toBe('');
    expect(decodeEntities('Just words; no refs.')).toBe('Just words; no refs.');
  });
});

describe('snippetParts', () => {
  it('splits into unmarked and marked parts', () => {
    expect(snippetParts('An <mark>index</mark> speeds <mark>reads</mark>.')).toEqual([
      { text: 'An ', marked: false },
      { text: 'index', marked: true },
      { text: ' speeds ', marked: false },
      { text: 'reads', marked: true },
      { text: '.', marked: false },
    ]);
  });

  it('has no empty parts (marks at the edges, adjacent marks)', () => {
    expect(snippetParts('<mark>borrow</mark> <mark>checker</mark>')).toEqual([
      { text: 'borrow', marked: true },
      { text: ' ', marked: false },
      { text: 'checker', marked: true },
    ]);
    expect(snippetParts('<mark>a</mark><mark>b</mark>')).toEqual([
      { text: 'a', marked: true },
      { text: 'b', marked: true },
    ]);
    expect(snippetParts('')).toEqual([]);
    expect(snippetParts('<mark></mark>')).toEqual([]);
  });

  it('decodes entities in every part', () => {
    // The server's own example (highlight.rs).
    expect(snippetParts('An &lt;<mark>index</mark>&gt; speeds reads; <mark>indexes</mark> &amp; more')).toEqual([
      { text: 'An <', marked: false },
      { text: 'index', marked: true },
      { text: '> speeds reads; ', marked: false },
      { text: 'indexes', marked: true },
      { text: ' & more', marked: false },
    ]);
    expect(snippetParts('<mark>R&amp;D</mark> &quot;quoted&quot; &#39;single&#x27;')).toEqual([
      { text: 'R&D', marked: true },
      { text: ' "quoted" \'single\'', marked: false },
    ]);
  });

  it('an escaped <script> comes out as literal text in an unmarked part, never as markup', () => {
    const parts = snippetParts('before &lt;script&gt;alert(1)&lt;/script&gt; after');
    expect(parts).toEqual([{ text: 'before <script>alert(1)</script> after', marked: false }]);
  });

  it('an escaped <mark> is literal text and does not start highlighting', () => {
    expect(snippetParts('&lt;mark&gt;not marked&lt;/mark&gt; <mark>marked</mark>')).toEqual([
      { text: '<mark>not marked</mark> ', marked: false },
      { text: 'marked', marked: true },
    ]);
  });

  it('an entity split around a mark tag is not joined into one', () => {
    expect(snippetParts('&amp<mark>lt;</mark>')).toEqual([
      { text: '&amp', marked: false },
      { text: 'lt;', marked: true },
    ]);
  });

  it('only exact <mark> and </mark> tags count; anything else is text', () => {
    expect(snippetParts('<mark class="x">a</mark>')).toEqual([
      { text: '<mark class="x">a', marked: false },
    ]);
    expect(snippetParts('<b>bold</b>')).toEqual([{ text: '<b>bold</b>', marked: false }]);
  });

  it('tags are case-insensitive', () => {
    expect(snippetParts('<MARK>up</Mark> down')).toEqual([
      { text: 'up', marked: true },
      { text: ' down', marked: false },
    ]);
  });

  it('an unclosed <mark> marks to the end; a stray </mark> just ends marking', () => {
    expect(snippetParts('a <mark>b c')).toEqual([
      { text: 'a ', marked: false },
      { text: 'b c', marked: true },
    ]);
    expect(snippetParts('a</mark> b')).toEqual([
      { text: 'a', marked: false },
      { text: ' b', marked: false },
    ]);
  });

  it('keeps the cut markers as text', () => {
    expect(snippetParts('… the <mark>borrow</mark> checker …')).toEqual([
      { text: '… the ', marked: false },
      { text: 'borrow', marked: true },
      { text: ' checker …', marked: false },
    ]);
  });
});
