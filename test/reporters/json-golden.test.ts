import { describe, expect, it } from 'vitest';
import { renderJson } from '../../src/reporters/json.js';
import { validateReport } from '../../src/model/validate-report.js';
import { baselineWithExceptions } from './fixtures/baseline-with-exceptions.js';
import { twoAccountsPartialCoverage } from './fixtures/two-accounts-partial-coverage.js';
import { expectGolden } from './golden-file.js';

describe('JSON reporter', () => {
  it('matches the golden file for the two-account report', () => {
    expectGolden('two-accounts-partial-coverage.json', renderJson(twoAccountsPartialCoverage()));
  });

  it('is byte-identical across renders of equal reports', () => {
    const first = renderJson(twoAccountsPartialCoverage());
    const second = renderJson(twoAccountsPartialCoverage());
    expect(second).toBe(first);
  });

  it('uses a 2-space indent and ends with exactly one newline', () => {
    const text = renderJson(twoAccountsPartialCoverage());
    expect(text.startsWith('{\n  "schemaVersion": 1,\n  "tool": {\n    "name": "permdrift"')).toBe(true);
    expect(text.endsWith('}\n')).toBe(true);
    expect(text.endsWith('\n\n')).toBe(false);
    expect(text).not.toContain('\t');
  });

  it('round-trips: the parsed output equals the report and is valid against the schema', () => {
    const report = twoAccountsPartialCoverage();
    const parsed: unknown = JSON.parse(renderJson(report));
    expect(parsed).toEqual(report);
    expect(validateReport(parsed)).toEqual({ isValid: true, errors: [] });
  });

  it('keeps the key order the engine built, so diffs of two reports stay readable', () => {
    const text = renderJson(twoAccountsPartialCoverage());
    const keys = ['"schemaVersion"', '"tool"', '"asOf"', '"window"', '"catalogue"', '"summary"', '"coverage"', '"findings"', '"warnings"'];
    const positions = keys.map((k) => text.indexOf(`\n  ${k}:`));
    expect(positions.every((p) => p > 0)).toBe(true);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
  });

  it('matches the golden file for the report compared with a baseline and an exceptions file', () => {
    expectGolden('baseline-with-exceptions.json', renderJson(baselineWithExceptions()));
  });

  it('round-trips the baseline and exceptions sections and validates them', () => {
    const report = baselineWithExceptions();
    const parsed: unknown = JSON.parse(renderJson(report));
    expect(parsed).toEqual(report);
    expect(validateReport(parsed)).toEqual({ isValid: true, errors: [] });
  });

  it('puts the baseline and exceptions sections after warnings, and the comparison fields last in a finding', () => {
    const text = renderJson(baselineWithExceptions());
    const keys = ['"findings"', '"warnings"', '"baseline"', '"exceptions"'].map((k) => text.indexOf(`\n  ${k}:`));
    expect(keys.every((p) => p > 0)).toBe(true);
    expect([...keys].sort((a, b) => a - b)).toEqual(keys);
    const first = text.slice(text.indexOf('"id": "PD-6a0f3c9e2b7d4418"'));
    expect(first.indexOf('"recommendation"')).toBeLessThan(first.indexOf('"firstSeen"'));
    expect(first.indexOf('"firstSeen"')).toBeLessThan(first.indexOf('"baselineStatus"'));
  });
});
