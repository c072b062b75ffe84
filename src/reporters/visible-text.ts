/**
 * Text from input files shown to a person: policy names, Sids, tags, event names, file names and
 * emails are chosen by whoever wrote the inventory or the logs, and a terminal obeys what it is sent
 * (`\x1b]0;…\x07` retitles the window, `\x1b[2J` clears it, U+202E reverses the text that follows).
 * Every human-facing output (tables, diff and trend text, Markdown, warnings and errors on stderr)
 * goes through here; JSON, SARIF and CSV keep the exact value.
 *
 * Escapes stay visible (`\x1b`, `\u202e`) rather than being deleted, so a reader can tell that
 * something was there. Tab, line feed and carriage return become a space: they are whitespace a
 * hand-written reason may hold, and a space keeps a line one line.
 */

/** C0 and C1 controls, DEL, and the bidirectional marks, embeddings, overrides and isolates. */
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;
const UNSAFE_ALL = new RegExp(UNSAFE.source, 'g');

function escaped(c: string): string {
  if (c === '\t' || c === '\n' || c === '\r') return ' ';
  const code = c.charCodeAt(0);
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
}

/** One string made safe to print: controls and bidi marks shown as escapes. */
export function visibleText(text: string): string {
  return UNSAFE.test(text) ? text.replace(UNSAFE_ALL, escaped) : text;
}

/**
 * Every string in a JSON-shaped value (a Report, a diff, a trend) made visible, keys included.
 * What needs no change is returned as it is, so a clean report costs one scan and no copy.
 * Objects are rebuilt with Object.fromEntries, which defines `__proto__` as an own key.
 */
export function visibleStrings<T>(value: T): T {
  return visibleValue(value) as T;
}

function visibleValue(value: unknown): unknown {
  if (typeof value === 'string') return visibleText(value);
  if (Array.isArray(value)) {
    let out: unknown[] | undefined;
    for (let i = 0; i < value.length; i += 1) {
      const item: unknown = value[i];
      const next = visibleValue(item);
      if (next !== item && out === undefined) out = value.slice(0, i);
      if (out !== undefined) out.push(next);
    }
    return out ?? value;
  }
  if (typeof value !== 'object' || value === null) return value;
  const proto: unknown = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return value;
  const entries = Object.entries(value);
  let isChanged = false;
  const next = entries.map(([key, item]): [string, unknown] => {
    const k = visibleText(key);
    const v = visibleValue(item);
    if (k !== key || v !== item) isChanged = true;
    return [k, v];
  });
  if (!isChanged) return value;
  return Object.fromEntries(next);
}

/** Text of several lines (a usage message, a stack) made visible line by line; the line feeds stay. */
export function visibleLines(text: string): string {
  return text.split('\n').map(visibleText).join('\n');
}
