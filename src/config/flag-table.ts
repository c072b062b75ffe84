/**
 * Every command-line flag, declared once: its names, value, help, default, PERMDRIFT_* variable,
 * config key, how its value is read, and the commands that take it. The CLI builds its commander
 * options and reads the variables from this table (cli/flags.ts); the config file's schema is built
 * from it (config-file.ts). It knows nothing of commander: the config layer sits below the CLI.
 *
 * A command's options appear in --help in the order of this table. The same long name may be
 * declared twice for different commands (`--quiet` says something else on `trend`), never twice
 * on one command. Precedence: flag > PERMDRIFT_* variable > config file > default.
 */

import { DEFAULT_CALL_TIMEOUTS } from '../connectors/shared/call-timeouts.js';
import {
  asOfReader,
  readBasisValue,
  MAX_BUDGET_MS,
  MAX_TIMEOUT_MS,
  readMinCoverage,
  readReadsPerMinute,
  readRoleName,
  readWindowValue,
  readWorkers,
  timeLimitReader,
  type ValueReader,
} from './flag-values.js';
import { formatDuration } from './timeout-length.js';

export type CommandId =
  'scan files' | 'demo' | 'baseline update' | 'scan aws' | 'scan gcp' | 'collect aws' | 'collect gcp' | 'diff' | 'trend' | 'init' | 'policy aws';

/** What a config key does beyond holding its flag's value. */
export interface ConfigSpec {
  /** The commands whose config file sets it; by default every command the flag is on. */
  commands?: readonly CommandId[];
  /** A YAML / JSON number is taken as its text too (`min-coverage: 95`); `positive-integer`: only a whole number above 0. */
  numbers?: 'any' | 'positive-integer';
  /** A path, resolved against the config file's folder; `output`: `-` (stdout) stays `-`. */
  path?: 'file' | 'output';
  /**
   * The flag's reader also checks the key when the file is read, naming the key (`"window": invalid
   * "500d": …`). Otherwise the value is read when the command uses it, naming the flag.
   */
  isReadOnLoad?: boolean;
  /** A YAML / JSON list is taken too, its items joined by commas (`require-basis: [cited, observed]`). */
  isListJoined?: boolean;
}

interface CommonSpec {
  /** Kebab-case, without the dashes; the config key has the same name. */
  long: string;
  /** One letter: `-o`, `-q`. */
  short?: string;
  help: string;
  env?: string;
  config?: ConfigSpec;
  commands: readonly CommandId[];
}

/** An on/off flag: `--x` and `--no-x`, the last one given wins; its variable reads 1/0, true/false, yes/no. */
export interface SwitchSpec extends CommonSpec {
  default: boolean;
  /** Help of `--no-x`; by default "not --x" (and, with a variable, that it overrides it and the config file). */
  negatedHelp?: string;
}

/** A flag that takes a value. */
export interface ValueSpec extends CommonSpec {
  /** The placeholder in --help: `<duration>`. */
  value: string;
  default?: string;
  /** Given several times or comma-separated (as variables give lists); the default is the empty list. */
  isRepeatable?: boolean;
  isRequired?: boolean;
  choices?: readonly string[];
  /** The value's one reading, for the flag, its variable and its config key alike. */
  read?: ValueReader<unknown>;
  /** A `--no-x` form that turns the value off (`--no-audit-logs`), with this help. */
  negatedHelp?: string;
  /**
   * The help names a format registry's formats: `{formats}` in it is replaced by that registry's
   * names (cli/flags.ts; the registries live in reporters/, a layer above this table).
   */
  formats?: 'report' | 'drift';
}

export type FlagSpec = SwitchSpec | ValueSpec;

export function isSwitch(spec: FlagSpec): spec is SwitchSpec {
  return !('value' in spec);
}

const SCANS = ['scan files', 'demo', 'baseline update', 'scan aws', 'scan gcp'] as const;
const COLLECTS = ['collect aws', 'collect gcp'] as const;
const LIVE = ['scan aws', 'scan gcp', 'collect aws', 'collect gcp'] as const;
const LIVE_AWS = ['collect aws', 'scan aws'] as const;
const LIVE_GCP = ['collect gcp', 'scan gcp'] as const;
const DRIFTS = ['diff', 'trend'] as const;

const d = DEFAULT_CALL_TIMEOUTS;

/** Keyed by a name of their own (the long name may repeat); in --help order. */
export const FLAGS = {
  collectAwsOutput: {
    long: 'output',
    short: 'o',
    value: '<dir>',
    help: 'snapshot folder to write (the account lands in <dir>/aws/<account-id>/)',
    isRequired: true,
    commands: ['collect aws'],
  },
  collectGcpOutput: {
    long: 'output',
    short: 'o',
    value: '<dir>',
    help: 'snapshot folder to write (each project lands in <dir>/gcp/<project-id>/)',
    isRequired: true,
    commands: ['collect gcp'],
  },

  // What an AWS collection reads.
  profile: {
    long: 'profile',
    value: '<name>',
    help: 'AWS profile from ~/.aws/config (SSO, assume-role, …); default: the SDK chain (env, AWS_PROFILE, web identity, ECS/EC2)',
    env: 'PERMDRIFT_PROFILE',
    commands: LIVE_AWS,
  },
  region: {
    long: 'region',
    value: '<region>',
    help: 'region(s) for LookupEvents, repeatable; the first is also the region for API calls (default: the profile region and us-east-1; the S3 archive is read for every region)',
    isRepeatable: true,
    env: 'PERMDRIFT_REGION',
    commands: LIVE_AWS,
  },
  cloudtrailSource: {
    long: 'cloudtrail-source',
    value: '<source>',
    help: 'where usage comes from',
    // CLOUDTRAIL_SOURCES of connectors/aws/live/collect.ts (a test keeps them equal).
    choices: ['auto', 's3', 'lookup-events', 'none'],
    default: 'auto',
    env: 'PERMDRIFT_CLOUDTRAIL_SOURCE',
    commands: LIVE_AWS,
  },
  cloudtrailS3: {
    long: 'cloudtrail-s3',
    value: '<url>',
    help: "the trail archive as s3://bucket/prefix (default: the trail's bucket)",
    env: 'PERMDRIFT_CLOUDTRAIL_S3',
    commands: LIVE_AWS,
  },
  org: {
    long: 'org',
    help: 'every ACTIVE account of the organization (organizations:ListAccounts), each through --assume-role-name',
    default: false,
    env: 'PERMDRIFT_ORG',
    commands: LIVE_AWS,
  },
  accounts: {
    long: 'accounts',
    value: '<ids>',
    help: "these account ids (comma-separated or repeated), each through --assume-role-name except the caller's own",
    isRepeatable: true,
    env: 'PERMDRIFT_ACCOUNTS',
    commands: LIVE_AWS,
  },
  assumeRoleName: {
    long: 'assume-role-name',
    value: '<name>',
    help: 'role assumed in each account with --org / --accounts',
    default: 'OrganizationAccountAccessRole',
    env: 'PERMDRIFT_ASSUME_ROLE_NAME',
    read: readRoleName,
    commands: LIVE_AWS,
  },
  accessAdvisor: {
    long: 'access-advisor',
    help: 'run IAM Access Advisor jobs',
    negatedHelp: 'skip IAM Access Advisor jobs',
    default: true,
    commands: LIVE_AWS,
  },
  credentialReport: {
    long: 'credential-report',
    help: 'read the IAM credential report',
    negatedHelp: 'skip the IAM credential report',
    default: true,
    commands: LIVE_AWS,
  },

  // What a GCP collection reads.
  project: {
    long: 'project',
    value: '<id>',
    help: 'project id(s), comma-separated or repeated',
    isRepeatable: true,
    env: 'PERMDRIFT_GCP_PROJECT',
    commands: LIVE_GCP,
  },
  folder: {
    long: 'folder',
    value: '<id>',
    help: 'every ACTIVE project below this folder (number), sub-folders included',
    isRepeatable: true,
    env: 'PERMDRIFT_GCP_FOLDER',
    commands: LIVE_GCP,
  },
  organization: {
    long: 'organization',
    value: '<id>',
    help: 'every ACTIVE project of this organization (number)',
    isRepeatable: true,
    env: 'PERMDRIFT_GCP_ORGANIZATION',
    commands: LIVE_GCP,
  },
  impersonateServiceAccount: {
    long: 'impersonate-service-account',
    value: '<email>',
    help: 'run every request as this service account (needs roles/iam.serviceAccountTokenCreator on it)',
    env: 'PERMDRIFT_GCP_IMPERSONATE_SERVICE_ACCOUNT',
    commands: LIVE_GCP,
  },
  auditLogs: {
    long: 'audit-logs',
    value: '<source>',
    help: 'where audit logs come from: api (Logging entries.list), none, or gs://bucket/prefix of a Logging sink export',
    negatedHelp: 'read no audit logs (same as --audit-logs none)',
    default: 'api',
    env: 'PERMDRIFT_GCP_AUDIT_LOGS',
    commands: LIVE_GCP,
  },
  loggingReadsPerMinute: {
    long: 'logging-reads-per-minute',
    value: '<n>',
    help: "Logging entries.list requests a minute: the project's read quota (default 60; raise it for a project with a raised quota)",
    env: 'PERMDRIFT_GCP_LOGGING_READS_PER_MINUTE',
    read: readReadsPerMinute,
    commands: LIVE_GCP,
  },
  activity: {
    long: 'activity',
    help: 'read Policy Analyzer last-authentication activity',
    negatedHelp: 'skip Policy Analyzer last-authentication activity',
    default: true,
    commands: LIVE_GCP,
  },
  groups: {
    long: 'groups',
    help: 'read the members of groups that hold bindings from the Cloud Identity Groups API (gcp/groups.json), so service accounts in them are credited',
    negatedHelp: 'do not read group membership (grants held by groups are then not credited to their members)',
    default: true,
    commands: LIVE_GCP,
  },
  recommenderInsights: {
    long: 'recommender-insights',
    help: 'also read IAM policy insights from the Recommender as evidence of use (needs Security Command Center Premium or Enterprise)',
    default: false,
    env: 'PERMDRIFT_GCP_RECOMMENDER_INSIGHTS',
    commands: LIVE_GCP,
  },
  assetInventory: {
    long: 'asset-inventory',
    help: 'with --folder / --organization: find projects with two Cloud Asset Inventory searches',
    negatedHelp:
      'with --folder / --organization: list every ACTIVE project with resource manager (projects.list and folders.list per folder) instead of two Cloud Asset Inventory searches (projects whose policies bind service accounts, and projects that host service accounts)',
    default: true,
    commands: LIVE_GCP,
  },

  // The time limits of every live call (connectors/shared/call-timeouts.ts).
  connectTimeout: {
    long: 'connect-timeout',
    value: '<duration>',
    help: `longest a connection (TCP and TLS) may take to open, e.g. 5s (default ${formatDuration(d.connectMs)})`,
    env: 'PERMDRIFT_CONNECT_TIMEOUT',
    read: timeLimitReader(MAX_TIMEOUT_MS),
    config: { isReadOnLoad: true },
    commands: LIVE,
  },
  requestTimeout: {
    long: 'request-timeout',
    value: '<duration>',
    help: `longest one attempt of a call may wait for its answer, its connection included, and a download may pause, e.g. 30s (default ${formatDuration(d.requestMs)}); timed-out attempts are retried`,
    env: 'PERMDRIFT_REQUEST_TIMEOUT',
    read: timeLimitReader(MAX_TIMEOUT_MS),
    config: { isReadOnLoad: true },
    commands: LIVE,
  },
  retryBudget: {
    long: 'retry-budget',
    value: '<duration>',
    help: `longest one call may take with its retries and backoff, e.g. 2m (default ${formatDuration(d.budgetMs)}); then it fails, naming the call`,
    env: 'PERMDRIFT_RETRY_BUDGET',
    read: timeLimitReader(MAX_BUDGET_MS),
    config: { isReadOnLoad: true },
    commands: LIVE,
  },

  // The window, on every scan and collection; only the scans take it from the config file.
  asOf: {
    long: 'as-of',
    value: '<time>',
    help: 'end of the window, ISO 8601; no zone = UTC (default: now)',
    env: 'PERMDRIFT_AS_OF',
    // The file is read before the window is known: the time alone is checked there.
    read: asOfReader(0),
    config: { commands: SCANS, isReadOnLoad: true },
    commands: [...SCANS, ...COLLECTS],
  },
  window: {
    long: 'window',
    value: '<duration>',
    help: 'how far back usage counts (and logs are read): Nd or Nh, at most 400d',
    default: '90d',
    env: 'PERMDRIFT_WINDOW',
    read: readWindowValue,
    config: { commands: SCANS, isReadOnLoad: true },
    commands: [...SCANS, ...COLLECTS],
  },

  // The scans: what is judged, the outputs, the gate.
  format: {
    long: 'format',
    value: '<format>',
    // {formats}: the names of REPORT_FORMATS (reporters/index.ts), filled in by cli/flags.ts.
    help: '{formats}; repeatable, one -o each',
    formats: 'report',
    isRepeatable: true,
    env: 'PERMDRIFT_FORMAT',
    config: {},
    commands: SCANS,
  },
  output: {
    long: 'output',
    short: 'o',
    value: '<file>',
    help: 'write to a file (- = stdout); format from the extension; repeatable',
    isRepeatable: true,
    env: 'PERMDRIFT_OUTPUT',
    config: { path: 'output' },
    commands: SCANS,
  },
  principal: {
    long: 'principal',
    value: '<glob>',
    help: 'only principals whose name or ARN matches; repeatable',
    isRepeatable: true,
    env: 'PERMDRIFT_PRINCIPAL',
    config: {},
    commands: SCANS,
  },
  includeServiceLinked: {
    long: 'include-service-linked',
    help: 'also audit service-linked roles (/aws-service-role/) and GCP service agents, which you cannot edit',
    default: false,
    env: 'PERMDRIFT_INCLUDE_SERVICE_LINKED',
    config: {},
    commands: SCANS,
  },
  minCoverage: {
    long: 'min-coverage',
    value: '<percent>',
    help: 'accept logging gaps while this share of the span is observed, e.g. 95%; accepted gaps are listed in the report (default: no gap accepted)',
    env: 'PERMDRIFT_MIN_COVERAGE',
    read: readMinCoverage,
    config: { numbers: 'any' },
    commands: SCANS,
  },
  baseline: {
    long: 'baseline',
    value: '<report.json>',
    help: 'an earlier JSON report: findings are marked new or existing, and gone ones resolved',
    env: 'PERMDRIFT_BASELINE',
    config: { path: 'file' },
    commands: SCANS,
  },
  allowFutureBaseline: {
    long: 'allow-future-baseline',
    help: 'accept a baseline dated after --as-of (refused by default: its first-seen dates would lie in the future)',
    default: false,
    env: 'PERMDRIFT_ALLOW_FUTURE_BASELINE',
    config: {},
    commands: SCANS,
  },
  exceptions: {
    long: 'exceptions',
    value: '<file>',
    help: 'accepted findings with reason, owner and expiry (YAML or JSON)',
    env: 'PERMDRIFT_EXCEPTIONS',
    config: { path: 'file' },
    commands: SCANS,
  },
  failOn: {
    long: 'fail-on',
    value: '<expr>',
    help: 'exit 1 when findings match: never | <severity> | new | new:<severity> | any:<severity>, comma-joined (default: new with --baseline, else never)',
    env: 'PERMDRIFT_FAIL_ON',
    config: {},
    commands: SCANS,
  },
  requireBasis: {
    long: 'require-basis',
    value: '<list>',
    help: '--fail-on fails only findings whose unused claims all rest on these bases: cited (a Google page), observed (the logs read), rule (the verb rule); comma-joined, e.g. cited,observed (GCP; default: any basis)',
    env: 'PERMDRIFT_REQUIRE_BASIS',
    read: readBasisValue,
    config: { isReadOnLoad: true, isListJoined: true },
    commands: SCANS,
  },
  sarifArtifact: {
    long: 'sarif-artifact',
    value: '<path>',
    help: 'repository path every SARIF result is also located in (GitHub code scanning needs one), e.g. the baseline or the IaC file',
    env: 'PERMDRIFT_SARIF_ARTIFACT',
    config: {},
    commands: SCANS,
  },
  policySource: {
    long: 'policy-source',
    value: '<path>',
    help: 'Terraform / CloudFormation / policy JSON files or folders: SARIF results point at the line that grants them; repeatable',
    isRepeatable: true,
    env: 'PERMDRIFT_POLICY_SOURCE',
    config: { path: 'file' },
    commands: SCANS,
  },
  scanConfig: {
    long: 'config',
    value: '<file>',
    help: 'config file (default: permdrift.config.{json,yaml,yml} found upward)',
    env: 'PERMDRIFT_CONFIG',
    commands: SCANS,
  },
  workers: {
    long: 'workers',
    value: '<n>',
    help: 'worker threads for reading logs (default: one per core)',
    env: 'PERMDRIFT_WORKERS',
    read: readWorkers,
    config: { numbers: 'positive-integer' },
    commands: SCANS,
  },
  allowIncomplete: {
    long: 'allow-incomplete',
    help: 'scan a snapshot whose collection did not finish (collect-manifest.json says complete: false); what it had not read in full is reported as coverage gaps',
    default: false,
    env: 'PERMDRIFT_ALLOW_INCOMPLETE',
    config: {},
    commands: SCANS,
  },
  scanQuiet: {
    long: 'quiet',
    short: 'q',
    help: 'only data and errors: no progress, no warnings summary',
    default: false,
    env: 'PERMDRIFT_QUIET',
    config: {},
    commands: SCANS,
  },

  // The collections read only the time limits from the config file.
  collectConfig: {
    long: 'config',
    value: '<file>',
    help: 'config file for the time limits (default: permdrift.config.{json,yaml,yml} found upward)',
    env: 'PERMDRIFT_CONFIG',
    commands: COLLECTS,
  },
  collectQuiet: {
    long: 'quiet',
    short: 'q',
    help: 'no progress and no summary on stderr',
    default: false,
    env: 'PERMDRIFT_QUIET',
    commands: COLLECTS,
  },

  // diff and trend.
  trendQuiet: {
    long: 'quiet',
    short: 'q',
    help: 'no warnings about skipped files',
    default: false,
    commands: ['trend'],
  },
  driftFormat: {
    long: 'format',
    value: '<format>',
    // {formats}: the names of DRIFT_FORMATS (reporters/drift-reporters.ts), filled in by cli/flags.ts.
    help: '{formats}; repeatable, one -o each',
    formats: 'drift',
    isRepeatable: true,
    commands: DRIFTS,
  },
  driftOutput: {
    long: 'output',
    short: 'o',
    value: '<file>',
    help: 'write to a file (- = stdout); format from the extension (.json, .md, .txt)',
    isRepeatable: true,
    commands: DRIFTS,
  },
  ascii: {
    long: 'ascii',
    help: 'sparklines in plain ASCII instead of Unicode blocks',
    negatedHelp: 'sparklines in Unicode blocks (the default)',
    default: false,
    commands: DRIFTS,
  },

  // Every command that writes or fails.
  color: {
    long: 'color',
    help: 'colour in the table when stdout is a terminal (FORCE_COLOR forces it)',
    negatedHelp: 'no colour in the table (also NO_COLOR)',
    default: true,
    config: { commands: SCANS },
    commands: [...SCANS, ...DRIFTS],
  },
  debug: {
    long: 'debug',
    help: 'print stack traces of errors',
    negatedHelp: 'no stack traces (undoes an earlier --debug)',
    default: false,
    commands: [...SCANS, ...COLLECTS, ...DRIFTS],
  },

  // policy aws.
  policyOrg: {
    long: 'org',
    help: 'instead: the policy for the identity that runs --org / --accounts (ListAccounts, AssumeRole into each account)',
    negatedHelp: 'the read-only policy (the default)',
    default: false,
    commands: ['policy aws'],
  },
  policyAssumeRoleName: {
    long: 'assume-role-name',
    value: '<name>',
    help: 'the role --org assumes in each account (one name, no wildcards)',
    default: 'OrganizationAccountAccessRole',
    read: readRoleName,
    commands: ['policy aws'],
  },
  policyCloudtrailS3: {
    long: 'cloudtrail-s3',
    value: '<url>',
    help: 'the trail archive as s3://bucket/prefix (as `collect aws` takes it): the S3 statement is narrowed to it',
    commands: ['policy aws'],
  },

  // init.
  force: {
    long: 'force',
    help: 'overwrite an existing file',
    negatedHelp: 'never overwrite an existing file (the default)',
    default: false,
    commands: ['init'],
  },
  initOutput: {
    long: 'output',
    short: 'o',
    value: '<file>',
    help: 'where to write it',
    default: 'permdrift.config.yaml',
    commands: ['init'],
  },
} as const satisfies Record<string, FlagSpec>;

/** Every flag, in --help order. */
export const FLAG_LIST: readonly FlagSpec[] = Object.values(FLAGS);

/** The config file's keys: the long names of the flags that have one. */
export type ConfigKey = Extract<(typeof FLAGS)[keyof typeof FLAGS], { config: ConfigSpec }>['long'];

/** The flags that have a config key, in table order. */
export const CONFIG_FLAGS = FLAG_LIST.filter((f): f is FlagSpec & { config: ConfigSpec; long: ConfigKey } => f.config !== undefined);
