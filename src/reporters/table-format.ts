/**
 * Cell and prose formatting of the table reporter: greedy word wrap (hyphens are break points in
 * cells), truncation, labelled lines whose text wraps under itself, paragraphs with a hanging
 * indent, and the paint (a private chalk instance, colour by severity). Every helper is
 * deterministic: no locale, no time zone but UTC.
 */

import { Chalk, type ChalkInstance } from 'chalk';
import type { Severity, Span } from '../model/report.js';
import { spanRangeText } from './text-format.js';

/** The label column of the header blocks ("Coverage", "Window" …). */
export const LABEL_WIDTH = 16;

export interface Paint {
  chalk: ChalkInstance;
  severity(severity: Severity, text: string): string;
}

export function makePaint(isColor: boolean): Paint {
  // A private instance: the caller decides colour (NO_COLOR, --no-color, TTY), never chalk's own detection.
  const chalk = new Chalk({ level: isColor ? 1 : 0 });
  const bySeverity: Record<Severity, (text: string) => string> = {
    critical: (t) => chalk.bold.red(t),
    high: (t) => chalk.red(t),
    medium: (t) => chalk.yellow(t),
    low: (t) => chalk.cyan(t),
    info: (t) => chalk.gray(t),
  };
  return { chalk, severity: (severity, text) => bySeverity[severity](text) };
}

export function spanText(span: Span): string {
  return spanRangeText(span);
}

/** Breaks a word that cannot fit on any line into width-sized pieces. */
export function hardSplit(word: string, width: number): string[] {
  const pieces: string[] = [];
  for (let i = 0; i < word.length; i += width) pieces.push(word.slice(i, i + width));
  return pieces;
}

/**
 * Greedy word wrap. In table cells hyphens are break points too, because finding types and names
 * are hyphenated and must fit narrow columns without being cut mid-word; prose breaks at spaces only.
 */
export function wrap(text: string, width: number, isHyphenBreak = false): string[] {
  const safeWidth = Math.max(1, width);
  const lines: string[] = [];
  const boundary = isHyphenBreak ? /(?<=-)|(?= )/ : /(?= )/;
  for (const paragraph of text.split('\n')) {
    const tokens = paragraph.split(boundary).flatMap((t) => (t.length > safeWidth ? hardSplit(t, safeWidth) : [t]));
    let line = '';
    for (const token of tokens) {
      if ((line + token).length <= safeWidth) {
        line += token;
        continue;
      }
      if (line.trim() !== '') lines.push(line.trimEnd());
      line = token.trimStart();
    }
    lines.push(line.trimEnd());
  }
  return lines;
}

export function truncate(text: string, width: number): string {
  return text.length <= width ? text : `${text.slice(0, Math.max(0, width - 1))}…`;
}

/** `label  text`, the text wrapped under itself so the labels stay aligned. */
export function labelled(label: string, text: string, width: number, indent = 2): string[] {
  const head = ' '.repeat(indent) + label.padEnd(LABEL_WIDTH);
  const body = wrap(text, width - head.length);
  return body.map((line, i) => (i === 0 ? head : ' '.repeat(head.length)) + line);
}

/** A paragraph with a hanging indent. */
export function paragraph(text: string, width: number, indent: number, hang = indent): string[] {
  const lines = wrap(text, width - hang);
  return lines.map((line, i) => ' '.repeat(i === 0 ? indent : hang) + line);
}
