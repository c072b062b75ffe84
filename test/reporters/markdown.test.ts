import { describe, expect, it } from 'vitest';
import type { Finding, Report } from '../../src/model/report.js';
import { reporters } from '../../src/reporters/index.js';
import { MARKDOWN_MAX_CHARS, codeSpan, escapeMarkdown, renderMarkdown } from '../../src/reporters/markdown.js';
import { baselineWithExceptions } from './fixtures/baseline-with-exceptions.js';
import { twoAccountsPartialCoverage } from './fixtures/two-accounts-partial-coverage.js';
import { expectGolden } from './golden-file.js';

function firstLine(text: string): string {
  return text.split('\n')[0] ?? '';
}

function section(text: string, title: string): string {
  const start = text.indexOf(title);
  if (start < 0) throw new Error(`no section ${title}`);
  const next = text.indexOf('\n#### ', start + title.length);
  return text.slice(start, next < 0 ? undefined : next);
}

/** A report with `count` new unused-permission findings of the baseline fixture's shape. */
function hugeReport(count: number): Report {
  const report = baselineWithExceptions();
  const template = report.findings.find((f) => f.id === 'PD-6a0f3c9e2b7d4418');
  if (template === undefined) throw new Error('fixture changed');
  const generated: Finding[] = [];
  for (let i = 0; i < count; i += 1) {
    const finding = structuredClone(template);
    const name = `svc-role-${String(i).padStart(5, '0')}`;
    finding.id = `PD-${String(i).padStart(16, '0')}`;
    finding.severity = i % 3 === 0 ? 'critical' : 'high';
    finding.principal = { id: `arn:aws:iam::111122223333:role/${name}`, name, kind: 'role' };
    finding.recommendation = `Remove ${name} from group platform-admins and grant only the services it uses.`;
    generated.push(finding);
  }
  report.findings = [...report.findings, ...generated];
  return report;
}

describe('Markdown reporter', () => {
  it('matches the golden files', () => {
    expectGolden('two-accounts-partial-coverage.md', renderMarkdown(twoAccountsPartialCoverage()));
    expectGolden('baseline-with-exceptions.md', renderMarkdown(baselineWithExceptions()));
  });

  it('leads with the new findings a gate fails on when a baseline is present', () => {
    const text = renderMarkdown(baselineWithExceptions());
    expect(firstLine(text)).toBe(
      '### ❌ permdrift: 2 new findings since the baseline of 2024-06-01 (5 unused permissions); 1 new finding at info level, not judged',
    );
    const list = section(text, '#### New findings (3)');
    // The excepted new PassRole finding is not listed; new ones are, most severe first.
    expect(list).not.toContain('app-backend-role');
    expect(list.indexOf('**1. 🔴 critical · unused-service · `iam`**')).toBeGreaterThan(0);
    expect(list.indexOf('**2. 🔵 low')).toBeGreaterThan(list.indexOf('**1.'));
    expect(list.indexOf('**3. ⚪ info')).toBeGreaterThan(list.indexOf('**2.'));
    // Existing findings are counted, not listed.
    expect(list).not.toContain('ec2:RunInstances');
  });

  it('names the principal, the unused actions, the grant and the fix of each listed finding', () => {
    const item = section(renderMarkdown(baselineWithExceptions()), '#### New findings (3)');
    expect(item).toContain('user `ci-deployer` in account `111122223333`');
    expect(item).toContain('- Principal: `arn:aws:iam::111122223333:user/ci/ci-deployer`');
    expect(item).toContain('- Unused (4): `iam:AttachRolePolicy`, `iam:CreateAccessKey`, `iam:PassRole`, `iam:PutRolePolicy`');
    expect(item).toContain('- Granted by: managed policy `AdministratorAccess`, statement 0 via group `platform-admins`');
    expect(item).toContain('- Granted by: inline policy `batch-worker-inline`, statement 1 (`CallInternalApi`)');
    expect(item).toContain('- Not judged, not-logged-by-cloudtrail (1): `execute-api:Invoke`');
    expect(item).toContain('- Fix: Remove ci-deployer from group platform-admins (AdministratorAccess, statement 0 grants \\*)');
  });

  it('says ✅ when nothing new at low or above appeared', () => {
    const report = baselineWithExceptions();
    for (const f of report.findings) if (f.baselineStatus === 'new' && f.severity !== 'info') f.baselineStatus = 'existing';
    expect(firstLine(renderMarkdown(report))).toBe(
      '### ✅ permdrift: no new findings since the baseline of 2024-06-01; 1 new finding at info level, not judged',
    );
    for (const f of report.findings) f.baselineStatus = 'existing';
    const text = renderMarkdown(report);
    expect(firstLine(text)).toBe('### ✅ permdrift: no new findings since the baseline of 2024-06-01');
    expect(text).not.toContain('#### New findings');
  });

  it('counts all findings without a baseline, and says so plainly when there are none', () => {
    const text = renderMarkdown(twoAccountsPartialCoverage());
    expect(firstLine(text)).toBe('### ⚠️ permdrift: 10 findings across 6 principals (11 unused permissions)');
    expect(text).toContain('#### Findings (10)');
    expect(text).not.toContain('| New |');
    const empty = renderMarkdown({ ...twoAccountsPartialCoverage(), findings: [] });
    expect(firstLine(empty)).toBe('### ✅ permdrift: no findings');
    expect(empty).not.toContain('| Finding type |');
  });

  it('summarises by type and severity in a table whose totals add up', () => {
    const text = renderMarkdown(baselineWithExceptions());
    expect(text).toContain('| Finding type | critical | high | medium | low | info | Total | New | Excepted |');
    expect(text).toContain('| `unused-service` | 1 | 1 | · | 1 | · | 3 | 2 | · |');
    expect(text).toContain('| **Total** | 1 | 2 | 4 | 2 | 1 | **10** | 4 | 2 |');
  });

  it('counts existing and excepted findings, lists resolved ones and the exceptions to review', () => {
    const text = renderMarkdown(baselineWithExceptions());
    const other = section(text, '#### Other findings');
    expect(other).toContain('5 existing findings already in the baseline and not excepted: 1 high · 3 medium · 1 low.');
    expect(other).toContain('2 findings excepted by an exception in force (1 of them new): 1 high · 1 medium.');
    const resolved = section(text, '#### ✅ Resolved since the baseline (2)');
    expect(resolved).toContain('`iam:CreateAccessKey`, `iam:PutUserPolicy` (first seen 2024-03-01, resolved after 121 days)');
    const review = section(text, '#### Exceptions to review (3)');
    expect(review).toContain('⏳ Entry 1 (owner `platform-team`, ticket `https://tickets.example.com/PLAT-123`) expires 2024-07-10 (10 days left)');
    expect(review).toContain('⌛ Entry 2 (owner `@storage-oncall`) expired 2024-06-15; it no longer excepts 1 finding');
    expect(review).toContain('💤 Entry 4 (owner `security`) matches no finding (stale)');
    expect(review).not.toContain('Entry 3');
    const caveats = section(text, '#### Coverage caveats');
    expect(caveats).toContain('Account `444455556666`: CloudTrail covers only 12 of 90 days');
    expect(caveats).toContain('4 warnings');
  });

  it('escapes Markdown and HTML in free text, and shows identifiers as code', () => {
    const text = renderMarkdown(baselineWithExceptions());
    expect(text).toContain('Backup vendor \\| migration \\*pending\\*');
    const report = baselineWithExceptions();
    const entry = report.exceptions?.entries[3];
    if (entry === undefined) throw new Error('fixture changed');
    entry.reason = 'see <img src=x onerror=alert(1)> [link](http://evil) `code` _x_ ~~y~~\n# heading';
    entry.owner = 'team `a`|b';
    const out = renderMarkdown(report);
    const line = out.split('\n').find((l) => l.startsWith('- 💤'));
    expect(line).toBe(
      '- 💤 Entry 4 (owner `` team `a`|b ``) matches no finding (stale): see &lt;img src=x onerror=alert(1)&gt; \\[link\\](http://evil) \\`code\\` \\_x\\_ \\~\\~y\\~\\~ \\# heading',
    );
    expect(out).not.toContain('<img');
  });

  it('escapes helpers: prose and code spans', () => {
    expect(escapeMarkdown('a|b *c* <d> & e\\f')).toBe('a\\|b \\*c\\* &lt;d&gt; &amp; e\\\\f');
    expect(escapeMarkdown('two\n\nlines')).toBe('two lines');
    expect(codeSpan('plain')).toBe('`plain`');
    expect(codeSpan('a`b')).toBe('`` a`b ``');
    expect(codeSpan('a``b')).toBe('``` a``b ```');
  });

  it('truncates long action lists with a count', () => {
    const report = twoAccountsPartialCoverage();
    const finding = report.findings[0];
    const template = finding?.permissions[0];
    if (finding === undefined || template === undefined) throw new Error('fixture changed');
    finding.permissions = Array.from({ length: 25 }, (_, i) => ({ ...template, action: `iam:Action${String(i).padStart(2, '0')}` }));
    const text = renderMarkdown(report);
    expect(text).toContain('- Unused (25): `iam:Action00`,');
    expect(text).toContain('`iam:Action09` … and 15 more actions');
    expect(text).not.toContain('iam:Action10');
  });

  it('stays within 65,000 characters with thousands of findings, dropping whole items and counting them', () => {
    const report = hugeReport(5000);
    const text = renderMarkdown(report);
    expect(text.length).toBeLessThanOrEqual(MARKDOWN_MAX_CHARS);
    expect(text.length).toBeGreaterThan(MARKDOWN_MAX_CHARS - 2_000);
    const shown = text.match(/^\*\*\d+\. /gm)?.length ?? 0;
    const listed = 5000 + 3;
    expect(shown).toBeGreaterThan(50);
    expect(text).toContain(`… and ${(listed - shown).toLocaleString('en-US')} more findings (see the JSON report)`);
    // Whole items: the last shown item ends with its Fix line, right before the "… more" line.
    const before = text.slice(0, text.indexOf('… and '));
    expect(before.trimEnd().split('\n').at(-1)).toMatch(/^- Fix: /);
    // The sections after the list survive truncation.
    expect(text).toContain('#### Exceptions to review (3)');
    expect(text).toContain('#### Coverage caveats');
    expect(text.endsWith('</sub>\n')).toBe(true);
  });

  it('does not truncate a report that fits', () => {
    const text = renderMarkdown(hugeReport(20));
    expect(text).not.toContain('more findings (see the JSON report)');
    expect(text.match(/^\*\*\d+\. /gm)?.length).toBe(23);
  });

  it('clips an enormous recommendation so one finding cannot crowd out the others', () => {
    const report = hugeReport(100);
    for (const f of report.findings) f.recommendation = 'x'.repeat(80_000);
    const text = renderMarkdown(report);
    expect(text.length).toBeLessThanOrEqual(MARKDOWN_MAX_CHARS);
    const fixes = text.split('\n').filter((l) => l.startsWith('- Fix: '));
    expect(fixes.length).toBeGreaterThan(10);
    expect(fixes.every((l) => l.length <= '- Fix: '.length + 2_000 && l.endsWith('x…'))).toBe(true);
    expect(text).toContain(`… and ${103 - fixes.length} more findings (see the JSON report)`);
  });

  it('cuts at a line end and says so when even the sections around the list are too long', () => {
    const report = hugeReport(3);
    const entry = report.exceptions?.entries[3];
    if (entry === undefined) throw new Error('fixture changed');
    entry.owner = 'o'.repeat(100_000);
    const text = renderMarkdown(report);
    expect(text.length).toBeLessThanOrEqual(MARKDOWN_MAX_CHARS);
    expect(text.endsWith('\n\n… output truncated (see the JSON report)\n')).toBe(true);
    expect(text.startsWith('### ❌ permdrift:')).toBe(true);
  });

  it('is deterministic and never coloured', () => {
    const report = baselineWithExceptions();
    const reversed = { ...report, findings: [...report.findings].reverse() };
    expect(renderMarkdown(reversed)).toBe(renderMarkdown(report));
    expect(reporters.markdown(report, { isColor: true })).toBe(renderMarkdown(report));
    expect(renderMarkdown(report)).not.toContain('\u001b');
  });
});
