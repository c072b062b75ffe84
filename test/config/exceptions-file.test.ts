import { describe, expect, it } from 'vitest';
import { parseExceptions } from '../../src/config/exceptions-file.js';
import { ConfigError } from '../../src/model/errors.js';

const YAML = `# accepted findings
exceptions:
  - principal: legacy-*
    reason: yearly export job, runs in January
    owner: data-platform
    expires: 2027-02-01
    ticket: https://tickets.example/OPS-1
  - permission: "s3:Get*"
    type: unverifiable-permission
    account: "111122223333"
    reason: data events are off on purpose
    owner: security
`;

describe('exceptions file', () => {
  it('reads YAML entries with selectors, reason, owner, expiry and ticket', () => {
    const file = parseExceptions(YAML, 'permdrift.exceptions.yaml');
    expect(file.entries).toEqual([
      {
        entry: 1,
        line: 3,
        principal: 'legacy-*',
        reason: 'yearly export job, runs in January',
        owner: 'data-platform',
        expires: '2027-02-01',
        ticket: 'https://tickets.example/OPS-1',
      },
      {
        entry: 2,
        line: 8,
        permission: 's3:Get*',
        type: 'unverifiable-permission',
        account: '111122223333',
        reason: 'data events are off on purpose',
        owner: 'security',
      },
    ]);
  });

  it('reads the same entries from JSON, and a bare list', () => {
    const json = JSON.stringify({ exceptions: [{ principal: 'ci-*', reason: 'r', owner: 'o' }] }, null, 2);
    expect(parseExceptions(json, 'x.json').entries[0]).toMatchObject({ principal: 'ci-*', reason: 'r', owner: 'o' });
    expect(parseExceptions('- principal: a\n  reason: r\n  owner: o\n', 'x.yaml').entries).toHaveLength(1);
    expect(parseExceptions('', 'empty.yaml').entries).toEqual([]);
  });

  it.each([
    ['exceptions:\n  - principal: a\n    owner: o\n', /x.yaml:2: exception #1 has no reason/],
    ['exceptions:\n  - principal: a\n    reason: r\n', /x.yaml:2: exception #1 has no owner/],
    ['exceptions:\n  - reason: r\n    owner: o\n', /selects nothing/],
    ['exceptions:\n  - principal: a\n    reason: r\n    owner: o\n    expires: 2027-02-30\n', /x.yaml:5: .*expires "2027-02-30" is not a date/],
    ['exceptions:\n  - principal: a\n    reason: r\n    owner: o\n    type: unused\n', /x.yaml:5: .*unknown finding type "unused"/],
    ['exceptions:\n  - principal: a\n    reason: r\n    owner: o\n    reasn: typo\n', /x.yaml:5: .*unknown key "reasn"/],
    ['exceptions:\n  - principal: a\n    reason: r\n    owner: o\n    account: 12\n', /not a 12-digit account id/],
    ['excepts: []\n', /x.yaml:1: unknown key "excepts"/],
    ['exceptions:\n  - principal: [a\n', /x.yaml:\d+: /],
  ])('rejects %j with the line and the problem', (text, message) => {
    let error: unknown;
    try {
      parseExceptions(text, 'x.yaml');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toMatch(message);
  });
});
