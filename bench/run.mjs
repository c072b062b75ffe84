// `npm run bench`: the CloudTrail scan against a `gzip -dc` floor, then every bench/*.bench.mjs.
//
// Part 1 generates (once) a deterministic CloudTrail-shaped archive under .bench/, then times
//   - `gzip -dc` over the same files, sequentially, to /dev/null: the floor;
//   - readCloudTrail from dist/ in a child process (peak RSS from /usr/bin/time -v when present,
//     else the child's own process.resourceUsage().maxRSS);
// for the whole archive and for the single big file alone. Targets (issue 3): scan ≤ 1.5 × gzip -dc,
// peak RSS ≤ 250 MB. Timings on a shared machine are noisy: each is repeated BENCH_REPEAT times
// (default 3) and the best and median are printed; ratios use the best of each.
//
// Environment: BENCH_REPEAT, BENCH_SMALL_FILES, BENCH_RECORDS_PER_FILE, BENCH_BIG_RECORDS.
// Last, as a separate step: bench/gcp-audit-logs.mjs (BENCH_GCP=0 skips it; BENCH_GCP_GZ_MB sizes it).

import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { gzipFloor, hasGnuTime, run } from './child.mjs';
import { ensureArchive } from './cloudtrail-archive.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');
const benchDir = join(root, '.bench');
const repeat = Number(process.env.BENCH_REPEAT ?? 3);
const sizes = {
  // 5-minute files of a few hundred records, as S3 delivers them…
  smallFiles: Number(process.env.BENCH_SMALL_FILES ?? 600),
  recordsPerFile: Number(process.env.BENCH_RECORDS_PER_FILE ?? 300),
  // …plus one file of ~530 MiB raw (~1.4 KB a record).
  bigRecords: Number(process.env.BENCH_BIG_RECORDS ?? 400_000),
};
const MB = 1024 * 1024;
const log = (s) => process.stderr.write(`${s}\n`);

async function scan(listPath) {
  const child = join(here, 'scan-child.mjs');
  const args = hasGnuTime ? ['-v', process.execPath, child, listPath] : [child, listPath];
  const { seconds, out, err } = await run(hasGnuTime ? '/usr/bin/time' : process.execPath, args);
  const report = JSON.parse(out.trim().split('\n').pop());
  const m = /Maximum resident set size \(kbytes\): (\d+)/.exec(err);
  const rssKb = m ? Number(m[1]) : report.maxRssKb;
  return { ...report, wallSeconds: seconds, rssMb: rssKb / 1024, rssSource: m ? '/usr/bin/time -v' : 'process.resourceUsage' };
}

function stats(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return { best: sorted[0], median: sorted[Math.floor(sorted.length / 2)] };
}

async function measure(label, files, listPath, expectedRecords) {
  const gz = [];
  const sc = [];
  let last;
  for (let i = 0; i < repeat; i++) {
    gz.push(await gzipFloor(files));
    last = await scan(listPath);
    sc.push(last);
    if (last.events !== expectedRecords || last.filesFailed !== 0) {
      throw new Error(`${label}: the scan read ${last.events} events (${last.filesFailed} files failed), expected ${expectedRecords}`);
    }
    log(`  ${label} run ${i + 1}/${repeat}: gzip -dc ${gz[i].toFixed(2)} s, scan ${last.wallSeconds.toFixed(2)} s, RSS ${last.rssMb.toFixed(0)} MB`);
  }
  const g = stats(gz);
  const s = stats(sc.map((x) => x.wallSeconds));
  const rss = Math.max(...sc.map((x) => x.rssMb));
  return { label, gzip: g, scan: s, ratio: s.best / g.best, ratioMedian: s.median / g.median, rssMb: rss, rssSource: last.rssSource };
}

async function cloudTrailPart() {
  await mkdir(benchDir, { recursive: true });
  const manifest = await ensureArchive(benchDir, sizes, log);
  const allFiles = [manifest.big.path, ...manifest.small.map((f) => f.path)];
  const allList = join(benchDir, 'all-files.json');
  const bigList = join(benchDir, 'big-file.json');
  await writeFile(allList, JSON.stringify({ account: manifest.account, files: allFiles }));
  await writeFile(bigList, JSON.stringify({ account: manifest.account, files: [manifest.big.path] }));

  log(`CloudTrail scan benchmark (${repeat} runs each; node ${process.version})`);
  const all = await measure('archive', allFiles, allList, manifest.totals.records);
  const big = await measure('big file', [manifest.big.path], bigList, manifest.big.records);

  const t = manifest.totals;
  const line = (k, v) => console.log(`  ${k.padEnd(34)} ${v}`);
  console.log('\nCloudTrail scan (readCloudTrail from dist/, child process)');
  line('files', `${t.files} (${manifest.small.length} × ${sizes.recordsPerFile} records + 1 big file)`);
  line('records', t.records.toLocaleString('en-US'));
  line('raw MB', (t.raw / MB).toFixed(0));
  line('gz MB', (t.gz / MB).toFixed(0));
  for (const r of [all, big]) {
    console.log(
      `  -- ${r.label}${r.label === 'big file' ? ` (${(manifest.big.raw / MB).toFixed(0)} MB raw, ${manifest.big.records.toLocaleString('en-US')} records)` : ''}`,
    );
    line('gzip -dc seconds (best / median)', `${r.gzip.best.toFixed(2)} / ${r.gzip.median.toFixed(2)}`);
    line('scan seconds (best / median)', `${r.scan.best.toFixed(2)} / ${r.scan.median.toFixed(2)}`);
    line('ratio scan / gzip -dc (best, median)', `${r.ratio.toFixed(2)}, ${r.ratioMedian.toFixed(2)}   (target ≤ 1.5)`);
    line('peak RSS MB', `${r.rssMb.toFixed(0)}   (target ≤ 250; ${r.rssSource})`);
  }
}

async function otherBenches() {
  const names = (await readdir(here)).filter((n) => n.endsWith('.bench.mjs')).sort();
  for (const name of names) {
    console.log(`\n${name}`);
    const mod = await import(pathToFileURL(join(here, name)).href);
    if (typeof mod.default !== 'function') {
      console.log(`  (skipped: ${name} has no default export function)`);
      continue;
    }
    await mod.default();
  }
}

await cloudTrailPart();
await otherBenches();

// ---------------------------------------------------------------------------------------------
// Separate step: the GCP audit log reader against `gzip -dc` (bench/gcp-audit-logs.mjs generates
// its own sink export in a temporary directory and prints its own block). BENCH_GCP=0 skips it.
// ---------------------------------------------------------------------------------------------
if (process.env.BENCH_GCP !== '0') {
  const { default: gcpAuditLogsBench } = await import('./gcp-audit-logs.mjs');
  await gcpAuditLogsBench();
}
