/** The whole of `scan files` after argument parsing (the action) and the collect-then-scan of `scan aws|gcp`: shared by the scan commands. */

import { fileURLToPath } from 'node:url';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { auditFiles, type ScanProgress } from '../audit.js';
import { readReportFile } from '../config/report-reader.js';
import { readExceptionsFile } from '../config/exceptions-file.js';
import { applyBaseline, applyExceptions, isBaselineAfter } from '../engine/compare.js';
import { failingFindings, needsBaseline, parseGate, parseRequireBasis } from '../engine/gate.js';
import { readPolicySources } from '../connectors/iac/policy-sources.js';
import type { CallTimeouts } from '../connectors/shared/call-timeouts.js';
import { UsageError } from '../model/errors.js';
import type { Finding, Report } from '../model/report.js';
import { FLAGS } from '../config/flag-table.js';
import { removeOnInterrupt } from './cleanup.js';
import { readFlag } from './flags.js';
import { formatNamed } from '../reporters/format.js';
import { REPORT_FORMATS } from '../reporters/index.js';
import { writeOutput } from './report-file.js';
import { isCiEnv } from './boolean-flags.js';
import { type CommandContext } from './context.js';
import { isColorWanted, parseAsOf, parseCollectionBounds, parseWindow, resolveOutputs, type TimeoutFlags } from './options.js';
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

/** Where `permdrift baseline update` writes when no --baseline is given. */
export const DEFAULT_BASELINE_FILE = 'permdrift.baseline.json';

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
    const minCoverage = flags.minCoverage === undefined ? undefined : readFlag(FLAGS.minCoverage, flags.minCoverage);
    const workers = flags.workers === undefined ? undefined : readFlag(FLAGS.workers, flags.workers);
    // Read the inputs that can be wrong before the long scan, so a typo fails fast.
    const baselinePath = flags.baseline ?? (mode.baselineOut && existsSync(mode.baselineOut) ? mode.baselineOut : undefined);
    const baseline = baselinePath ? await readReportFile(baselinePath, 'baseline') : undefined;
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
      await writeOutput(io, mode.baselineOut, formatNamed(REPORT_FORMATS, 'json').render(report, { isColor: false }));
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
      const pieces = formatNamed(REPORT_FORMATS, target.format).render(report, {
        isColor,
        width: isStdout ? Math.max(88, Math.min(io.stdout.columns ?? 100, 160)) : 100,
        ...(flags.sarifArtifact ? { sarifArtifactUri: flags.sarifArtifact } : {}),
        ...(sources ? { locate: (f: Finding) => sources.locate(f) } : {}),
      });
      await writeOutput(io, target.file, pieces);
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
  if (flags.baseline) checkBaselineTime(await readReportFile(flags.baseline, 'baseline'), flags.baseline, asOf, flags.allowFutureBaseline);
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
