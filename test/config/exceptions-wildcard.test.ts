/**
 * An exception whose principal glob matches every principal turns the gate off for whatever else
 * it selects: the file must say so with `allowWildcard: true`, and the report counts such entries.
 */

import { describe, expect, it } from 'vitest';
import { parseExceptions } from '../../src/config/exceptions-file.js';
import { matchesEveryPrincipal } from '../../src/config/principal-glob.js';
import { applyExceptions } from '../../src/engine/compare.js';
import { ConfigError } from '../../src/model/errors.js';
import type { Finding, Report } from '../../src/model/report.js';

describe('matchesEveryPrincipal', () => {
  it('is true for globs that match every principal of a provider, or every role or user of a partition', () => {
    for (const glob of [
      '*',
      '**',
      '?*',
      '*?',
      '**/*',
      '!nobody',
      '*(*)',
      'arn:aws:iam::*/**',
      'arn:aws:iam::*:role/**',
      'arn:aws:iam::*:user/**',
      'arn:aws-cn:iam::*/**',
      '*@*',
      'serviceAccount:*',
      '*.com',
      '{*,x}',
    ]) {
      expect(matchesEveryPrincipal(glob), glob).toBe(true);
    }
  });
  it('is false for globs that select some principals: a prefix, one account, one name, a path, one project', () => {
    for (const glob of [
      'ci-*',
      'legacy-etl',
      'arn:aws:iam::123456789012:*',
      'arn:aws:iam::123456789012:role/**',
      'arn:aws:iam::*:role/legacy-etl',
      'arn:aws:iam::*:role/*',
      'serviceAccount:reporter@*',
      '*@billing-8642.iam.gserviceaccount.com',
      'a*',
      '*-role',
    ]) {
      expect(matchesEveryPrincipal(glob), glob).toBe(false);
    }
  });
});

describe('the exceptions file', () => {
  it('refuses a wildcard principal without allowWildcard: true, naming the entry, its line and the fix', () => {
    const text =
      'exceptions:\n  - principal: ci-*\n    reason: r\n    owner: o\n  - principal: "*"\n    type: unused-permission\n    reason: r\n    owner: o\n';
    expect(() => parseExceptions(text, 'ex.yaml')).toThrow(ConfigError);
    expect(() => parseExceptions(text, 'ex.yaml')).toThrow(/^ex\.yaml:5: exception #2: principal "\*" matches every principal/);
    try {
      parseExceptions(text, 'ex.yaml');
    } catch (err) {
      expect((err as ConfigError).hint).toContain('allowWildcard: true');
    }
  });

  it('accepts it with allowWildcard: true and marks the entry; allowWildcard must be a boolean', () => {
    const ok = parseExceptions(
      '- principal: "*"\n  allowWildcard: true\n  reason: r\n  owner: o\n- principal: ci-*\n  allowWildcard: true\n  reason: r\n  owner: o\n',
      'ex.yaml',
    );
    expect(ok.entries.map((e) => e.isWildcard)).toEqual([true, undefined]);
    for (const bad of ['"true"', 'yes', '1']) {
      expect(() => parseExceptions(`- principal: "*"\n  allowWildcard: ${bad}\n  reason: r\n  owner: o\n`, 'ex.yaml'), bad).toThrow(
        /ex\.yaml:2: exception #1: "allowWildcard" must be true or false/,
      );
    }
    // allowWildcard: false is the default: the wildcard is still refused.
    expect(() => parseExceptions('- principal: "*"\n  allowWildcard: false\n  reason: r\n  owner: o\n', 'ex.yaml')).toThrow(/matches every principal/);
  });
});

describe('the exceptions summary', () => {
  const finding = (name: string): Finding =>
    ({
      id: `PD-${name}`,
      type: 'dormant-principal',
      severity: 'medium',
      provider: 'aws',
      account: '111122223333',
      principal: { id: `arn:aws:iam::111122223333:role/${name}`, name, kind: 'role' },
      permissions: [],
    }) as unknown as Finding;
  const report = { asOf: '2026-11-20T00:00:00.000Z', findings: [finding('app'), finding('ci-deploy')], warnings: [] } as unknown as Report;

  it('counts the wildcard entries and marks each one', () => {
    const file = parseExceptions(
      '- principal: "**"\n  allowWildcard: true\n  reason: r\n  owner: o\n  expires: 2026-01-01\n- principal: "*"\n  allowWildcard: true\n  reason: r\n  owner: o\n- principal: ci-*\n  reason: r\n  owner: o\n',
      'ex.yaml',
    );
    const out = applyExceptions(report, file);
    expect(out.exceptions?.wildcard).toBe(2);
    expect(out.exceptions?.entries.map((e) => [e.entry, e.state, e.isWildcard])).toEqual([
      [1, 'expired', true],
      [2, 'active', true],
      [3, 'active', undefined],
    ]);
    expect(out.findings.map((f) => f.exception?.entry)).toEqual([2, 2]);
  });

  it('is 0 without wildcard entries', () => {
    expect(applyExceptions(report, parseExceptions('- principal: ci-*\n  reason: r\n  owner: o\n', 'ex.yaml')).exceptions?.wildcard).toBe(0);
  });
});
