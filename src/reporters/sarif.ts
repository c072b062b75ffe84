/**
 * SARIF 2.1.0 (OASIS Errata 01): one run, one rule per finding type, one result per finding. Code
 * scanning services dedupe and track alerts by rule id and fingerprint, so both are stable: the
 * rule id is the finding type, and the fingerprint is the finding id, which the engine derives from
 * the finding's meaning (provider, account, principal, type, subject).
 */

import { FINDING_TYPES, type Finding, type FindingType, type Report, type Severity } from '../model/report.js';
import { sortedFindings } from './finding-order.js';
import { plural } from './text-format.js';
import { durationText, spanMs } from '../model/duration-text.js';

export interface SarifOptions {
  /**
   * A file every result is also located in (a path relative to the repository root, encoded by
   * sarifUri on output), e.g. the IAM snapshot or the Terraform that grants the roles. GitHub code
   * scanning rejects a whole upload when any result has no physical location, so a CI upload needs
   * one; without it, results carry the principal as a logical location only.
   */
  artifactUri?: string;
  /**
   * Where the grant behind a finding is written (a line in a policy source the user passed); wins
   * over `artifactUri` for the findings it locates. `uri` is a file path, encoded like `artifactUri`.
   */
  locate?: (finding: Finding) => { uri: string; line: number } | undefined;
}

const SARIF_SCHEMA_URI = 'https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json';
const PERMDRIFT_INFORMATION_URI = 'https://www.npmjs.com/package/permdrift';
export const FINGERPRINT_KEY = 'permdriftFindingId/v1';

type SarifLevel = 'error' | 'warning' | 'note';

/** What a reader sees before any severity is known; a result's own level follows its severity. */
const RULE_LEVEL: Readonly<Record<FindingType, SarifLevel>> = {
  'dormant-principal': 'warning',
  'unused-service': 'warning',
  'overbroad-grant': 'warning',
  'unused-permission': 'warning',
  'unverifiable-permission': 'note',
  'stale-credential': 'warning',
};

const RESULT_LEVEL: Readonly<Record<Severity, SarifLevel>> = {
  critical: 'error',
  high: 'error',
  medium: 'warning',
  low: 'note',
  info: 'note',
};

interface RuleText {
  name: string;
  short: string;
  full: string;
  help: string;
  tags: string[];
}

const RULE_TEXT: Readonly<Record<FindingType, RuleText>> = {
  'dormant-principal': {
    name: 'DormantPrincipal',
    short: 'Principal made no call in the audit window',
    full: 'An IAM role or user that made no call at all in the audit window, according to CloudTrail, RoleLastUsed, Access Advisor and the credential report. A principal created inside the window is never dormant.',
    help: 'Confirm with the owner that nothing still depends on the principal, then delete it or detach its policies. Everything it can do is standing access nobody uses.',
    tags: ['security', 'iam', 'least-privilege', 'dormant'],
  },
  'unused-service': {
    name: 'UnusedService',
    short: 'Granted service not used in the audit window',
    full: 'Every granted action of a service went unused in the audit window, and the non-use is proven: each action is observable in the collected CloudTrail logs, or Access Advisor shows the service not accessed.',
    help: 'Remove the service from the policies named in the finding (or the group membership that brings it). The JSON report lists every grant path.',
    tags: ['security', 'iam', 'least-privilege', 'unused-access'],
  },
  'overbroad-grant': {
    name: 'OverbroadGrant',
    short: 'Wildcard grant much wider than what is used',
    full: 'Actions of a service reached only through wildcards (s3:*, *, ec2:Describe*…) went unused in the audit window while other actions of the same service were used.',
    help: 'Replace the wildcard with the actions the principal used, listed in the recommendation.',
    tags: ['security', 'iam', 'least-privilege', 'wildcard'],
  },
  'unused-permission': {
    name: 'UnusedPermission',
    short: 'Explicitly granted action not used in the audit window',
    full: 'An action named explicitly in a policy, observable in the collected logs, went unused in the audit window while other actions of the same service were used.',
    help: 'Remove the action from the statement named in the finding, or narrow its Resource.',
    tags: ['security', 'iam', 'least-privilege', 'unused-access'],
  },
  'unverifiable-permission': {
    name: 'UnverifiablePermission',
    short: 'Granted actions whose use the evidence cannot show',
    full: 'Granted actions whose use the collected evidence cannot show (data events not logged, a region or part of the window not covered, actions CloudTrail never records). They are never read as unused.',
    help: 'Collect the evidence the finding names (data events, logs for the whole window, Access Advisor data) and run the audit again before narrowing these grants.',
    tags: ['security', 'iam', 'coverage-gap'],
  },
  'stale-credential': {
    name: 'StaleCredential',
    short: 'Access key unused or not rotated',
    full: 'An active access key that has not been used, or not been rotated, for longer than the audit window, according to the IAM credential report.',
    help: 'Deactivate the key, then delete it after a quiet period; prefer roles with short-lived credentials.',
    tags: ['security', 'iam', 'credentials'],
  },
};

// The SARIF object model, only as far as this reporter writes it.
interface SarifMessage {
  text: string;
}
interface SarifLocation {
  physicalLocation?: { artifactLocation: { uri: string }; region?: { startLine: number } };
  logicalLocations: { name: string; fullyQualifiedName: string; kind: string }[];
}
interface SarifResult {
  ruleId: FindingType;
  ruleIndex: number;
  level: SarifLevel;
  message: SarifMessage;
  locations: SarifLocation[];
  partialFingerprints: Record<string, string>;
  baselineState?: 'new' | 'unchanged';
  suppressions?: { kind: 'external'; status: 'accepted'; justification: string; properties: Record<string, unknown> }[];
  properties: Record<string, unknown>;
}

/** Actions named in a one-line message before "and N more". */
const MAX_ACTIONS_IN_MESSAGE = 5;

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

function actionList(finding: Finding): string {
  const actions = finding.permissions.map((p) => p.action);
  const shown = actions.slice(0, MAX_ACTIONS_IN_MESSAGE).join(', ');
  const hidden = actions.length - MAX_ACTIONS_IN_MESSAGE;
  return hidden > 0 ? `${shown} and ${hidden} more` : shown;
}

function summary(finding: Finding, windowText: string): string {
  const who = `${finding.principal.kind} ${finding.principal.name} (account ${finding.account})`;
  const service = finding.service ?? '';
  const count = finding.permissions.length;
  switch (finding.type) {
    case 'unused-service':
      return `${who}: no use of ${service} in ${windowText}; ${plural(count, 'granted action')} unused: ${actionList(finding)}.`;
    case 'overbroad-grant':
      return `${who}: ${plural(count, `${service} action`)} granted only through wildcards, unused in ${windowText}: ${actionList(finding)}.`;
    case 'unused-permission':
      return `${who}: ${plural(count, `${service} permission`)} unused in ${windowText}: ${actionList(finding)}.`;
    case 'unverifiable-permission': {
      const reasons = [...new Set(finding.permissions.flatMap((p) => (p.unverifiable === undefined ? [] : [p.unverifiable.reason])))];
      return `${who}: use of ${plural(count, `${service} permission`)} cannot be judged (${reasons.join(', ')}): ${actionList(finding)}.`;
    }
    case 'dormant-principal':
    case 'stale-credential':
      return `${who}: ${finding.evidence.reason}`;
  }
}

/**
 * A file path as SARIF's `artifactLocation.uri`: a relative URI reference (RFC 3986) that code
 * scanning resolves against the repository root. Backslashes become `/`; each segment is
 * percent-encoded (space, `#`, `%`, `?`, and `:`, so `C:\…` or `javascript:x` never reads as a
 * scheme); leading slashes collapse to one, so `\\server\share` never names a host.
 */
export function sarifUri(path: string): string {
  const uri = path
    .replace(/\\/g, '/')
    .split('/')
    .map((segment) => encodeURIComponent(segment))
    .join('/');
  return uri.replace(/^\/{2,}/, '/');
}

function location(finding: Finding, options: SarifOptions): SarifLocation {
  // An IAM role or user is a cloud resource, not code: SARIF's `resource` kind fits it.
  const logical = { name: finding.principal.name, fullyQualifiedName: finding.principal.id, kind: 'resource' };
  const source = options.locate?.(finding);
  if (source) {
    return { physicalLocation: { artifactLocation: { uri: sarifUri(source.uri) }, region: { startLine: source.line } }, logicalLocations: [logical] };
  }
  return options.artifactUri === undefined || options.artifactUri === ''
    ? { logicalLocations: [logical] }
    : { physicalLocation: { artifactLocation: { uri: sarifUri(options.artifactUri) } }, logicalLocations: [logical] };
}

function result(finding: Finding, windowText: string, options: SarifOptions): SarifResult {
  const properties: Record<string, unknown> = {
    severity: finding.severity,
    account: finding.account,
    principalKind: finding.principal.kind,
    ...(finding.service === undefined ? {} : { service: finding.service }),
    actions: finding.permissions.map((p) => p.action),
    // GCP unused claims: the log type of each action and what it rests on (cited, observed, rule).
    ...(finding.permissions.some((p) => p.observability !== undefined)
      ? {
          observability: finding.permissions.flatMap((p) =>
            p.observability === undefined ? [] : [{ action: p.action, basis: p.observability.basis, logType: p.observability.logType }],
          ),
        }
      : {}),
    ...(finding.baselineStatus === undefined ? {} : { baselineStatus: finding.baselineStatus }),
    ...(finding.firstSeen === undefined ? {} : { firstSeen: finding.firstSeen }),
    ...(finding.exception === undefined ? {} : { exception: { ...finding.exception } }),
  };
  // Only an exception in force suppresses: an expired one no longer protects the finding.
  const active = finding.exception?.state === 'active' ? finding.exception : undefined;
  return {
    ruleId: finding.type,
    ruleIndex: FINDING_TYPES.indexOf(finding.type),
    level: RESULT_LEVEL[finding.severity],
    message: { text: `${oneLine(summary(finding, windowText))} ${oneLine(finding.recommendation)}` },
    locations: [location(finding, options)],
    partialFingerprints: { [FINGERPRINT_KEY]: finding.id },
    ...(finding.baselineStatus === undefined ? {} : { baselineState: finding.baselineStatus === 'new' ? ('new' as const) : ('unchanged' as const) }),
    ...(active === undefined
      ? {}
      : {
          suppressions: [
            {
              kind: 'external' as const,
              status: 'accepted' as const,
              justification: active.reason,
              properties: {
                entry: active.entry,
                owner: active.owner,
                ...(active.expires === undefined ? {} : { expires: active.expires }),
                ...(active.ticket === undefined ? {} : { ticket: active.ticket }),
              },
            },
          ],
        }),
    properties,
  };
}

function rule(type: FindingType): Record<string, unknown> {
  const text = RULE_TEXT[type];
  return {
    id: type,
    name: text.name,
    shortDescription: { text: text.short },
    fullDescription: { text: text.full },
    help: { text: text.help },
    defaultConfiguration: { level: RULE_LEVEL[type] },
    properties: { tags: [...text.tags] },
  };
}

/** A SARIF 2.1.0 log of the report: JSON, 2-space indent, trailing newline, never coloured. */
export function renderSarif(report: Report, options: SarifOptions = {}): string {
  const log = {
    $schema: SARIF_SCHEMA_URI,
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'permdrift',
            version: report.tool.version,
            semanticVersion: report.tool.version,
            informationUri: PERMDRIFT_INFORMATION_URI,
            // Every type, in the model's order, so a rule's index never depends on the findings.
            rules: FINDING_TYPES.map(rule),
          },
        },
        // Partial failures (a corrupt log file…) travel as notifications, so a clean SARIF never
        // hides that some evidence could not be read.
        invocations: [
          {
            executionSuccessful: true,
            toolExecutionNotifications: report.warnings.map((w) => ({
              descriptor: { id: w.code },
              level: 'warning',
              message: { text: oneLine(w.message) },
              ...(w.account === undefined && w.file === undefined
                ? {}
                : { properties: { ...(w.account === undefined ? {} : { account: w.account }), ...(w.file === undefined ? {} : { file: w.file }) } }),
            })),
          },
        ],
        results: sortedFindings(report.findings).map((f) => result(f, durationText(spanMs(report.window)), options)),
        properties: {
          asOf: report.asOf,
          window: { ...report.window },
          catalogue: report.catalogue,
          ...(report.baseline === undefined
            ? {}
            : { baseline: { source: report.baseline.source, asOf: report.baseline.asOf, counts: { ...report.baseline.counts } } }),
          ...(report.exceptions === undefined
            ? {}
            : {
                exceptions: {
                  source: report.exceptions.source,
                  inForce: report.exceptions.inForce,
                  expiringSoon: report.exceptions.expiringSoon,
                  expired: report.exceptions.expired,
                  stale: report.exceptions.stale,
                  ...(report.exceptions.wildcard === undefined ? {} : { wildcard: report.exceptions.wildcard }),
                },
              }),
        },
      },
    ],
  };
  return `${JSON.stringify(log, null, 2)}\n`;
}
