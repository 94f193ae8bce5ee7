// Study notes' small rules, kept pure so they are unit-tested: a quote taken
// from the text a reader selected (as the server compares it: any run of
// whitespace as one space, at most 1,000 characters), the markdown file's
// name, and the note length shown as the reader types.

/** The longest quote the API takes. */
export const MAX_QUOTE = 1000;
/** The longest note body the API takes. */
export const MAX_NOTE = 20_000;

/**
 * The selected text as a quote: whitespace squeezed to single spaces and
 * trimmed. A longer selection is cut to its first 1,000 characters (at a word
 * break when one is near), which is still a passage of the post.
 */
export function quoteOf(selected: string): { quote: string; shortened: boolean } | null {
  const text = selected.replace(/\s+/g, ' ').trim();
  if (!text) return null;
  if (text.length <= MAX_QUOTE) return { quote: text, shortened: false };
  const cut = text.slice(0, MAX_QUOTE);
  const space = cut.lastIndexOf(' ');
  return { quote: (space > MAX_QUOTE - 80 ? cut.slice(0, space) : cut).trim(), shortened: true };
}

/** `lectern-notes-2026-03-05.md`, by the reader's own date. */
export function notesFileName(now: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `lectern-notes-${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}.md`;
}

/** "120 / 20,000 characters", counted as the server counts (code points). */
export function lengthText(body: string, max = MAX_NOTE): string {
  return `${[...body.trim()].length.toLocaleString('en')} / ${max.toLocaleString('en')} characters`;
}

/** Whether a body is past the limit (the server refuses it; the form says so before sending). */
export function tooLong(body: string, max = MAX_NOTE): boolean {
  return [...body.trim()].length > max;
}
