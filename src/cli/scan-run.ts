/** The whole of `scan files` after argument parsing (options, config, the action) and the collect-then-scan of `scan aws|gcp`: shared by the scan commands. */

import { Command, Option } from 'commander';
import { fileURLToPath } from 'node:url';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { auditFiles, type ScanProgress } from '../audit.js';
import { readBaselineFile } from '../config/baseline-file.js';
import { readExceptionsFile } from '../config/exceptions-file.js';
import { applyBaseline, applyExceptions, isBaselineAfter } from '../engine/compare.js';
import { failingFindings, needsBaseline, parseGate, parseRequireBasis } from '../engine/gate.js';
import { readPolicySources } from '../connectors/iac/policy-sources.js';
import type { CallTimeouts } from '../connectors/shared/call-timeouts.js';
import { UsageError } from '../model/errors.js';
import type { Finding, Report } from '../model/report.js';
import { reporters } from '../reporters/index.js';
import { renderJsonChunks } from '../reporters/json.js';
import { loadConfig, type ConfigValues } from '../config/config-file.js';
import { writeReportFile } from './report-file.js';
import { removeOnInterrupt } from './cleanup.js';
import { addBooleanFlag, addColorFlag, addDebugFlag, isCiEnv } from './boolean-flags.js';
import { type CommandContext, collect, writePieces } from './context.js';
import { isColorWanted, parseAsOf, parseCollectionBounds, parseWindow, resolveOutputs, type TimeoutFlags, windowOption } from './options.js';
import { ProgressLine } from './progress.js';
import { visibleText } from '../reporters/visible-text.js';

/** The bundled demo snapshot and the moment it was taken, so the demo reads the same every day. */
export const DEMO_DIR = fileURLToPath(new URL('../../fixtures/aws/demo', import.meta.url));
export const DEMO_AS_OF = '2026-11-20T00:00:00Z';

export interface ScanFlags extends TimeoutFlags {
  asOf?: string;
  window: string;
  format: string[];
  output: string[];
  principal: string[];
  includeServiceLinked: boolean;
  minCoverage?: string;
  failOn?: string;
  /** `--require-basis cited,observed`: --fail-on fails only verdicts resting on these bases. */
  requireBasis?: string;
  baseline?: string;
  allowFutureBaseline: boolean;
  exceptions?: string;
  config?: string;
  sarifArtifact?: string;
  policySource: string[];
  quiet: boolean;
  color: boolean;
  debug: boolean;
  workers?: string;
  /** Scan a snapshot whose collection did not finish (collect-manifest.json says complete: false). */
  allowIncomplete: boolean;
}

/**
 * `--min-coverage 95%` (or `95`, or `0.95`) → 0.95. A share of the span to judge that must be
 * observed before the rest is accepted as gaps; 100% accepts none beyond the edge tolerance.
 */
function parseMinCoverage(text: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(%?)\s*$/.exec(text);
  const value = m ? Number(m[1]) : Number.NaN;
  const fraction = m && (m[2] === '%' || value > 1) ? value / 100 : value;
  if (!m || !(fraction > 0) || fraction > 1) {
    throw new UsageError(`invalid --min-coverage "${text}"`, 'give a share of the window above 0 and at most 100%, e.g. --min-coverage 95%');
  }
  return fraction;
}

/** Where `permdrift baseline update` writes when no --baseline is given. */
export const DEFAULT_BASELINE_FILE = 'permdrift.baseline.json';

export function addScanOptions(cmd: Command): Command {
  cmd
    .addOption(new Option('--as-of <time>', 'end of the window, ISO 8601; no zone = UTC (default: now)').env('PERMDRIFT_AS_OF'))
    .addOption(windowOption())
    .addOption(
      new Option('--format <format>', 'table | json | sarif | markdown | csv; repeatable, one -o each').env('PERMDRIFT_FORMAT').argParser(collect).default([]),
    )
    .addOption(
      new Option('-o, --output <file>', 'write to a file (- = stdout); format from the extension; repeatable')
        .env('PERMDRIFT_OUTPUT')
        .argParser(collect)
        .default([]),
    )
    .addOption(
      new Option('--principal <glob>', 'only principals whose name or ARN matches; repeatable').env('PERMDRIFT_PRINCIPAL').argParser(collect).default([]),
    );
  addBooleanFlag(cmd, {
    flags: '--include-service-linked',
    description: 'also audit service-linked roles (/aws-service-role/) and GCP service agents, which you cannot edit',
    env: 'PERMDRIFT_INCLUDE_SERVICE_LINKED',
    default: false,
  });
  cmd
    .addOption(
      new Option(
        '--min-coverage <percent>',
        'accept logging gaps while this share of the span is observed, e.g. 95%; accepted gaps are listed in the report (default: no gap accepted)',
      ).env('PERMDRIFT_MIN_COVERAGE'),
    )
    .addOption(
      new Option('--baseline <report.json>', 'an earlier JSON report: findings are marked new or existing, and gone ones resolved').env('PERMDRIFT_BASELINE'),
    );
  addBooleanFlag(cmd, {
    flags: '--allow-future-baseline',
    description: 'accept a baseline dated after --as-of (refused by default: its first-seen dates would lie in the future)',
    env: 'PERMDRIFT_ALLOW_FUTURE_BASELINE',
    default: false,
  });
  cmd
    .addOption(new Option('--exceptions <file>', 'accepted findings with reason, owner and expiry (YAML or JSON)').env('PERMDRIFT_EXCEPTIONS'))
    .addOption(
      new Option(
        '--fail-on <expr>',
        'exit 1 when findings match: never | <severity> | new | new:<severity> | any:<severity>, comma-joined (default: new with --baseline, else never)',
      ).env('PERMDRIFT_FAIL_ON'),
    )
    .addOption(
      new Option(
        '--require-basis <list>',
        '--fail-on fails only findings whose unused claims all rest on these bases: cited (a Google page), observed (the logs read), rule (the verb rule); comma-joined, e.g. cited,observed (GCP; default: any basis)',
      ).env('PERMDRIFT_REQUIRE_BASIS'),
    )
    .addOption(
      new Option(
        '--sarif-artifact <path>',
        'repository path every SARIF result is also located in (GitHub code scanning needs one), e.g. the baseline or the IaC file',
      ).env('PERMDRIFT_SARIF_ARTIFACT'),
    )
    .addOption(
      new Option(
        '--policy-source <path>',
        'Terraform / CloudFormation / policy JSON files or folders: SARIF results point at the line that grants them; repeatable',
      )
        .env('PERMDRIFT_POLICY_SOURCE')
        .argParser(collect)
        .default([]),
    )
    .addOption(new Option('--config <file>', 'config file (default: permdrift.config.{json,yaml,yml} found upward)').env('PERMDRIFT_CONFIG'))
    .addOption(new Option('--workers <n>', 'worker threads for reading logs (default: one per core)').env('PERMDRIFT_WORKERS'));
  addBooleanFlag(cmd, {
    flags: '--allow-incomplete',
    description:
      'scan a snapshot whose collection did not finish (collect-manifest.json says complete: false); what it had not read in full is reported as coverage gaps',
    env: 'PERMDRIFT_ALLOW_INCOMPLETE',
    default: false,
  });
  addBooleanFlag(cmd, { flags: '-q, --quiet', description: 'only data and errors: no progress, no warnings summary', env: 'PERMDRIFT_QUIET', default: false });
  addColorFlag(cmd);
  addDebugFlag(cmd);
  return cmd;
}

/** Config keys (kebab-case, as the flags) → commander attribute names. */
const CONFIG_TO_FLAG: Record<keyof ConfigValues, keyof ScanFlags> = {
  'as-of': 'asOf',
  window: 'window',
  format: 'format',
  output: 'output',
  principal: 'principal',
  'include-service-linked': 'includeServiceLinked',
  'min-coverage': 'minCoverage',
  'fail-on': 'failOn',
  'require-basis': 'requireBasis',
  baseline: 'baseline',
  'allow-future-baseline': 'allowFutureBaseline',
  exceptions: 'exceptions',
  quiet: 'quiet',
  color: 'color',
  workers: 'workers',
  'sarif-artifact': 'sarifArtifact',
  'policy-source': 'policySource',
  'connect-timeout': 'connectTimeout',
  'request-timeout': 'requestTimeout',
  'retry-budget': 'retryBudget',
  'allow-incomplete': 'allowIncomplete',
};

/** Fills the flags neither given on the command line nor in the environment from the config file. */
export function withConfig(flags: ScanFlags, cmd: Command, cwd: string): ScanFlags {
  const config = loadConfig(flags.config, cwd);
  if (!config) return flags;
  const out: Record<string, unknown> = { ...flags };
  for (const [key, value] of Object.entries(config.values)) {
    const attr = CONFIG_TO_FLAG[key as keyof ConfigValues];
    const source = cmd.getOptionValueSource(attr);
    if (source === undefined || source === 'default') out[attr] = value;
  }
  return out as unknown as ScanFlags;
}

/**
 * A baseline written after this scan's --as-of would date findings' first appearance after the
 * report itself (and call findings "existing" that the baseline only saw later): refused unless
 * asked for, e.g. to replay an old snapshot against today's baseline.
 */
function checkBaselineTime(baseline: Report, path: string, asOf: Date, isAllowed: boolean): void {
  if (isAllowed || !isBaselineAfter(baseline, asOf)) return;
  throw new UsageError(
    `baseline ${path} is newer than this scan: its asOf ${baseline.asOf} is after --as-of ${asOf.toISOString()}`,
    "scan with an --as-of at or after the baseline's, compare with an older baseline, or pass --allow-future-baseline (PERMDRIFT_ALLOW_FUTURE_BASELINE=1) to compare anyway",
  );
}

export type ScanAction = (dir: string, flags: ScanFlags, mode: { isDemo: boolean; baselineOut?: string }) => Promise<void>;

/** The whole of `scan files` after argument parsing; `scan aws` runs it on the snapshot it collected. */
export function createScanAction(ctx: CommandContext): ScanAction {
  const { io, now } = ctx;
  const cwd = io.cwd ?? process.cwd();
  /** `flags` are complete: command line, environment and config file already merged. */
  const scanAction: ScanAction = async (dir, flags, mode) => {
    ctx.setDebug(flags.debug);
    const windowMs = parseWindow(flags.window);
    const asOf = parseAsOf(flags.asOf ?? (mode.isDemo ? DEMO_AS_OF : undefined), now, windowMs);
    // Without a baseline this is an audit, not a gate: nothing fails unless asked.
    const failOn = flags.failOn ?? (flags.baseline ? 'new' : 'never');
    const gate = parseGate(failOn);
    const requireBasis = flags.requireBasis === undefined ? undefined : parseRequireBasis(flags.requireBasis);
    if (needsBaseline(gate) && !flags.baseline && !mode.baselineOut) {
      throw new UsageError(
        '--fail-on new needs --baseline',
        'pass the accepted report with --baseline <report.json> (create it with `permdrift baseline update`)',
      );
    }
    const targets = mode.baselineOut ? [] : resolveOutputs(flags.format, flags.output);
    const minCoverage = flags.minCoverage === undefined ? undefined : parseMinCoverage(flags.minCoverage);
    const workers = flags.workers === undefined ? undefined : Number(flags.workers);
    if (workers !== undefined && (!Number.isInteger(workers) || workers < 1)) {
      throw new UsageError(`invalid --workers "${flags.workers}"`, 'use a whole number of at least 1');
    }
    // Read the inputs that can be wrong before the long scan, so a typo fails fast.
    const baselinePath = flags.baseline ?? (mode.baselineOut && existsSync(mode.baselineOut) ? mode.baselineOut : undefined);
    const baseline = baselinePath ? await readBaselineFile(baselinePath) : undefined;
    if (baseline && baselinePath) checkBaselineTime(baseline, baselinePath, asOf, flags.allowFutureBaseline);
    const exceptions = flags.exceptions ? await readExceptionsFile(flags.exceptions) : undefined;
    const sources = flags.policySource.length > 0 ? await readPolicySources(flags.policySource, cwd) : undefined;

    const isProgress = !flags.quiet && io.stderr.isTTY === true && !isCiEnv(io.env);
    const progress = isProgress ? new ProgressLine(io.stderr, now) : undefined;
    let report = await auditFiles({
      dir,
      asOf,
      windowMs,
      principalGlobs: flags.principal,
      isServiceLinkedIncluded: flags.includeServiceLinked,
      ...(minCoverage !== undefined ? { minCoverage } : {}),
      ...(workers !== undefined ? { workers } : {}),
      ...(flags.allowIncomplete ? { isIncompleteAllowed: true } : {}),
      ...(progress ? { onProgress: (p: ScanProgress) => progress.update(p) } : {}),
    });
    progress?.done();
    if (baseline && baselinePath) report = applyBaseline(report, baseline, baselinePath);
    if (exceptions) report = applyExceptions(report, exceptions);

    if (mode.baselineOut) {
      await writeReportFile(mode.baselineOut, renderJsonChunks(report), cwd);
      if (!flags.quiet) {
        io.stderr.write(
          `permdrift: baseline written to ${visibleText(relative(cwd, mode.baselineOut))} (${report.findings.length} finding(s) accepted as the current state)\n`,
        );
      }
      return;
    }
    for (const target of targets) {
      const isStdout = target.file === undefined;
      const isColor = target.format === 'table' && isStdout && isColorWanted({ isFlagOff: !flags.color, isTty: io.stdout.isTTY === true, env: io.env });
      // JSON goes out piece by piece: a large report can outgrow one string.
      const text =
        target.format === 'json'
          ? renderJsonChunks(report)
          : reporters[target.format](report, {
              isColor,
              width: isStdout ? Math.max(88, Math.min(io.stdout.columns ?? 100, 160)) : 100,
              ...(flags.sarifArtifact ? { sarifArtifactUri: flags.sarifArtifact } : {}),
              ...(sources ? { locate: (f: Finding) => sources.locate(f) } : {}),
            });
      if (isStdout) await writePieces(io.stdout, typeof text === 'string' ? [text] : text);
      else await writeReportFile(target.file as string, text, cwd);
    }
    if (!flags.quiet && report.warnings.length > 0 && targets.every((t) => t.format !== 'table' || t.file !== undefined)) {
      io.stderr.write(`permdrift: ${report.warnings.length} warning(s); see "warnings" in the report\n`);
    }
    // After the outputs are written: the report says what was read even when the gate cannot pass.
    const nothingJudged = report.warnings.find((w) => w.code === 'nothing-judged');
    if (nothingJudged && gate.length > 0) {
      throw new UsageError(
        `${nothingJudged.message}; a gate (--fail-on ${failOn}) that judged nothing cannot pass`,
        'widen --principal (a glob on the name or ARN; GCP: the email), check that the snapshot holds the accounts or projects meant, or audit without a gate (--fail-on never)',
      );
    }
    if (nothingJudged && !flags.quiet) io.stderr.write(`warning: ${nothingJudged.message}\n`);
    const failing = failingFindings(report, gate, requireBasis);
    if (failing.length > 0 && !flags.quiet) {
      const basis = requireBasis ? ` --require-basis ${requireBasis.join(',')}` : '';
      io.stderr.write(`permdrift: ${failing.length} finding(s) match --fail-on ${failOn}${basis}\n`);
    }
    ctx.setExitCode(failing.length > 0 ? 1 : 0);
  };
  return scanAction;
}

/**
 * `scan aws` / `scan gcp`: check the scan flags before a long collection (a typo fails at once),
 * collect into a temporary snapshot with one clock reading (so the logs collected are the window
 * scanned), run exactly the `scan files` code path on it, then delete it: on success, on an
 * error, and on SIGINT / SIGTERM (the cleanup registry).
 */
export async function collectThenScan(
  ctx: CommandContext,
  scanAction: ScanAction,
  flags: ScanFlags,
  tempPrefix: string,
  collect: (dir: string, asOf: Date, windowMs: number, timeouts: CallTimeouts) => Promise<unknown>,
): Promise<void> {
  ctx.setDebug(flags.debug);
  const { windowMs, asOf, timeouts } = parseCollectionBounds(flags, ctx.now);
  parseGate(flags.failOn ?? 'never');
  if (flags.requireBasis !== undefined) parseRequireBasis(flags.requireBasis);
  resolveOutputs(flags.format, flags.output);
  if (flags.baseline) checkBaselineTime(await readBaselineFile(flags.baseline), flags.baseline, asOf, flags.allowFutureBaseline);
  if (flags.exceptions) await readExceptionsFile(flags.exceptions);
  const dir = await mkdtemp(join(tmpdir(), tempPrefix));
  const forget = removeOnInterrupt(dir);
  try {
    await collect(dir, asOf, windowMs, timeouts);
    await scanAction(dir, { ...flags, asOf: asOf.toISOString() }, { isDemo: false });
  } finally {
    await rm(dir, { recursive: true, force: true });
    forget();
  }
}
