/** Text helpers for the drift renderers: UTC only, no locale, so output is byte-stable. */

import { Chalk, type ChalkInstance } from 'chalk';

export { isoDay, isoMinute, plural } from './text-format.js';

/** Signed: +3, -2, 0. */
export function signed(n: number): string {
  return n > 0 ? `+${n}` : String(n);
}

/** At most `max` items, then "+N more", so one principal with 190 unused actions stays one line. */
export function listSome(items: string[], max = 3): string {
  if (items.length <= max) return items.join(', ');
  return `${items.slice(0, max).join(', ')} +${items.length - max} more`;
}

export function padRight(text: string, width: number): string {
  return text.length >= width ? text : text + ' '.repeat(width - text.length);
}

export function padLeft(text: string, width: number): string {
  return text.length >= width ? text : ' '.repeat(width - text.length) + text;
}

/** A private chalk: the CLI decides colour (NO_COLOR, --no-color, TTY), never chalk's own detection. */
export function makeChalk(isColor: boolean): ChalkInstance {
  return new Chalk({ level: isColor ? 1 : 0 });
}

export interface DriftRenderOptions {
  /** Decided by the CLI; JSON and Markdown ignore it. */
  isColor: boolean;
  /** Sparklines in plain ASCII, for terminals and logs without Unicode block characters. */
  isAscii?: boolean;
}
