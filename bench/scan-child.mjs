// Runs readCloudTrail (from the built dist/) over a list of files in its own process, so the
// benchmark can measure its wall time and peak RSS alone. Prints one JSON line on stdout.
// usage: node bench/scan-child.mjs <file-list.json> [workers]

import { readFile } from 'node:fs/promises';
import { readCloudTrail } from '../dist/connectors/aws/cloudtrail/read-cloudtrail.js';

const [listPath, workersArg] = process.argv.slice(2);
const { files, account } = JSON.parse(await readFile(listPath, 'utf8'));
const started = process.hrtime.bigint();
const result = await readCloudTrail({
  files,
  account,
  windowStart: '2024-01-01T00:00:00Z',
  asOf: '2024-12-31T00:00:00Z',
  ...(workersArg !== undefined ? { workers: Number(workersArg) } : {}),
});
const seconds = Number(process.hrtime.bigint() - started) / 1e9;
process.stdout.write(
  `${JSON.stringify({
    seconds,
    events: result.coverage.eventsRead,
    filesRead: result.coverage.filesRead,
    filesFailed: result.coverage.filesFailed.length,
    aggregates: result.calls.length,
    // resourceUsage().maxRSS is in kilobytes and covers the worker threads (one process).
    maxRssKb: process.resourceUsage().maxRSS,
  })}\n`,
);
