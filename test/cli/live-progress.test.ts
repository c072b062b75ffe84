/** Progress of a live collection: a status line on a TTY stderr only, never with CI set or --quiet. */

import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from '../../src/cli/main.js';
import { loadFakeAccount } from '../fake-aws/account.js';
import { useFakeAwsEnv } from '../fake-aws/env.js';
import { FakeAws } from '../fake-aws/server.js';

let fake: FakeAws;
let restore: () => void;

beforeAll(async () => {
  fake = new FakeAws({ account: loadFakeAccount(), accessAdvisorInProgressPolls: 1 });
  restore = useFakeAwsEnv(await fake.start());
});

afterAll(async () => {
  await fake.stop();
  restore();
});

function stream(isTTY: boolean): PassThrough & { isTTY: boolean; text: () => string } {
  const s = new PassThrough() as PassThrough & { isTTY: boolean; text: () => string };
  let out = '';
  s.on('data', (d: Buffer) => (out += d.toString()));
  s.isTTY = isTTY;
  s.text = () => out;
  return s;
}

async function collectWith(env: NodeJS.ProcessEnv, isTTY: boolean, extra: string[] = []): Promise<{ code: number; stderr: string }> {
  const stderr = stream(isTTY);
  const code = await run(['collect', 'aws', '-o', mkdtempSync(join(tmpdir(), 'permdrift-progress-')), '--as-of', '2026-11-20T00:00:00Z', ...extra], {
    stdout: stream(false),
    stderr,
    env,
  });
  return { code, stderr: stderr.text() };
}

describe('collect aws progress', () => {
  it('draws a status line on a TTY: account, step counts, requests; cleared at the end', async () => {
    const r = await collectWith({}, true);
    expect(r.code).toBe(0);
    const frames = r.stderr.split('\r\x1b[2K').filter((f) => f !== '');
    expect(frames.some((f) => /^111122223333: .*\d+ requests$/.test(f))).toBe(true);
    expect(frames.some((f) => /S3 (day folders|objects) \d+\/\d+/.test(f))).toBe(true);
    // The line is cleared before the summary, so the summary starts a clean line.
    expect(r.stderr).toMatch(/\r\x1b\[2Kpermdrift: account 111122223333 read as /);
  });

  it('no status line with CI set, on a non-TTY, or with --quiet', async () => {
    for (const [env, isTTY, extra] of [
      [{ CI: 'true' }, true, []],
      [{}, false, []],
      [{}, true, ['--quiet']],
    ] as const) {
      const r = await collectWith(env, isTTY, [...extra]);
      expect(r.code).toBe(0);
      expect(r.stderr).not.toContain('\r');
    }
  });
});
