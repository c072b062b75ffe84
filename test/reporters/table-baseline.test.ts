import { stripVTControlCharacters } from 'node:util';
import { describe, expect, it } from 'vitest';
import { renderTable } from '../../src/reporters/table.js';
import { baselineWithExceptions } from './fixtures/baseline-with-exceptions.js';
import { twoAccountsPartialCoverage } from './fixtures/two-accounts-partial-coverage.js';

function cells(line: string): string[] {
  return line
    .split('│')
    .slice(1, -1)
    .map((c) => c.trim());
}

/** Table rows as cell lists, the wrapped lines of one row joined into one list per row. */
function rows(text: string): string[][] {
  const out: string[][] = [];
  let current: string[][] = [];
  for (const line of text.split('\n')) {
    if (line.startsWith('│')) current.push(cells(line));
    else if ((line.startsWith('├') || line.startsWith('└')) && current.length > 0) {
      out.push(
        current[0]?.map((_, i) =>
          current
            .map((l) => l[i] ?? '')
            .filter((c) => c !== '')
            .join(' '),
        ) ?? [],
      );
      current = [];
    }
  }
  return out;
}

describe('table with a baseline and exceptions', () => {
  const text = renderTable(baselineWithExceptions(), { isColor: false, width: 100 });

  it('states the baseline and exception counts in the header', () => {
    expect(text).toContain('Baseline        reports/2024-06-01.json of 2024-06-01 · 4 new · 6 existing · 2 resolved');
    expect(text.replace(/\s+/g, ' ')).toContain('Exceptions permdrift.exceptions.yaml · 3 in force · 1 expiring within 14 days · 1 expired · 1 stale');
    expect(text.indexOf('Baseline ')).toBeLessThan(text.indexOf('Coverage'));
  });

  it('marks new and excepted rows under the severity, and leaves existing rows unmarked', () => {
    const table = rows(text);
    expect(table[0]?.[4]).toBe('Severity Status');
    const status = (name: string, service: string): string | undefined => table.find((r) => r[0]?.startsWith(name) === true && r[1] === service)?.[4];
    expect(status('ci-deployer', 'iam')).toBe('critical new');
    expect(status('app-backend-role', 'iam')).toBe('high excepted');
    expect(status('ci-deployer', 'ec2')).toBe('high');
    // The stale key's exception expired: it is no longer excepted.
    expect(status('legacy-backup', '—')).toBe('medium');
    expect(status('legacy-reporting- role', '—')).toBe('medium excepted');
    expect(status('batch-worker', 'execute-api')).toBe('info new');
  });

  it('keeps every line within the width', () => {
    for (const width of [100, 140]) {
      const out = renderTable(baselineWithExceptions(), { isColor: false, width });
      expect(out.split('\n').filter((l) => l.length > width)).toEqual([]);
    }
  });

  it('leaves excepted findings out of the next steps', () => {
    const steps = text.slice(text.indexOf('Next steps'), text.indexOf('Unverifiable:'));
    expect(steps).not.toContain('Remove iam:PassRole from policy app-backend-deploy');
    expect(steps).not.toContain('Delete role legacy-reporting-role');
    expect(steps).toContain('Deactivate access key 1 of legacy-backup');
  });

  it('omits the next steps when every finding is excepted', () => {
    const report = baselineWithExceptions();
    for (const f of report.findings) f.exception = { entry: 9, reason: 'accepted', owner: 'sec', state: 'active' };
    const out = renderTable(report, { isColor: false, width: 100 });
    expect(out).not.toContain('Next steps');
    expect(out).toContain('excepted');
  });

  it('lists resolved findings with how long they stood', () => {
    const section = text.slice(text.indexOf('Resolved since the baseline (2)'), text.indexOf('Exceptions to review'));
    expect(section.replace(/\s+/g, ' ')).toContain(
      'critical unused-permission iam · app-backend-role (role · 111122223333) · first seen 2024-03-01, after 121 days',
    );
    expect(section).toContain('sns · ci-deployer');
  });

  it('lists the exceptions to review: expiring, expired and stale, one line of plain text each', () => {
    const section = text.slice(text.indexOf('Exceptions to review (3)'), text.indexOf('Warnings ('));
    const flat = section.replace(/\s+/g, ' ');
    expect(flat).toContain('#1 expires 2024-07-10 · owner platform-team · 1 finding');
    expect(flat).toContain('#2 expired 2024-06-15, no longer applies · owner @storage-oncall');
    expect(flat).toContain('#4 stale: matches no finding · owner security · 0 findings');
    expect(flat).not.toContain('#3 ');

    const report = baselineWithExceptions();
    const entry = report.exceptions?.entries[1];
    if (entry === undefined) throw new Error('fixture changed');
    entry.reason = 'line one\nline two \u001b[31mred\u001b[0m';
    const out = renderTable(report, { isColor: false, width: 100 });
    expect(out).not.toContain('\u001b');
    // Shown as escapes, so a reader sees that the file held control characters.
    expect(out.replace(/\s+/g, ' ')).toContain('line one line two \\x1b[31mred\\x1b[0m');
  });

  it('adds only colour when colour is on', () => {
    const coloured = renderTable(baselineWithExceptions(), { isColor: true, width: 100 });
    expect(coloured).not.toBe(text);
    expect(stripVTControlCharacters(coloured)).toBe(text);
  });

  it('shows no status and no review sections without a baseline or exceptions', () => {
    const out = renderTable(twoAccountsPartialCoverage(), { isColor: false, width: 100 });
    expect(out).not.toContain('Status');
    expect(out).not.toContain('Baseline ');
    expect(out).not.toContain('Exceptions to review');
    expect(out).not.toContain('Resolved since');
  });
});
