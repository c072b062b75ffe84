// GCP scale benchmark: one project with many service accounts, some holding roles/editor (~12,000
// permissions each, most without a cited audit-log type, so each becomes a long unverifiable
// finding), the rest narrow predefined roles, and 100,000 audit log entries (JSON lines, gz, each
// check with its permissionType). The built CLI scans it to a JSON file in a child process (peak
// RSS from /usr/bin/time -v when present).
// Floor, in the same run: `gzip -1 -c` of the written report to /dev/null — the bare cost of passing
// that many bytes through one fast pass (a report this size is past what one JavaScript string can
// hold, so the floor cannot be a JSON.parse). Printed: scan time, floor, ratio, peak RSS, report
// size. Guard rails, not a target from an issue: peak RSS under 1 GB and no crash for 40 editors.
//
// Run alone: npm run build && node -e "import('./bench/gcp-scale.bench.mjs').then(m=>m.default())"
// Environment: BENCH_GCP_EDITORS (default 40), BENCH_GCP_ACCOUNTS (default 400), BENCH_GCP_ENTRIES (100000).

import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { hasGnuTime, run } from './child.mjs';
import { rng } from './rng.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const bin = join(here, '..', 'bin', 'permdrift');
const PROJECT = 'bench-scale-1';
const AS_OF = '2026-11-20T00:00:00Z';

async function timed(args) {
  const quiet = { stdout: 'ignore' };
  const r = hasGnuTime ? await run('/usr/bin/time', ['-v', process.execPath, ...args], quiet) : await run(process.execPath, args, quiet);
  const m = /Maximum resident set size \(kbytes\): (\d+)/.exec(r.err);
  return { seconds: r.seconds, rssMb: m ? Number(m[1]) / 1024 : Number.NaN };
}

function buildSnapshot(dir, editors, accounts, entries) {
  const r = rng(20261125);
  const email = (i) => `sa${String(i).padStart(4, '0')}@${PROJECT}.iam.gserviceaccount.com`;
  const p = join(dir, 'gcp', PROJECT);
  mkdirSync(join(p, 'audit-logs'), { recursive: true });
  const narrow = [
    'roles/storage.objectViewer',
    'roles/pubsub.publisher',
    'roles/secretmanager.secretAccessor',
    'roles/compute.viewer',
    'roles/storage.objectAdmin',
  ];
  const bindings = [{ role: 'roles/editor', members: Array.from({ length: editors }, (_, i) => `serviceAccount:${email(i)}`) }];
  narrow.forEach((role, k) =>
    bindings.push({
      role,
      members: Array.from({ length: accounts }, (_, i) => i)
        .filter((i) => i % narrow.length === k)
        .map((i) => `serviceAccount:${email(i)}`),
    }),
  );
  writeFileSync(
    join(p, 'iam-policy.json'),
    JSON.stringify({
      bindings,
      auditConfigs: [{ service: 'allServices', auditLogConfigs: [{ logType: 'ADMIN_READ' }, { logType: 'DATA_READ' }, { logType: 'DATA_WRITE' }] }],
    }),
  );
  writeFileSync(join(p, 'ancestry.json'), JSON.stringify([{ id: PROJECT, type: 'project' }]));
  writeFileSync(
    join(p, 'service-accounts.json'),
    JSON.stringify(
      Array.from({ length: accounts }, (_, i) => ({
        email: email(i),
        name: `projects/${PROJECT}/serviceAccounts/${email(i)}`,
        projectId: PROJECT,
        uniqueId: String(100000000000000000000n + BigInt(i)),
      })),
    ),
  );
  const perms = [
    ['storage.objects.get', 'data_access', 'DATA_READ'],
    ['storage.objects.list', 'data_access', 'DATA_READ'],
    ['storage.objects.create', 'data_access', 'DATA_WRITE'],
    ['storage.buckets.create', 'activity', 'ADMIN_WRITE'],
    ['secretmanager.versions.access', 'data_access', 'DATA_READ'],
  ];
  const start = Date.parse(AS_OF) - 90 * 86_400_000;
  const lines = [];
  for (let k = 0; k < entries; k++) {
    // Spread over the whole window, oldest first, with both ends present.
    const t = new Date(start + Math.floor(((k + 0.5) / entries) * 90 * 86_400_000)).toISOString();
    const [permission, stream, permissionType] = perms[(r() * perms.length) | 0];
    lines.push(
      JSON.stringify({
        logName: `projects/${PROJECT}/logs/cloudaudit.googleapis.com%2F${stream}`,
        timestamp: t,
        protoPayload: {
          '@type': 'type.googleapis.com/google.cloud.audit.AuditLog',
          authenticationInfo: { principalEmail: email((r() * accounts) | 0) },
          // permissionType as audit entries carry it since 2025 (the types the bundled table cites).
          authorizationInfo: [{ permission, granted: r() > 0.02, resource: 'projects/_/buckets/b', permissionType }],
          serviceName: `${permission.split('.')[0]}.googleapis.com`,
          methodName: permission,
        },
      }),
    );
  }
  writeFileSync(join(p, 'audit-logs', 'entries.jsonl.gz'), gzipSync(lines.join('\n')));
}

export default async function gcpScaleBench() {
  const editors = Number(process.env.BENCH_GCP_EDITORS ?? 40);
  const accounts = Number(process.env.BENCH_GCP_ACCOUNTS ?? 400);
  const entries = Number(process.env.BENCH_GCP_ENTRIES ?? 100_000);
  const dir = mkdtempSync(join(tmpdir(), 'permdrift-gcp-scale-'));
  try {
    buildSnapshot(dir, editors, accounts, entries);
    const out = join(dir, 'report.json');
    const scan = await timed([bin, 'scan', 'files', dir, '--as-of', AS_OF, '--format', 'json', '-o', out, '--quiet']);
    const bytes = statSync(out).size;
    const floor = await run('sh', ['-c', `gzip -1 -c '${out}' > /dev/null`], { stdout: 'ignore' });
    console.log('GCP scale benchmark (one project, basic-role accounts)');
    console.log(`  project:          ${accounts} service accounts, ${editors} with roles/editor, ${entries.toLocaleString('en')} audit log entries`);
    console.log(
      `  scan → JSON:      ${scan.seconds.toFixed(1)} s, peak RSS ${scan.rssMb.toFixed(0)} MB  (guard rail ≤ 1024 MB: ${scan.rssMb <= 1024 ? 'met' : 'NOT met'})`,
    );
    console.log(`  report:           ${(bytes / 1024 / 1024).toFixed(0)} MB of JSON`);
    console.log(`  floor (gzip -1 of the report): ${floor.seconds.toFixed(1)} s`);
    console.log(`  ratio scan / floor: ${(scan.seconds / floor.seconds).toFixed(2)}`);
    return { scanSeconds: scan.seconds, floorSeconds: floor.seconds, rssMb: scan.rssMb, bytes };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
