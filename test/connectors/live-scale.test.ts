/**
 * The measurement: a live collection and scan of a fake account with 200 principals and 30
 * days of S3 logs — how long it takes and how many requests it sends (exactly, by formula).
 */

import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { auditFiles } from '../../src/audit.js';
import { collectAws } from '../../src/connectors/aws/live/collect.js';
import { useFakeAwsEnv } from '../fake-aws/env.js';
import { scaleAccount } from '../fake-aws/scale-account.js';
import { FakeAws } from '../fake-aws/server.js';

const AS_OF = new Date('2026-11-20T00:00:00Z');

it('200 principals, 30 days of S3 logs in 2 regions: request count by formula, time bounded', async () => {
  const shape = { principals: 200, days: 30, asOf: AS_OF, regions: ['eu-west-1', 'us-east-1'], filesPerDay: 4, recordsPerFile: 200 };
  const fake = new FakeAws({ account: scaleAccount(shape), iamPageSize: 1000 });
  const restore = useFakeAwsEnv(await fake.start());
  try {
    const started = performance.now();
    const r = await collectAws({
      outDir: mkdtempSync(join(tmpdir(), 'permdrift-scale-')),
      regions: [],
      windowStart: new Date(AS_OF.getTime() - 30 * 86_400_000),
      asOf: AS_OF,
      cloudTrailSource: 'auto',
      // The fake completes jobs at once; the default first poll (500 ms) models AWS's job time.
      accessAdvisorPoll: { initialMs: 50, maxMs: 500, timeoutMs: 10_000 },
      credentialReportPoll: { initialMs: 50, maxMs: 500, timeoutMs: 10_000 },
    });
    const collectMs = performance.now() - started;
    const report = await auditFiles({ dir: join(r.accountDir, '..', '..'), asOf: AS_OF, windowMs: 30 * 86_400_000 });
    const totalMs = performance.now() - started;
    const objects = shape.days * shape.regions.length * shape.filesPerDay;
    // Window days: 30 days back from midnight plus the as-of day itself = 31 day folders per region.
    // Listings: AWSLogs/, the log root, the digest root (empty here), then the day folders.
    const expected = {
      'sts:GetCallerIdentity': 1,
      'iam:GetAccountAuthorizationDetails': 1,
      'cloudtrail:DescribeTrails': 1,
      'cloudtrail:GetEventSelectors': 1,
      'cloudtrail:GetTrailStatus': 1,
      's3:ListObjectsV2': 3 + shape.regions.length * 31,
      's3:GetObject': objects,
      'iam:GenerateServiceLastAccessedDetails': 200,
      'iam:GetServiceLastAccessedDetails': 200,
      'iam:GenerateCredentialReport': 2,
      'iam:GetCredentialReport': 1,
    };
    expect(r.requestsByOperation).toEqual(Object.fromEntries(Object.entries(expected).sort(([a], [b]) => (a < b ? -1 : 1))));
    expect(fake.requests).toHaveLength(Object.values(expected).reduce((a, b) => a + b, 0));
    expect(r.warnings).toEqual([]);
    expect(report.coverage[0]?.cloudTrail.filesRead).toBe(objects);
    expect(report.summary.principals).toBe(200);
    expect(totalMs).toBeLessThan(60_000);
    console.log(`scale: ${fake.requests.length} requests, collect ${(collectMs / 1000).toFixed(1)}s, collect+scan ${(totalMs / 1000).toFixed(1)}s`);
  } finally {
    await fake.stop();
    restore();
  }
});
