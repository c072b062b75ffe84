// Policy Analyzer activity reader: the gcloud array and the REST response (fixtures/gcp-logs/policy-analyzer),
// types known from rows or, for a file without rows, from its name, and bad files made on the fly.

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { activityTypeFromFileName, readGcpActivityFolder } from '../../src/connectors/gcp/activity.js';
import { readGcpProjectActivity } from '../../src/connectors/gcp/audit-logs/read-project-activity.js';
import { InputError } from '../../src/model/errors.js';

const FIX = join(import.meta.dirname, '../../fixtures/gcp-logs/policy-analyzer');
const ACTIVITY = join(FIX, 'gcp/acme-prod/activity');
const WINDOW = { windowStart: new Date('2026-09-01T00:00:00Z'), asOf: new Date('2026-11-30T00:00:00Z') };
const tmp = mkdtempSync(join(tmpdir(), 'permdrift-gcp-activity-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

let n = 0;
/** A fresh activity folder holding `files` (name → content). */
function folder(files: Record<string, string>): string {
  const dir = join(tmp, `case-${n++}`, 'activity');
  mkdirSync(dir, { recursive: true });
  for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content);
  return dir;
}

const saRow = (email: string, last?: string) => ({
  activity: {
    ...(last !== undefined ? { lastAuthenticatedTime: last } : {}),
    serviceAccount: { fullResourceName: `//iam.googleapis.com/projects/p/serviceAccounts/${email}`, projectNumber: '1', serviceAccountId: '2' },
  },
  activityType: 'serviceAccountLastAuthentication',
  fullResourceName: `//iam.googleapis.com/projects/p/serviceAccounts/${email}`,
  observationPeriod: { startTime: '2026-08-30T07:00:00Z', endTime: '2026-11-28T08:00:00Z' },
});

function inputError(fn: () => unknown): InputError {
  try {
    fn();
  } catch (err) {
    if (err instanceof InputError) return err;
    throw err;
  }
  throw new Error('no error thrown');
}

describe('Policy Analyzer activity', () => {
  it('reads the gcloud array and the REST response, lower-casing accounts and sorting rows', () => {
    const c = readGcpActivityFolder(ACTIVITY);
    const keysFile = join(ACTIVITY, 'serviceAccountKeyLastAuthentication.json');
    const saFile = join(ACTIVITY, 'serviceAccountLastAuthentication.json');
    expect(c).toEqual({
      files: [keysFile, saFile],
      types: ['serviceAccountLastAuthentication', 'serviceAccountKeyLastAuthentication'],
      serviceAccounts: [
        {
          serviceAccount: 'ci-deployer@acme-prod.iam.gserviceaccount.com',
          lastAuthenticated: '2026-11-27T08:00:00.000Z',
          observationStart: '2026-08-30T07:00:00.000Z',
          observationEnd: '2026-11-28T08:00:00.000Z',
          source: saFile,
        },
        {
          serviceAccount: 'etl-nightly@acme-prod.iam.gserviceaccount.com',
          lastAuthenticated: '2026-07-02T07:00:00.000Z',
          observationStart: '2026-08-30T07:00:00.000Z',
          observationEnd: '2026-11-28T08:00:00.000Z',
          source: saFile,
        },
        {
          serviceAccount: 'never-used@acme-prod.iam.gserviceaccount.com',
          lastAuthenticated: null,
          observationStart: '2026-08-30T07:00:00.000Z',
          observationEnd: '2026-11-28T08:00:00.000Z',
          source: saFile,
        },
      ],
      keys: [
        {
          serviceAccount: 'ci-deployer@acme-prod.iam.gserviceaccount.com',
          keyId: '0a1b2c3d4e5f60718293a4b5c6d7e8f901234567',
          lastAuthenticated: '2026-11-26T08:00:00.000Z',
          observationStart: '2025-11-28T08:00:00.000Z',
          observationEnd: '2026-11-28T08:00:00.000Z',
          source: keysFile,
        },
        {
          serviceAccount: 'etl-nightly@acme-prod.iam.gserviceaccount.com',
          keyId: '9f2c1e6a0b3d4c5e6f708192a3b4c5d6e7f80912',
          lastAuthenticated: '2026-03-01T08:00:00.000Z',
          observationStart: '2025-11-28T08:00:00.000Z',
          observationEnd: '2026-11-28T08:00:00.000Z',
          source: keysFile,
        },
      ],
    });
  });

  it('is part of the project activity; no audit-logs folder leaves audit log coverage null', async () => {
    const r = await readGcpProjectActivity(FIX, 'acme-prod', WINDOW);
    expect(r.auditLogs).toBeNull();
    expect(r.activity?.serviceAccounts).toHaveLength(3);
    expect(r.activity?.keys).toHaveLength(2);
  });

  it('null without an activity folder', () => {
    expect(readGcpActivityFolder(join(tmp, 'nowhere', 'activity'))).toBeNull();
  });

  it('falls back to the top-level fullResourceName when the activity struct does not name the account', () => {
    const row = { ...saRow('a@p.iam.gserviceaccount.com', '2026-11-01T07:00:00Z'), activity: { lastAuthenticatedTime: '2026-11-01T07:00:00Z' } };
    const c = readGcpActivityFolder(folder({ 'sa.json': JSON.stringify([row]) }));
    expect(c?.serviceAccounts.map((s) => s.serviceAccount)).toEqual(['a@p.iam.gserviceaccount.com']);
  });

  it('knows the type of a file without rows only from its name', () => {
    const c = readGcpActivityFolder(
      folder({
        'serviceAccountKeyLastAuthentication.json': '[]',
        'page-2.json': '{"activities": []}',
        'other.json': JSON.stringify([saRow('b@p.iam.gserviceaccount.com', '2026-11-01T07:00:00Z')]),
      }),
    );
    expect(c?.types).toEqual(['serviceAccountLastAuthentication', 'serviceAccountKeyLastAuthentication']);
    const unnamed = readGcpActivityFolder(folder({ 'page-2.json': '{}' }));
    expect(unnamed).toEqual({ files: [expect.stringMatching(/page-2\.json$/)], types: [], serviceAccounts: [], keys: [] });
    expect(activityTypeFromFileName('/x/serviceaccountlastauthentication-2026-11.json')).toBe('serviceAccountLastAuthentication');
    expect(activityTypeFromFileName('/x/SERVICEACCOUNTKEYLASTAUTHENTICATION.json')).toBe('serviceAccountKeyLastAuthentication');
    expect(activityTypeFromFileName('/x/serviceAccountLastAuthentication+serviceAccountKeyLastAuthentication.json')).toBeNull();
    expect(activityTypeFromFileName('/x/activity.json')).toBeNull();
  });

  it('a file of the wrong shape is an InputError naming the file, the path inside it and the command', () => {
    const cases: [Record<string, unknown> | unknown[] | string, RegExp][] = [
      ['not json', /not valid JSON/],
      [{ activities: 'x' }, /activities: expected array/],
      [[{ ...saRow('a@p'), activityType: 'somethingElse' }], /\[0\]\.activityType: /],
      [[{ activityType: 'serviceAccountLastAuthentication' }], /\[0\]\.fullResourceName: expected string \(field is missing\)/],
      [
        [{ ...saRow('a@p'), fullResourceName: '//iam.googleapis.com/projects/p/serviceAccounts/a@p/keys/k', activity: {} }],
        /\[0\]\.fullResourceName: expected \/\/iam\.googleapis\.com\/projects\/PROJECT\/serviceAccounts\/EMAIL, found/,
      ],
      [
        { activities: [{ activityType: 'serviceAccountKeyLastAuthentication', fullResourceName: '//iam.googleapis.com/projects/p/serviceAccounts/a@p' }] },
        /activities\[0\]\.fullResourceName: expected .*\/keys\/KEY_ID/,
      ],
      [[saRow('a@p', 'last tuesday')], /\[0\]\.activity\.lastAuthenticatedTime: expected an RFC 3339 time, found "last tuesday"/],
    ];
    for (const [content, message] of cases) {
      const dir = folder({ 'bad.json': typeof content === 'string' ? content : JSON.stringify(content) });
      const err = inputError(() => readGcpActivityFolder(dir));
      expect(err.message, JSON.stringify(content)).toMatch(message);
      expect(err.message).toContain(join(dir, 'bad.json'));
      expect(err.file).toBe(join(dir, 'bad.json'));
      expect(err.hint).toMatch(/gcloud policy-intelligence query-activity/);
    }
  });

  it('a bad activity file stops the project read with that InputError', async () => {
    const root = join(tmp, 'project-bad');
    mkdirSync(join(root, 'gcp', 'p', 'activity'), { recursive: true });
    writeFileSync(join(root, 'gcp', 'p', 'activity', 'x.json'), '{"activities": [{}]}');
    await expect(readGcpProjectActivity(root, 'p', WINDOW)).rejects.toBeInstanceOf(InputError);
  });
});
