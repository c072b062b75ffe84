import { stripVTControlCharacters } from 'node:util';
import { describe, expect, it } from 'vitest';
import { reporters } from '../../src/reporters/index.js';
import { renderTable } from '../../src/reporters/table.js';
import { twoAccountsPartialCoverage } from './fixtures/two-accounts-partial-coverage.js';

const ANSI = /\u001b\[[0-9;]*m/;

describe('table colour', () => {
  it('has no escape codes when colour is off, even if the terminal could show them', () => {
    const previous = process.env['FORCE_COLOR'];
    process.env['FORCE_COLOR'] = '3';
    try {
      const text = renderTable(twoAccountsPartialCoverage(), { isColor: false, width: 100 });
      expect(text).not.toMatch(ANSI);
      expect(text).not.toContain('\u001b');
    } finally {
      if (previous === undefined) delete process.env['FORCE_COLOR'];
      else process.env['FORCE_COLOR'] = previous;
    }
  });

  it('colours severities when colour is on, whatever the environment says', () => {
    const previous = process.env['NO_COLOR'];
    process.env['NO_COLOR'] = '1';
    try {
      const text = renderTable(twoAccountsPartialCoverage(), { isColor: true, width: 100 });
      expect(text).toMatch(ANSI);
      // critical is bold red, the CloudTrail gap is yellow.
      expect(text).toContain('\u001b[1m\u001b[31mcritical\u001b[39m\u001b[22m');
      expect(text).toContain('\u001b[33m    ! CloudTrail covers only 12 of 90 days');
    } finally {
      if (previous === undefined) delete process.env['NO_COLOR'];
      else process.env['NO_COLOR'] = previous;
    }
  });

  it('adds nothing but colour: stripped of escape codes, the coloured table equals the plain one', () => {
    const plain = renderTable(twoAccountsPartialCoverage(), { isColor: false, width: 100 });
    const coloured = renderTable(twoAccountsPartialCoverage(), { isColor: true, width: 100 });
    expect(coloured).not.toBe(plain);
    expect(stripVTControlCharacters(coloured)).toBe(plain);
  });

  it('never colours JSON, even when asked to', () => {
    const text = reporters.json(twoAccountsPartialCoverage(), { isColor: true, width: 100 });
    expect(text).not.toMatch(ANSI);
    expect(JSON.parse(text)).toEqual(twoAccountsPartialCoverage());
  });
});
