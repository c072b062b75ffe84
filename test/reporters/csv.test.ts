import { describe, expect, it } from 'vitest';
import type { Report } from '../../src/model/report.js';
import { CSV_COLUMNS, csvField, neutralizeFormula, renderCsv } from '../../src/reporters/csv.js';
import { reporters } from '../../src/reporters/index.js';
import { baselineWithExceptions } from './fixtures/baseline-with-exceptions.js';
import { twoAccountsPartialCoverage } from './fixtures/two-accounts-partial-coverage.js';
import { expectGolden } from './golden-file.js';

/**
 * A strict RFC 4180 parser: records end with CRLF, quoted fields may hold commas, CR, LF and
 * doubled quotes; anything else (a bare LF, a quote inside an unquoted field, text after a closing
 * quote) is an error, so a sloppy writer fails here instead of in a spreadsheet.
 */
function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let i = 0;
  if (!text.endsWith('\r\n')) throw new Error('CSV must end with CRLF');
  while (i < text.length) {
    let field = '';
    if (text[i] === '"') {
      i += 1;
      for (;;) {
        if (i >= text.length) throw new Error('unterminated quoted field');
        if (text[i] === '"') {
          if (text[i + 1] === '"') {
            field += '"';
            i += 2;
            continue;
          }
          i += 1;
          break;
        }
        field += text[i];
        i += 1;
      }
    } else {
      while (i < text.length && text[i] !== ',' && text[i] !== '\r') {
        if (text[i] === '"' || text[i] === '\n') throw new Error(`bare ${JSON.stringify(text[i])} in an unquoted field at ${i}`);
        field += text[i];
        i += 1;
      }
    }
    record.push(field);
    if (text[i] === ',') {
      i += 1;
      continue;
    }
    if (text[i] === '\r' && text[i + 1] === '\n') {
      records.push(record);
      record = [];
      i += 2;
      continue;
    }
    throw new Error(`unexpected ${JSON.stringify(text[i])} after a field at ${i}`);
  }
  return records;
}

function table(report: Report): Record<string, string>[] {
  const [header, ...rows] = parseCsv(renderCsv(report));
  if (header === undefined) throw new Error('no header');
  return rows.map((r) => {
    expect(r).toHaveLength(header.length);
    return Object.fromEntries(header.map((h, i) => [h, r[i] ?? '']));
  });
}

describe('the test parser', () => {
  it('reads quoted fields and refuses malformed ones', () => {
    expect(parseCsv('a,"b,c","d""e","f\r\ng"\r\n,\r\n')).toEqual([
      ['a', 'b,c', 'd"e', 'f\r\ng'],
      ['', ''],
    ]);
    expect(() => parseCsv('a\nb\r\n')).toThrow(/bare/);
    expect(() => parseCsv('a"b\r\n')).toThrow(/bare/);
    expect(() => parseCsv('"a"b\r\n')).toThrow(/unexpected/);
    expect(() => parseCsv('a,b')).toThrow(/CRLF/);
  });
});

describe('CSV reporter', () => {
  it('matches the golden files', () => {
    expectGolden('two-accounts-partial-coverage.csv', renderCsv(twoAccountsPartialCoverage()));
    expectGolden('baseline-with-exceptions.csv', renderCsv(baselineWithExceptions()));
  });

  it('starts with the header row and ends every record with CRLF', () => {
    const text = renderCsv(twoAccountsPartialCoverage());
    expect(text.split('\r\n')[0]).toBe(CSV_COLUMNS.join(','));
    expect(text.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/);
    expect(parseCsv(text)[0]).toEqual([...CSV_COLUMNS]);
  });

  it('writes one row per principal × permission, and one row for findings without permissions', () => {
    const report = twoAccountsPartialCoverage();
    const rows = table(report);
    const expected = report.findings.reduce((n, f) => n + Math.max(1, f.permissions.length), 0);
    expect(rows).toHaveLength(expected);
    expect(rows).toHaveLength(19);
    for (const finding of report.findings) {
      const mine = rows.filter((r) => r['finding_id'] === finding.id);
      expect(mine.map((r) => r['action'])).toEqual(finding.permissions.length === 0 ? [''] : finding.permissions.map((p) => p.action));
    }
    const dormant = rows.find((r) => r['finding_type'] === 'dormant-principal');
    expect(dormant).toMatchObject({ action: '', access_level: '', service: '', granted_by: '', principal_name: 'legacy-reporting-role' });
  });

  it('fills each column from the finding and its permission', () => {
    const rows = table(twoAccountsPartialCoverage());
    const run = rows.find((r) => r['action'] === 'ec2:RunInstances');
    expect(run).toEqual({
      account: '111122223333',
      principal_arn: 'arn:aws:iam::111122223333:user/ci/ci-deployer',
      principal_name: 'ci-deployer',
      principal_kind: 'user',
      finding_id: 'PD-8e21b6d94f0a7c35',
      finding_type: 'unused-service',
      severity: 'high',
      service: 'ec2',
      action: 'ec2:RunInstances',
      access_level: 'Write',
      provenance: 'direct',
      granted_by: 'inline deploy-ec2 statement 0 (LaunchBuildHosts); group platform-admins > managed AdministratorAccess statement 0',
      last_used: '2023-11-14T08:30:00.000Z',
      last_used_source: 'access-advisor',
      unverifiable_reason: '',
      baseline_status: '',
      exception_state: '',
      exception_owner: '',
      first_seen: '',
    });
    expect(rows.find((r) => r['action'] === 's3:GetObject')?.['unverifiable_reason']).toBe('data-events-not-logged');
  });

  it('carries baseline status, exception state and owner, and first seen', () => {
    const rows = table(baselineWithExceptions());
    const passRole = rows.find((r) => r['action'] === 'iam:PassRole' && r['principal_name'] === 'app-backend-role');
    expect(passRole).toMatchObject({
      baseline_status: 'new',
      exception_state: 'active',
      exception_owner: 'platform-team',
      first_seen: '2024-06-30T12:00:00.000Z',
    });
    const key = rows.find((r) => r['finding_type'] === 'stale-credential');
    expect(key).toMatchObject({ baseline_status: 'existing', exception_state: 'expired', first_seen: '2024-03-01T12:00:00.000Z' });
    expect(rows.every((r) => r['baseline_status'] === 'new' || r['baseline_status'] === 'existing')).toBe(true);
  });

  it('neutralises spreadsheet formulas in names and owners, and nowhere else', () => {
    const rows = table(baselineWithExceptions());
    expect(rows.find((r) => r['finding_type'] === 'stale-credential')?.['exception_owner']).toBe("'@storage-oncall");
    expect(rows.find((r) => r['finding_type'] === 'dormant-principal')?.['exception_owner']).toBe("'=finance-data");

    const report = twoAccountsPartialCoverage();
    for (const f of report.findings) f.principal = { ...f.principal, name: `=HYPERLINK("http://x",${f.principal.name})` };
    const first = report.findings[0]?.permissions[0]?.grantedBy[0];
    if (first === undefined) throw new Error('fixture changed');
    const text = renderCsv(report);
    const names = table(report).map((r) => r['principal_name']);
    expect(names.every((n) => n?.startsWith(`'=HYPERLINK("http://x",`) === true)).toBe(true);
    // The ARN column is never prefixed: an ARN cannot start with a formula character.
    expect(text).not.toContain("'arn:");
  });

  it('quotes fields with commas, quotes and line breaks, doubling quotes', () => {
    expect(csvField('plain')).toBe('plain');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('two\nlines')).toBe('"two\nlines"');
    expect(csvField('cr\r')).toBe('"cr\r"');
    expect(neutralizeFormula('+1')).toBe("'+1");
    expect(neutralizeFormula('-x')).toBe("'-x");
    expect(neutralizeFormula('\tcmd')).toBe("'\tcmd");
    expect(neutralizeFormula('role-a')).toBe('role-a');

    const report = baselineWithExceptions();
    const exception = report.findings.find((f) => f.exception !== undefined)?.exception;
    if (exception === undefined) throw new Error('fixture changed');
    exception.owner = 'ops, "core"\r\nteam';
    const owners = table(report).map((r) => r['exception_owner']);
    expect(owners).toContain('ops, "core"\r\nteam');
  });

  it('is deterministic whatever order the findings come in, and never coloured', () => {
    const report = twoAccountsPartialCoverage();
    const reversed = { ...report, findings: [...report.findings].reverse() };
    expect(renderCsv(reversed)).toBe(renderCsv(report));
    expect(reporters.csv(report, { isColor: true })).toBe(renderCsv(report));
  });

  it('writes only the header for a report without findings', () => {
    expect(renderCsv({ ...twoAccountsPartialCoverage(), findings: [] })).toBe(`${CSV_COLUMNS.join(',')}\r\n`);
  });
});
