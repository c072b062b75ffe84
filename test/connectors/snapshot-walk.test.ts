// The snapshot walk over cloudtrail/: symbolic links to month folders and files are followed, a
// link loop ends, a file reached twice is read once, and what cannot be followed is a warning and a
// filesFailed entry — never a silent skip that would leave the window "covered".

import { cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { discoverAwsSnapshot, loadAwsAccount } from '../../src/connectors/aws/snapshot.js';

const ACCOUNT = '210987654321';
const BASE = join(import.meta.dirname, '../../fixtures/aws/logs-shorter-than-window/aws', ACCOUNT, 'iam-get-account-authorization-details.json');
const tmp = mkdtempSync(join(tmpdir(), 'permdrift-walk-'));
const root = join(tmp, 'snapshot');
const account = join(root, 'aws', ACCOUNT);
const logs = join(account, 'cloudtrail');
const outside = join(tmp, 'elsewhere');

function logFile(path: string, eventName: string, eventTime: string): void {
  const record = {
    eventVersion: '1.09',
    userIdentity: { type: 'IAMUser', arn: `arn:aws:iam::${ACCOUNT}:user/alice`, accountId: ACCOUNT, userName: 'alice' },
    eventTime,
    eventSource: 's3.amazonaws.com',
    eventName,
    awsRegion: 'us-east-1',
    recipientAccountId: ACCOUNT,
  };
  writeFileSync(path, JSON.stringify({ Records: [record] }));
}

beforeAll(() => {
  mkdirSync(join(logs, '2026', '06'), { recursive: true });
  cpSync(BASE, join(account, 'iam-get-account-authorization-details.json'));
  logFile(join(logs, '2026', '06', 'june.json'), 'InJune', '2026-06-10T10:00:00Z');
  // A month re-organised elsewhere and linked in, as rsync'd archives are.
  mkdirSync(join(outside, 'month-07'), { recursive: true });
  logFile(join(outside, 'month-07', 'july.json'), 'InJuly', '2026-07-10T10:00:00Z');
  symlinkSync(join(outside, 'month-07'), join(logs, '2026', '07'));
  logFile(join(outside, 'linked.json'), 'Linked', '2026-07-11T10:00:00Z');
  symlinkSync(join(outside, 'linked.json'), join(logs, 'linked.json'));
  // A loop back to an ancestor, and a second path to a file already read.
  symlinkSync('..', join(logs, '2026', 'loop'));
  symlinkSync(join(logs, '2026', '06', 'june.json'), join(logs, 'again.json'));
  // Links that cannot be followed.
  symlinkSync(join(tmp, 'no-such-file.json'), join(logs, 'broken.json'));
  symlinkSync(join(tmp, 'no-such-folder'), join(logs, '2026', '08'));
  symlinkSync('self', join(logs, 'self'));
  symlinkSync(join(tmp, 'no-such-advisor'), join(account, 'access-advisor'));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('snapshot walk', () => {
  it('follows links to folders and files, once each, and ends link loops', async () => {
    const [files] = await discoverAwsSnapshot(root);
    expect(files?.cloudTrail.map((f) => relative(logs, f))).toEqual(['2026/06/june.json', '2026/07/july.json', 'linked.json']);
  });

  it('lists what it could not follow', async () => {
    const [files] = await discoverAwsSnapshot(root);
    expect(files?.unreadable?.map((u) => [u.folder, relative(account, u.file), u.reason])).toEqual([
      ['cloudtrail', 'cloudtrail/2026/08', 'broken symbolic link (its target does not exist)'],
      ['cloudtrail', 'cloudtrail/broken.json', 'broken symbolic link (its target does not exist)'],
      ['cloudtrail', 'cloudtrail/self', 'symbolic link loop'],
      ['access-advisor', 'access-advisor', 'folder cannot be read: broken symbolic link (its target does not exist)'],
    ]);
  });

  it('reads the linked logs and turns what it could not follow into warnings and filesFailed entries', async () => {
    const [files] = await discoverAwsSnapshot(root);
    if (files === undefined) throw new Error('no account found');
    const loaded = await loadAwsAccount(files, { windowStart: '2026-06-01T00:00:00Z', asOf: '2026-07-31T00:00:00Z', workers: 1 });
    const ct = loaded.activity.cloudTrail;
    expect(loaded.activity.calls.map((c) => `${c.eventName} ${c.count}`)).toEqual(['InJuly 1', 'InJune 1', 'Linked 1']);
    expect(ct?.filesRead).toBe(3);
    expect(ct?.filesFailed.map((f) => relative(logs, f.file)).sort()).toEqual(['2026/08', 'broken.json', 'self']);
    const warned = loaded.warnings.filter((w) => w.code === 'cloudtrail-file-unreadable' || w.code === 'access-advisor-unreadable');
    expect(warned.map((w) => `${w.code} ${w.message}`)).toEqual([
      'cloudtrail-file-unreadable cloudtrail/2026/08: broken symbolic link (its target does not exist); the events in it are a coverage gap',
      'cloudtrail-file-unreadable cloudtrail/broken.json: broken symbolic link (its target does not exist); the events in it are a coverage gap',
      'cloudtrail-file-unreadable cloudtrail/self: symbolic link loop; the events in it are a coverage gap',
      'access-advisor-unreadable access-advisor: folder cannot be read: broken symbolic link (its target does not exist); the Access Advisor details in it are not read',
    ]);
  });

  it('a snapshot whose only log folder cannot be followed still says so', async () => {
    const lonely = join(tmp, 'lonely');
    const acct = join(lonely, 'aws', ACCOUNT);
    mkdirSync(acct, { recursive: true });
    cpSync(BASE, join(acct, 'iam-get-account-authorization-details.json'));
    symlinkSync(join(tmp, 'gone'), join(acct, 'cloudtrail'));
    const [files] = await discoverAwsSnapshot(lonely);
    if (files === undefined) throw new Error('no account found');
    expect(files.cloudTrail).toEqual([]);
    const loaded = await loadAwsAccount(files, { windowStart: '2026-06-01T00:00:00Z', asOf: '2026-07-31T00:00:00Z', workers: 1 });
    expect(loaded.activity.cloudTrail?.filesFailed).toEqual([
      { file: join(acct, 'cloudtrail'), reason: 'folder cannot be read: broken symbolic link (its target does not exist)' },
    ]);
  });
});
