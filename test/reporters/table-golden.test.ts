import { describe, it } from 'vitest';
import { renderTable } from '../../src/reporters/table.js';
import { baselineWithExceptions } from './fixtures/baseline-with-exceptions.js';
import { twoAccountsPartialCoverage } from './fixtures/two-accounts-partial-coverage.js';
import { expectGolden } from './golden-file.js';

describe('table reporter golden files', () => {
  it('renders the two-account report at 100 columns without colour', () => {
    expectGolden('two-accounts-partial-coverage.table.txt', renderTable(twoAccountsPartialCoverage(), { isColor: false, width: 100 }));
  });

  it('renders the two-account report at 140 columns without colour', () => {
    expectGolden('two-accounts-partial-coverage.table-140.txt', renderTable(twoAccountsPartialCoverage(), { isColor: false, width: 140 }));
  });

  it('renders the report compared with a baseline and exceptions at 100 columns without colour', () => {
    expectGolden('baseline-with-exceptions.table.txt', renderTable(baselineWithExceptions(), { isColor: false, width: 100 }));
  });
});
