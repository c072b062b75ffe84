import { describe, expect, it } from 'vitest';
import { FINDING_TYPES, SEVERITIES, type Finding, type Report } from '../../src/model/report.js';
import { renderTable } from '../../src/reporters/table.js';
import { twoAccountsPartialCoverage } from './fixtures/two-accounts-partial-coverage.js';

function lines(text: string): string[] {
  return text.split('\n');
}

/** The table rows: lines between the box borders that carry cell text. */
function tableLines(text: string): string[] {
  return lines(text).filter((l) => l.startsWith('│'));
}

/** Wrapped text joined back into one line, for checks that must not depend on where lines break. */
function flat(text: string): string {
  return text.replace(/\s+/g, ' ');
}

function cells(line: string): string[] {
  return line
    .split('│')
    .slice(1, -1)
    .map((c) => c.trim());
}

function findingOf(report: Report, predicate: (f: Finding) => boolean): Finding {
  const finding = report.findings.find(predicate);
  if (finding === undefined) throw new Error('fixture lacks the finding this test needs');
  return finding;
}

/** A report whose every value is long: names, services, recommendations, warnings, notes. */
function longValuesReport(): Report {
  const report = twoAccountsPartialCoverage();
  const longName = 'x'.repeat(30) + '-github-actions-oidc-deploy-role-for-the-payments-platform-in-eu-central-1';
  for (const finding of report.findings) {
    finding.principal = { ...finding.principal, name: longName };
    if (finding.service !== undefined) finding.service = 'resource-explorer-2-and-a-very-long-service-prefix';
    finding.recommendation = `${'Remove '.repeat(12)}arn:aws:iam::111122223333:policy/${'p'.repeat(120)} ${finding.id}`;
  }
  report.warnings.push({ code: 'w'.repeat(150), message: 'm'.repeat(300), file: `aws/${'f'.repeat(200)}.json.gz` });
  const coverage = report.coverage[0];
  if (coverage === undefined) throw new Error('fixture has no coverage');
  coverage.notes.push('n'.repeat(250));
  coverage.cloudTrail.selectorsSource = `aws/${'s'.repeat(180)}/cloudtrail-get-event-selectors.json`;
  coverage.cloudTrail.regions = [
    'ap-northeast-1',
    'ap-southeast-2',
    'ca-central-1',
    'eu-central-1',
    'eu-west-1',
    'sa-east-1',
    'us-east-1',
    'us-east-2',
    'us-west-2',
  ];
  return report;
}

describe('table width', () => {
  it('keeps every line within 100 columns at width 100', () => {
    for (const report of [twoAccountsPartialCoverage(), longValuesReport()]) {
      const text = renderTable(report, { isColor: false, width: 100 });
      const tooLong = lines(text).filter((l) => l.length > 100);
      expect(tooLong).toEqual([]);
    }
  });

  it('keeps within the width it is given from 90 to 200 columns, and uses the room', () => {
    for (const width of [90, 120, 160, 200]) {
      const text = renderTable(longValuesReport(), { isColor: false, width });
      expect(lines(text).filter((l) => l.length > width)).toEqual([]);
    }
    const narrow = renderTable(twoAccountsPartialCoverage(), { isColor: false, width: 100 });
    const wide = renderTable(twoAccountsPartialCoverage(), { isColor: false, width: 160 });
    expect(Math.max(...tableLines(wide).map((l) => l.length))).toBeGreaterThan(Math.max(...tableLines(narrow).map((l) => l.length)));
  });

  it('defaults to 100 columns when the width is unknown', () => {
    const report = twoAccountsPartialCoverage();
    expect(renderTable(report, { isColor: false })).toBe(renderTable(report, { isColor: false, width: 100 }));
  });

  it('truncates a principal name that needs more than two lines, and keeps its kind and account', () => {
    const text = renderTable(longValuesReport(), { isColor: false, width: 100 });
    expect(text).toContain('…');
    expect(tableLines(text).some((l) => (cells(l)[0] ?? '').startsWith('role · 111122223333'))).toBe(true);
  });
});

describe('table content', () => {
  const text = renderTable(twoAccountsPartialCoverage(), { isColor: false, width: 100 });

  it('states the evidence span of each account and the uncovered window', () => {
    expect(text).toContain('2024-04-01 → 2024-06-30 (90 of 90 days)');
    expect(text).toContain('2024-06-18 → 2024-06-30 (12 of 90 days)');
    expect(text).toContain('! CloudTrail covers only 12 of 90 days (logs start 2024-06-18)');
    // Only the uncovered account gets the warning line.
    const coverage = text.slice(text.indexOf('Coverage'), text.indexOf('Findings '));
    expect(coverage.match(/CloudTrail covers only/g)?.length).toBe(1);
    expect(coverage.indexOf('! CloudTrail covers only')).toBeGreaterThan(coverage.indexOf('Account 444455556666'));
  });

  it('shows the coverage facts a reader needs to trust a verdict', () => {
    expect(text).toContain('management read+write · data events: AWS::Lambda::Function (read+write)');
    expect(text).toContain('management read+write · data events: none');
    expect(text).toContain('eu-west-1, us-east-1 · trail multi-region, home us-east-1');
    expect(text).toContain('us-east-1 · trail taken as multi-region (no trail description)');
    expect(text).toContain('311 files read, 1 failed');
    expect(text).toContain('3 service-linked roles skipped');
    expect(text).toContain('Denied calls    3 attempts (not counted as use)');
    expect(text).toContain('No trail description: the trail is taken as multi-region');
  });

  it('prints the counts by severity and by type', () => {
    expect(text).toContain('Findings        10 · critical 1 · high 2 · medium 4 · low 2 · info 1');
    expect(flat(text)).toContain(
      'By type dormant-principal 1 · unused-service 3 · overbroad-grant 1 · unused-permission 1 · unverifiable-permission 3 · stale-credential 1',
    );
  });

  it('puts the most severe rows first', () => {
    const severities = tableLines(text)
      .slice(1)
      .map((l) => cells(l)[4] ?? '')
      .filter((s) => s !== '');
    expect(severities).toEqual(['critical', 'high', 'high', 'medium', 'medium', 'medium', 'medium', 'low', 'low', 'info']);
  });

  it('shows provenance per grant path: both, direct or inherited', () => {
    const rows = tableLines(text).map(cells);
    const ec2 = rows.find((r) => r[1] === 'ec2');
    const iam = rows.find((r) => r[1] === 'iam' && r[4] === 'critical');
    expect(ec2?.[6]).toBe('both');
    expect(ec2?.[3]).toBe('2');
    expect(ec2?.[5]).toBe('2023-11-14');
    expect(iam?.[6]).toBe('inherited');
    expect(iam?.[5]).toBe('not seen');
  });

  it('gives service-less findings their own row with a dash for service', () => {
    const rows = tableLines(text).map(cells);
    // At 100 columns the name wraps at its last hyphen.
    const dormant = rows.find((r) => r[0] === 'legacy-reporting-');
    const stale = rows.find((r) => r[0] === 'legacy-backup');
    expect(dormant).toEqual(['legacy-reporting-', '—', 'dormant-', '—', 'medium', '—', '—']);
    expect(stale).toEqual(['legacy-backup', '—', 'stale-', '—', 'medium', '—', '—']);
  });

  it('merges findings of one principal, service and type into one row', () => {
    const report = twoAccountsPartialCoverage();
    const pass = findingOf(report, (f) => f.type === 'unused-permission');
    const extra = structuredClone(pass);
    extra.id = 'PD-0000000000000001';
    extra.severity = 'critical';
    const permission = extra.permissions[0];
    if (permission === undefined) throw new Error('fixture finding has no permission');
    permission.action = 'iam:CreateRole';
    permission.lastUsed = { date: '2024-01-02T03:04:05.000Z', source: 'access-advisor' };
    report.findings.push(extra);
    const rows = tableLines(renderTable(report, { isColor: false, width: 100 })).map(cells);
    const merged = rows.filter((r) => r[0] === 'app-backend-role' && r[1] === 'iam');
    expect(merged).toHaveLength(1);
    expect(merged[0]?.slice(3, 6)).toEqual(['2', 'critical', '2024-01-02']);
  });

  it('lists next steps most severe first, each recommendation once', () => {
    const report = twoAccountsPartialCoverage();
    const first = findingOf(report, (f) => f.severity === 'critical');
    for (const f of report.findings) if (f.severity === 'high') f.recommendation = first.recommendation;
    const out = renderTable(report, { isColor: false, width: 100 });
    const steps = out.slice(out.indexOf('Next steps'), out.indexOf('Unverifiable:'));
    expect(steps.match(/Remove ci-deployer from group platform-admins/g)?.length).toBe(1);
    expect(steps).toMatch(/1\. critical Remove ci-deployer/);
    expect(steps).toMatch(/2\. medium {3}In policy app-backend-deploy \(statement SessionsTable\)/);
    expect(steps).toMatch(/3\. medium {3}Enable S3 data events/);
    expect(steps).toContain('… 2 more recommendations in the JSON report.');
  });

  it('groups unverifiable permissions by reason with counts and details', () => {
    const section = text.slice(text.indexOf('Unverifiable:'), text.indexOf('Warnings'));
    expect(section).toContain('Unverifiable: 6 permissions cannot be judged from the evidence');
    expect(section).toContain('data-events-not-logged (3): data events the trail does not log');
    expect(section).toContain('window-not-covered (2)');
    expect(section).toContain('not-logged-by-cloudtrail (1)');
    expect(section).toContain('The trail logs no S3 data events (AWS::S3::Object)');
    expect(section.indexOf('data-events-not-logged')).toBeLessThan(section.indexOf('window-not-covered'));
  });

  it('shows the warning count, the first three, and how many more', () => {
    expect(text).toContain('Warnings (4)');
    expect(text).toContain('corrupt-log-file [444455556666]: unexpected end of file');
    expect(text).toContain('    file aws/444455556666/cloudtrail/us-east-1/2024/06/21/');
    expect(text).not.toContain('access-advisor-missing');
    expect(text).toContain('… 1 more in the JSON report');
  });

  it('counts unmapped events across accounts and ends with the JSON hint', () => {
    expect(text).toContain('Unmapped events: 52 events of 3 kinds match no catalogue action');
    expect(flat(text)).toContain('(most often sso.amazonaws.com GetRoleCredentials ×42)');
    expect(lines(text.trimEnd()).at(-1)).toBe('Run with --format json for every grant path, resource and piece of evidence behind each finding.');
  });

  it('says plainly when there are no findings and still shows coverage', () => {
    const report = twoAccountsPartialCoverage();
    report.findings = [];
    report.summary.findings = 0;
    for (const type of FINDING_TYPES) report.summary.byType[type] = 0;
    for (const severity of SEVERITIES) report.summary.bySeverity[severity] = 0;
    report.warnings = [];
    const out = renderTable(report, { isColor: false, width: 100 });
    expect(out).toMatch(/^No findings: across 7 audited principals, nothing granted went unused/m);
    expect(out).toContain('Coverage');
    expect(out).toContain('! CloudTrail covers only 12 of 90 days');
    expect(out).not.toContain('┌');
    expect(out).not.toContain('Next steps');
    expect(out).not.toContain('Warnings');
  });

  it('says when an account has no CloudTrail logs at all', () => {
    const report = twoAccountsPartialCoverage();
    const sandbox = report.coverage[1];
    if (sandbox === undefined) throw new Error('fixture has one account only');
    sandbox.cloudTrail = {
      ...sandbox.cloudTrail,
      isPresent: false,
      filesRead: 0,
      filesFailed: 0,
      eventsRead: 0,
      firstEvent: null,
      lastEvent: null,
      observed: null,
      isWindowCovered: false,
      regions: [],
    };
    const out = renderTable(report, { isColor: false, width: 100 });
    expect(out).toContain('CloudTrail      no log files: verdicts rest on Access Advisor and RoleLastUsed only');
  });

  it('names a single-region trail and partial management coverage', () => {
    const report = twoAccountsPartialCoverage();
    const prod = report.coverage[0];
    if (prod === undefined) throw new Error('fixture has no coverage');
    prod.cloudTrail.trail = { isMultiRegion: false, isAssumed: false, homeRegion: 'eu-west-1' };
    prod.cloudTrail.managementEvents = { read: false, write: true };
    const out = renderTable(report, { isColor: false, width: 100 });
    expect(flat(out)).toContain("trail single-region, home eu-west-1: other regions' regional calls unobservable");
    expect(out).toContain('management write only (read calls unobservable)');
  });
});

describe('table coverage gaps', () => {
  it('says the logs end early when they stop before the as-of time', () => {
    const report = twoAccountsPartialCoverage();
    const sandbox = report.coverage[1];
    if (sandbox === undefined) throw new Error('fixture has one account only');
    sandbox.cloudTrail.firstEvent = '2024-03-30T00:00:00.000Z';
    sandbox.cloudTrail.lastEvent = '2024-05-01T00:00:00.000Z';
    sandbox.cloudTrail.observed = { start: report.window.start, end: '2024-05-01T00:00:00.000Z', days: 29.5 };
    const out = renderTable(report, { isColor: false, width: 100 });
    expect(out).toContain('! CloudTrail covers only 29.5 of 90 days (logs end 2024-05-01)');
    expect(out).not.toContain('logs start');
  });

  it('explains an assumed default trail in words', () => {
    const out = renderTable(twoAccountsPartialCoverage(), { isColor: false, width: 100 });
    expect(out).toContain('Selectors       no selectors file: default trail assumed (management events, no data events)');
    expect(out).not.toContain('assumed-default');
  });
});

describe('table folding and next steps', () => {
  /** One unverifiable finding per service for the batch-worker role, as a no-logs admin grant gives. */
  function manyServicesReport(serviceCount: number): Report {
    const report = twoAccountsPartialCoverage();
    const template = findingOf(report, (f) => f.type === 'unverifiable-permission' && f.service === 'dynamodb');
    report.findings = report.findings.filter((f) => !(f.principal.name === 'batch-worker'));
    for (let i = 0; i < serviceCount; i += 1) {
      const finding = structuredClone(template);
      finding.id = `PD-${String(i).padStart(16, '0')}`;
      finding.service = `svc${String(i).padStart(3, '0')}`;
      finding.severity = i === 0 ? 'low' : 'info';
      for (const p of finding.permissions) p.action = `${finding.service}:${p.action.split(':')[1] ?? ''}`;
      report.findings.push(finding);
    }
    return report;
  }

  it('keeps one row per service up to five unverifiable services', () => {
    const rows = tableLines(renderTable(manyServicesReport(5), { isColor: false, width: 100 })).map(cells);
    expect(rows.filter((r) => r[0] === 'batch-worker').map((r) => r[1])).toEqual(['svc000', 'svc001', 'svc002', 'svc003', 'svc004']);
  });

  it('folds more than five unverifiable services of one principal into one row per severity', () => {
    const out = renderTable(manyServicesReport(40), { isColor: false, width: 100 });
    const rows = tableLines(out)
      .map(cells)
      .filter((r) => r[0] === 'batch-worker');
    // 1 low service, 39 info services, 2 permissions each; other principals' rows untouched.
    expect(rows).toEqual([
      ['batch-worker', 'svc000', 'unverifiable-', '2', 'low', 'not seen', 'direct'],
      ['batch-worker', '39 services', 'unverifiable-', '78', 'info', 'not seen', 'direct'],
    ]);
    expect(
      tableLines(out)
        .map(cells)
        .some((r) => r[0] === 'app-backend-role' && r[1] === 's3'),
    ).toBe(true);
    expect(flat(out)).toContain('1 principal with unverifiable grants in more than 5 services: one row per severity');
  });

  it('leaves info-level advice out of next steps when weightier findings exist', () => {
    const out = renderTable(twoAccountsPartialCoverage(), { isColor: false, width: 100 });
    const steps = out.slice(out.indexOf('Next steps'), out.indexOf('Unverifiable:'));
    expect(steps).not.toContain('API Gateway access logs');
    expect(steps).toContain('… 4 more recommendations in the JSON report.');

    const onlyInfo = twoAccountsPartialCoverage();
    onlyInfo.findings = onlyInfo.findings.filter((f) => f.severity === 'info');
    const infoOut = renderTable(onlyInfo, { isColor: false, width: 100 });
    expect(flat(infoOut)).toContain('1. info Check the API Gateway access logs for calls signed by batch-worker');
  });
});
