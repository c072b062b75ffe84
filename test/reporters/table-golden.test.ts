import { describe, it } from 'vitest';
import { renderTable } from '../../src/reporters/table.js';
import { twoAccountsPartialCoverage } from './fixtures/two-accounts-partial-coverage.js';
import { expectGolden } from './golden-file.js';

describe('table reporter golden files', () => {
  it('renders the two-account report at 100 columns without colour', () => {
    expectGolden('two-accounts-partial-coverage.table.txt', renderTable(twoAccountsPartialCoverage(), { isColor: false, width: 100 }));
  });

  it('renders the two-account report at 140 columns without colour', () => {
    expectGolden(
      'two-accounts-partial-coverage.table-140.txt',
      renderTable(twoAccountsPartialCoverage(), { isColor: false, width: 140 }),
    );
  });
});
