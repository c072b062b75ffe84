// GCP audit log reader against a `gzip -dc` floor, with peak memory.
//
// Generates (deterministically, bench/rng.mjs) a Cloud Logging sink export to Cloud Storage in a
// temporary directory — JSON lines, gzip, one file per log and hour, ~BENCH_GCP_GZ_MB MB of .gz in
// all (default 200) — then times, BENCH_REPEAT times (default 3):
//   - `gzip -dc` over the same files, sequentially, to /dev/null: the floor;
//   - readGcpProjectActivity from dist/ in a child process (peak RSS from /usr/bin/time -v when
//     present, else the child's own process.resourceUsage().maxRSS).
// Prints the best / median of each, the ratio and the peak RSS. The temporary directory is removed
// at the end. Memory must not grow with the size of a file: the reader streams.
//
// The reader runs with its default worker count (one worker thread per core); BENCH_GCP_WORKERS
// sets it (1 = the serial, in-process reader).
//
//   npm run build && node bench/gcp-audit-logs.mjs            (also a step of `npm run bench`)
// Environment: BENCH_REPEAT, BENCH_GCP_GZ_MB, BENCH_GCP_WORKERS, BENCH_GCP_KEEP=1 (keep the
// generated files), BENCH_GCP_DIR=<dir> (generate into <dir> once and reuse it on later runs; never
// removed).

import { once } from 'node:events';
import { createWriteStream, existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createGzip } from 'node:zlib';
import { gzipFloor, hasGnuTime, run } from './child.mjs';
import { rng } from './rng.mjs';

const MB = 1024 * 1024;
const PROJECT = 'bench-audit-4242';
const START = Date.UTC(2026, 10, 1, 0, 0, 0);
const WINDOW = { windowStart: '2026-09-01T00:00:00Z', asOf: '2026-12-31T00:00:00Z' };
const log = (s) => process.stderr.write(`${s}\n`);

const HEX = '0123456789abcdef';
const ALNUM = 'abcdefghijklmnopqrstuvwxyz0123456789';
function hex(r, n) {
  let s = '';
  for (let i = 0; i < n; i++) s += HEX[(r() * 16) | 0];
  return s;
}
function alnum(r, n) {
  let s = '';
  for (let i = 0; i < n; i++) s += ALNUM[(r() * 36) | 0];
  return s;
}
function pick(r, list) {
  return list[(r() * list.length) | 0];
}

const SA = (name) => `${name}@${PROJECT}.iam.gserviceaccount.com`;
const PRINCIPALS = [
  SA('ci-deployer'),
  SA('etl-nightly'),
  SA('orders-api'),
  SA('reporting'),
  SA('backup-job'),
  'alice@example.com',
  'service-123456789012@compute-system.iam.gserviceaccount.com',
];
const AGENTS = [
  'google-cloud-sdk gcloud/512.0.0 command/gcloud.compute.instances.create invocation-id/3f1e environment/None environment-version/None client-os/LINUX client-os-ver/6.8.0 client-pltf-arch/x86_64 interactive/False from-script/True python/3.12.3 term/ (Linux 6.8.0-1017-gcp),gzip(gfe)',
  'google-api-go-client/0.5 Terraform/1.9.8 (+https://www.terraform.io) Terraform-Plugin-SDK/2.33.0 terraform-provider-google/6.12.0,gzip(gfe)',
  'grpc-java-netty/1.68.1,gzip(gfe)',
  'gl-python/3.11.9 grpc/1.66.2 gax/2.21.0 gapic/2.18.0 gccl/2.18.0,gzip(gfe)',
];
// [stream, serviceName, methodName, permissions, resource type]
const CALLS = [
  [
    'activity',
    'compute.googleapis.com',
    'v1.compute.instances.insert',
    ['compute.instances.create', 'compute.disks.create', 'compute.subnetworks.use'],
    'gce_instance',
  ],
  ['activity', 'compute.googleapis.com', 'v1.compute.instances.delete', ['compute.instances.delete'], 'gce_instance'],
  ['activity', 'iam.googleapis.com', 'google.iam.admin.v1.CreateServiceAccountKey', ['iam.serviceAccountKeys.create'], 'service_account'],
  ['activity', 'cloudresourcemanager.googleapis.com', 'SetIamPolicy', ['resourcemanager.projects.setIamPolicy'], 'project'],
  ['activity', 'run.googleapis.com', 'google.cloud.run.v1.Services.ReplaceService', ['run.services.update'], 'cloud_run_revision'],
  ['data_access', 'storage.googleapis.com', 'storage.objects.get', ['storage.objects.get'], 'gcs_bucket'],
  ['data_access', 'storage.googleapis.com', 'storage.objects.list', ['storage.objects.list'], 'gcs_bucket'],
  [
    'data_access',
    'secretmanager.googleapis.com',
    'google.cloud.secretmanager.v1.SecretManagerService.AccessSecretVersion',
    ['secretmanager.versions.access'],
    'audited_resource',
  ],
  [
    'data_access',
    'bigquery.googleapis.com',
    'google.cloud.bigquery.v2.JobService.InsertJob',
    ['bigquery.jobs.create', 'bigquery.tables.getData'],
    'bigquery_dataset',
  ],
  ['data_access', 'datastore.googleapis.com', 'google.datastore.v1.Datastore.RunQuery', [], 'datastore_database'],
];

function entry(r, t) {
  const [stream, serviceName, methodName, permissions, resourceType] = pick(r, CALLS);
  const principal = pick(r, PRINCIPALS);
  const isDenied = r() < 0.03;
  const resourceName = `projects/${PROJECT}/${pick(r, ['zones/europe-west1-b/instances', 'buckets', 'secrets', 'datasets', 'services'])}/${alnum(r, 10)}`;
  const time = new Date(t).toISOString().replace('Z', `${String((r() * 1e6) | 0).padStart(6, '0')}Z`);
  const authenticationInfo = { principalEmail: principal };
  if (principal.endsWith('gserviceaccount.com') && r() < 0.2) {
    authenticationInfo.serviceAccountDelegationInfo = [{ firstPartyPrincipal: { principalEmail: pick(r, ['alice@example.com', SA('ci-deployer')]) } }];
  }
  if (r() < 0.3) authenticationInfo.serviceAccountKeyName = `//iam.googleapis.com/projects/${PROJECT}/serviceAccounts/${principal}/keys/${hex(r, 40)}`;
  authenticationInfo.principalSubject = `serviceAccount:${principal}`;
  const protoPayload = {
    '@type': 'type.googleapis.com/google.cloud.audit.AuditLog',
    status: isDenied ? { code: 7, message: 'PERMISSION_DENIED' } : {},
    authenticationInfo,
    requestMetadata: {
      callerIp: `${10 + ((r() * 200) | 0)}.${(r() * 255) | 0}.${(r() * 255) | 0}.${(r() * 255) | 0}`,
      callerSuppliedUserAgent: pick(r, AGENTS),
      requestAttributes: { time, auth: {} },
      destinationAttributes: {},
    },
    serviceName,
    methodName,
    authorizationInfo: permissions.map((permission) => ({
      resource: resourceName,
      permission,
      ...(isDenied ? {} : { granted: true }),
      resourceAttributes: { service: serviceName, name: resourceName, type: `${serviceName.split('.')[0]}.${alnum(r, 6)}` },
      permissionType: stream === 'activity' ? 'ADMIN_WRITE' : 'DATA_READ',
    })),
    resourceName,
    request: {
      '@type': `type.googleapis.com/${methodName}`,
      name: resourceName,
      requestId: `${hex(r, 8)}-${hex(r, 4)}-${hex(r, 4)}-${hex(r, 12)}`,
      labels: { team: pick(r, ['data', 'web', 'platform']), env: 'prod' },
    },
    ...(stream === 'activity' && r() < 0.5
      ? {
          response: {
            '@type': 'type.googleapis.com/operation',
            id: String((r() * 1e15) | 0),
            name: `operation-${hex(r, 24)}`,
            status: 'RUNNING',
            progress: '0',
          },
        }
      : {}),
  };
  const e = {
    protoPayload,
    insertId: alnum(r, 13),
    resource: { type: resourceType, labels: { project_id: PROJECT, location: pick(r, ['europe-west1', 'us-central1', 'global']) } },
    timestamp: time,
    severity: isDenied ? 'ERROR' : stream === 'activity' ? 'NOTICE' : 'INFO',
    logName: `projects/${PROJECT}/logs/cloudaudit.googleapis.com%2F${stream}`,
    receiveTimestamp: new Date(t + 800).toISOString(),
  };
  return [stream, JSON.stringify(e)];
}

/** Writes hourly JSONL.gz files per stream until ~gzTarget bytes of gzip; returns the manifest. */
async function generate(root, gzTarget) {
  const r = rng(20261120);
  const files = [];
  let entries = 0;
  let raw = 0;
  let gzBytes = 0;
  const perHour = 4000;
  for (let hour = 0; gzBytes < gzTarget; hour++) {
    const t0 = START + hour * 3600_000;
    const d = new Date(t0).toISOString();
    const hh = d.slice(11, 13);
    const day = d.slice(0, 10).split('-');
    const lines = { activity: [], data_access: [] };
    for (let i = 0; i < perHour; i++) {
      const [stream, text] = entry(r, t0 + Math.floor((i / perHour) * 3600_000));
      lines[stream].push(text);
    }
    for (const stream of ['activity', 'data_access']) {
      const path = join(root, 'gcp', PROJECT, 'audit-logs', `cloudaudit.googleapis.com/${stream}`, ...day, `${hh}:00:00_${hh}:59:59_S0.json.gz`);
      await mkdir(dirname(path), { recursive: true });
      const gz = createGzip({ level: 6 });
      const out = createWriteStream(path);
      gz.pipe(out);
      const text = `${lines[stream].join('\n')}\n`;
      raw += Buffer.byteLength(text);
      gz.end(text);
      await once(out, 'close');
      const size = (await stat(path)).size;
      gzBytes += size;
      entries += lines[stream].length;
      files.push(path);
    }
  }
  return { files, entries, raw, gzBytes };
}

async function scan(root) {
  const self = fileURLToPath(import.meta.url);
  const args = [self, '--child', root, process.env.BENCH_GCP_WORKERS ?? ''];
  const { seconds, out, err } = hasGnuTime ? await run('/usr/bin/time', ['-v', process.execPath, ...args]) : await run(process.execPath, args);
  const report = JSON.parse(out.trim().split('\n').pop());
  const m = /Maximum resident set size \(kbytes\): (\d+)/.exec(err);
  return { ...report, wallSeconds: seconds, rssMb: (m ? Number(m[1]) : report.maxRssKb) / 1024, rssSource: m ? '/usr/bin/time -v' : 'process.resourceUsage' };
}

function stats(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return { best: sorted[0], median: sorted[Math.floor(sorted.length / 2)] };
}

/** The child: one read of the snapshot, one JSON line on stdout. */
async function child(root, workers) {
  const { readGcpProjectActivity } = await import('../dist/connectors/gcp/audit-logs/read-project-activity.js');
  const started = process.hrtime.bigint();
  const r = await readGcpProjectActivity(root, PROJECT, {
    windowStart: new Date(WINDOW.windowStart),
    asOf: new Date(WINDOW.asOf),
    ...(workers ? { workers: Number(workers) } : {}),
  });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const c = r.auditLogs;
  process.stdout.write(
    `${JSON.stringify({ seconds, entries: c.entriesRead, filesRead: c.filesRead, filesFailed: c.filesFailed.length, rows: r.permissions.length + r.unmapped.length + r.delegations.length, maxRssKb: process.resourceUsage().maxRSS })}\n`,
  );
}

export default async function gcpAuditLogsBench() {
  const repeat = Number(process.env.BENCH_REPEAT ?? 3);
  const gzTarget = Number(process.env.BENCH_GCP_GZ_MB ?? 200) * MB;
  const fixedDir = process.env.BENCH_GCP_DIR;
  const root = fixedDir ?? (await mkdtemp(join(tmpdir(), 'permdrift-bench-gcp-')));
  const manifest = join(root, `manifest-${gzTarget}.json`);
  try {
    let m;
    if (fixedDir !== undefined && existsSync(manifest)) {
      m = JSON.parse(await readFile(manifest, 'utf8'));
      log(`GCP audit log benchmark: reusing the sink files in ${root}`);
    } else {
      log(`GCP audit log benchmark: generating ~${(gzTarget / MB).toFixed(0)} MB of sink files in ${root}`);
      const g0 = Date.now();
      if (fixedDir !== undefined) await rm(join(root, 'gcp'), { recursive: true, force: true });
      m = await generate(root, gzTarget);
      if (fixedDir !== undefined) await writeFile(manifest, JSON.stringify(m));
      log(`  generated ${m.files.length} files, ${m.entries.toLocaleString('en-US')} entries in ${((Date.now() - g0) / 1000).toFixed(0)} s`);
    }
    const gz = [];
    const sc = [];
    for (let i = 0; i < repeat; i++) {
      gz.push(await gzipFloor(m.files));
      const s = await scan(root);
      if (s.entries !== m.entries || s.filesFailed !== 0)
        throw new Error(`the reader read ${s.entries} entries (${s.filesFailed} files failed), expected ${m.entries}`);
      sc.push(s);
      log(`  run ${i + 1}/${repeat}: gzip -dc ${gz[i].toFixed(2)} s, read ${s.wallSeconds.toFixed(2)} s, RSS ${s.rssMb.toFixed(0)} MB`);
    }
    const g = stats(gz);
    const s = stats(sc.map((x) => x.wallSeconds));
    const line = (k, v) => console.log(`  ${k.padEnd(34)} ${v}`);
    console.log('\nGCP audit logs (readGcpProjectActivity from dist/, child process, sink export JSON lines .gz)');
    line('workers', process.env.BENCH_GCP_WORKERS ? process.env.BENCH_GCP_WORKERS : `default (${availableParallelism()} = available parallelism)`);
    line('files', `${m.files.length} (hourly, activity + data_access)`);
    line('entries', m.entries.toLocaleString('en-US'));
    line('raw MB', (m.raw / MB).toFixed(0));
    line('gz MB', (m.gzBytes / MB).toFixed(0));
    line('gzip -dc seconds (best / median)', `${g.best.toFixed(2)} / ${g.median.toFixed(2)}`);
    line('read seconds (best / median)', `${s.best.toFixed(2)} / ${s.median.toFixed(2)}`);
    line('ratio read / gzip -dc (best, median)', `${(s.best / g.best).toFixed(2)}, ${(s.median / g.median).toFixed(2)}`);
    line('peak RSS MB', `${Math.max(...sc.map((x) => x.rssMb)).toFixed(0)}   (${sc[0].rssSource})`);
  } finally {
    if (fixedDir !== undefined) log(`  kept ${root} (BENCH_GCP_DIR)`);
    else if (process.env.BENCH_GCP_KEEP === '1') log(`  kept ${root}`);
    else await rm(root, { recursive: true, force: true });
  }
}

if (process.argv[2] === '--child') await child(process.argv[3], process.argv[4]);
else if (process.argv[1] === fileURLToPath(import.meta.url)) await gcpAuditLogsBench();
