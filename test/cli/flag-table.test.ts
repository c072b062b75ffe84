/**
 * The flag table (src/config/flag-table.ts) against what is built from it: each command's options,
 * the config file's keys, the PERMDRIFT_* variables read from the injected environment, the
 * precedence flag > variable > config file > default for every flag, and the same reading of a bad
 * value whichever way it came.
 */

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { PassThrough } from 'node:stream';
import { Command, Option } from 'commander';
import { describe, expect, it } from 'vitest';
import { applyEnv, addFlags, helpOf, withConfig } from '../../src/cli/flags.js';
import { createProgram, run } from '../../src/cli/main.js';
import type { CommandContext } from '../../src/cli/context.js';
import { parseConfig } from '../../src/config/config-file.js';
import { FLAG_LIST, FLAGS, isSwitch, type CommandId, type FlagSpec } from '../../src/config/flag-table.js';
import { CLOUDTRAIL_SOURCES } from '../../src/connectors/aws/live/collect.js';
import type { Report } from '../../src/model/report.js';
import { DRIFT_FORMATS } from '../../src/reporters/drift-reporters.js';
import { REPORT_FORMATS } from '../../src/reporters/index.js';

function sink(): PassThrough & { text: () => string } {
  const s = new PassThrough() as PassThrough & { text: () => string };
  let out = '';
  s.on('data', (d: Buffer) => (out += d.toString()));
  s.text = () => out;
  return s;
}

const ctx: CommandContext = { io: { stdout: sink(), stderr: sink(), env: {} }, now: () => new Date(), setExitCode: () => undefined, setDebug: () => undefined };

/** Every command that runs something, by its words after `permdrift`. */
function leafCommands(): Map<string, Command> {
  const out = new Map<string, Command>();
  const walk = (cmd: Command, path: string[]): void => {
    for (const sub of cmd.commands) {
      const words = [...path, sub.name()];
      if (sub.commands.length === 0) out.set(words.join(' '), sub);
      else walk(sub, words);
    }
  };
  walk(createProgram(ctx), []);
  return out;
}

const COMMANDS = leafCommands();
const COMMAND_IDS = [...new Set(FLAG_LIST.flatMap((f) => f.commands))];

/** The option names a flag adds: `--x`, and `--no-x` for a switch or a value that can be turned off. */
function namesOf(spec: FlagSpec): string[] {
  return isSwitch(spec) || spec.negatedHelp !== undefined ? [`--${spec.long}`, `--no-${spec.long}`] : [`--${spec.long}`];
}

const attributeOf = (spec: FlagSpec): string => new Option(`--${spec.long}`).attributeName();

describe('the flag table and the commands', () => {
  it('names only commands that exist', () => {
    for (const id of COMMAND_IDS) expect(COMMANDS.has(id), id).toBe(true);
    expect(COMMAND_IDS.length).toBe(11);
  });

  it('every command has exactly the options of its flags in the table, in table order', () => {
    for (const [id, cmd] of COMMANDS) {
      const expected = FLAG_LIST.filter((f) => f.commands.includes(id as CommandId)).flatMap(namesOf);
      const actual = cmd.options.map((o) => o.long ?? '').filter((l) => l !== '--help');
      expect(actual, id).toEqual(expected);
    }
    // The command without options stays without.
    expect(COMMANDS.get('policy gcp')?.options.filter((o) => o.long !== '--help')).toEqual([]);
  });

  it('registers each flag with its short name, value, default, choices and whether it is required', () => {
    for (const spec of FLAG_LIST) {
      for (const id of spec.commands) {
        const option = COMMANDS.get(id)?.options.find((o) => o.long === `--${spec.long}`);
        expect(option, `${id} --${spec.long}`).toBeDefined();
        if (!option) continue;
        expect(option.short, `${id} --${spec.long}`).toBe(spec.short ? `-${spec.short}` : undefined);
        if (isSwitch(spec)) {
          expect(option.isBoolean()).toBe(true);
          expect(option.defaultValue).toBe(spec.default);
          continue;
        }
        expect(option.flags.endsWith(` ${spec.value}`), option.flags).toBe(true);
        expect(option.defaultValue).toEqual(spec.isRepeatable ? [] : spec.default);
        expect(option.mandatory).toBe(spec.isRequired === true);
        expect(option.argChoices).toEqual(spec.choices);
      }
    }
  });

  it('declares a long name at most once per command, and a variable for one long name only', () => {
    for (const id of COMMAND_IDS) {
      const longs = FLAG_LIST.filter((f) => f.commands.includes(id)).map((f) => f.long);
      expect(new Set(longs).size, id).toBe(longs.length);
    }
    const longOfEnv = new Map<string, string>();
    for (const spec of FLAG_LIST) {
      if (spec.env === undefined) continue;
      expect(spec.env).toMatch(/^PERMDRIFT_[A-Z0-9_]+$/);
      expect(longOfEnv.get(spec.env) ?? spec.long, spec.env).toBe(spec.long);
      longOfEnv.set(spec.env, spec.long);
    }
  });

  it('--help names the variable of each option that has one, and no other', () => {
    for (const [id, cmd] of COMMANDS) {
      const help = cmd.createHelp();
      for (const option of cmd.options) {
        const spec = FLAG_LIST.find((f) => f.commands.includes(id as CommandId) && `--${f.long}` === option.long && !option.negate);
        const text = help.optionDescription(option);
        if (spec?.env) expect(text, `${id} ${option.flags}`).toMatch(new RegExp(`[(, ]env: ${spec.env}\\)$`));
        else expect(text, `${id} ${option.flags}`).not.toContain('env:');
      }
    }
  });

  it('its literals are the names they stand for: the report formats, the drift formats, the CloudTrail sources', () => {
    expect(helpOf(FLAGS.format).startsWith(`${REPORT_FORMATS.map((f) => f.name).join(' | ')};`)).toBe(true);
    expect(helpOf(FLAGS.driftFormat).startsWith(`${DRIFT_FORMATS.map((f) => f.name).join(' | ')};`)).toBe(true);
    expect(helpOf(FLAGS.format)).toBe('table | json | sarif | markdown | csv; repeatable, one -o each');
    expect([...FLAGS.cloudtrailSource.choices]).toEqual([...CLOUDTRAIL_SOURCES]);
  });
});

describe('the config keys and the flags', () => {
  const configFlags = FLAG_LIST.filter((f) => f.config !== undefined);

  it('every config key is the long name of a flag with a config key, and every such flag is a key', () => {
    let hint = '';
    try {
      parseConfig('no-such-key: 1\n', 'c.yaml');
    } catch (err) {
      hint = (err as { hint?: string }).hint ?? '';
    }
    const keys = hint.replace(/^allowed keys: /, '').split(', ');
    expect(keys.length).toBeGreaterThan(10);
    expect(keys).toEqual(configFlags.map((f) => f.long));
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('a config key applies only on commands its flag is on', () => {
    for (const spec of configFlags) for (const id of spec.config?.commands ?? []) expect(spec.commands, spec.long).toContain(id);
  });

  it('every flag of `scan files` has a config key, except --config and --debug', () => {
    const without = FLAG_LIST.filter((f) => f.commands.includes('scan files') && f.config === undefined).map((f) => f.long);
    expect(without).toEqual(['config', 'debug']);
  });
});

/** Three distinct valid values for a value flag: for the config file, the variable and the flag. */
function samples(spec: FlagSpec): [string, string, string] {
  switch (spec.long) {
    case 'window':
      return ['14d', '30d', '7d'];
    case 'as-of':
      return ['2026-01-01', '2026-02-01', '2026-03-01'];
    case 'connect-timeout':
    case 'request-timeout':
    case 'retry-budget':
      return ['1s', '2s', '3s'];
    case 'cloudtrail-source':
      return ['s3', 'lookup-events', 'none'];
    case 'require-basis':
      return ['cited', 'observed', 'rule'];
    default:
      return [`c-${spec.long}`, `e-${spec.long}`, `f-${spec.long}`];
  }
}

/** Parses `argv` for `id` as the CLI does (options from the table, variables from `env`, then the config file); the flags the action sees. */
async function parseAs(id: CommandId, argv: string[], env: NodeJS.ProcessEnv, cwd: string): Promise<Record<string, unknown>> {
  let seen: Record<string, unknown> = {};
  const program = new Command()
    .exitOverride()
    .configureOutput({ writeOut: () => undefined, writeErr: () => undefined })
    .hook('preAction', (_p, action) => applyEnv(action, env));
  const hasConfigFile = FLAG_LIST.some((f) => f.long === 'config' && f.commands.includes(id));
  addFlags(program.command('x'), id).action((flags: Record<string, unknown>, cmd: Command) => {
    seen = hasConfigFile ? withConfig(flags as { config?: string }, cmd, cwd) : flags;
  });
  const required = id.startsWith('collect') ? ['-o', 'out'] : [];
  await program.parseAsync(['x', ...required, ...argv], { from: 'user' });
  return seen;
}

describe('precedence: flag > variable > config file > default, for every flag on every command', () => {
  // The working directory holds no config file (none is found upward); --config names one elsewhere.
  const cwd = mkdtempSync(join(tmpdir(), 'permdrift-flag-table-'));
  const dir = mkdtempSync(join(tmpdir(), 'permdrift-flag-table-config-'));
  const configPath = join(dir, 'permdrift.config.yaml');

  for (const id of [
    'scan files',
    'demo',
    'baseline update',
    'scan aws',
    'scan gcp',
    'collect aws',
    'collect gcp',
    'diff',
    'trend',
    'init',
    'policy aws',
  ] as const) {
    it(id, async () => {
      const hasConfigFlag = FLAG_LIST.some((f) => f.long === 'config' && f.commands.includes(id));
      for (const spec of FLAG_LIST.filter((f) => f.commands.includes(id))) {
        if (spec.long === 'config' || (!isSwitch(spec) && spec.isRequired)) continue;
        const attr = attributeOf(spec);
        const isConfigured = spec.config !== undefined && (spec.config.commands ?? spec.commands).includes(id);
        const label = `${id} --${spec.long}`;
        // [default, config, variable, flag], each differing from the one before.
        let values: [unknown, unknown, unknown, unknown];
        let yaml: string;
        let envText: string;
        let argv: string[];
        if (isSwitch(spec)) {
          values = [spec.default, !spec.default, spec.default, !spec.default];
          yaml = `${spec.long}: ${String(!spec.default)}\n`;
          envText = spec.default ? '1' : '0';
          argv = [spec.default ? `--no-${spec.long}` : `--${spec.long}`];
        } else {
          const [c, e, f] = samples(spec);
          const place = (v: string): string => (spec.config?.path ? resolve(dir, v) : v);
          values = spec.isRepeatable ? [[], [place(c)], [e, `${e}2`], [f]] : [spec.default, place(c), e, f];
          yaml = `${spec.long}: ${JSON.stringify(spec.isRepeatable ? [c] : c)}\n`;
          envText = spec.isRepeatable ? `${e},${e}2` : e;
          argv = [`--${spec.long}`, f];
        }
        // A key only for a flag that has one (any other is an unknown key).
        writeFileSync(configPath, spec.config ? yaml : '');
        const withFile = hasConfigFlag ? ['--config', configPath] : [];
        const env = spec.env ? { [spec.env]: envText } : {};

        expect((await parseAs(id, [], {}, cwd))[attr], `${label}: default`).toEqual(values[0]);
        if (hasConfigFlag) {
          // A key the command does not take from the file leaves the default.
          expect((await parseAs(id, withFile, {}, cwd))[attr], `${label}: config`).toEqual(isConfigured ? values[1] : values[0]);
        }
        if (spec.env) expect((await parseAs(id, withFile, env, cwd))[attr], `${label}: variable`).toEqual(values[2]);
        expect((await parseAs(id, [...withFile, ...argv], env, cwd))[attr], `${label}: flag`).toEqual(values[3]);
      }
    });
  }
});

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

async function permdrift(args: string[], env: NodeJS.ProcessEnv = {}, cwd?: string): Promise<Run> {
  const stdout = sink();
  const stderr = sink();
  const code = await run(args, { stdout, stderr, env: { NO_COLOR: '1', CI: 'true', ...env }, ...(cwd ? { cwd } : {}) });
  return { code, stdout: stdout.text(), stderr: stderr.text() };
}

describe('variables come from the injected environment', () => {
  it('a variable in io.env is read, and one only in process.env is not', async () => {
    const saved = process.env['PERMDRIFT_WINDOW'];
    // Would fail the run if it were read.
    process.env['PERMDRIFT_WINDOW'] = '9999d';
    try {
      const injected = await permdrift(['demo', '--format', 'json'], { PERMDRIFT_WINDOW: '30d' });
      expect(injected.code).toBe(0);
      expect((JSON.parse(injected.stdout) as Report).window.days).toBe(30);
      const notInjected = await permdrift(['demo', '--format', 'json']);
      expect(notInjected.code).toBe(0);
      expect((JSON.parse(notInjected.stdout) as Report).window.days).toBe(90);
    } finally {
      if (saved === undefined) delete process.env['PERMDRIFT_WINDOW'];
      else process.env['PERMDRIFT_WINDOW'] = saved;
    }
  });

  it('a variable outside the choices is refused with commander’s message, naming the variable', async () => {
    const r = await permdrift(['collect', 'aws', '-o', 'out'], { PERMDRIFT_CLOUDTRAIL_SOURCE: 'bogus' });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      "error: option '--cloudtrail-source <source>' value 'bogus' from env 'PERMDRIFT_CLOUDTRAIL_SOURCE' is invalid. Allowed choices are auto, s3, lookup-events, none.\n(run with --help for usage)\n",
    );
  });

  it('an empty value variable is a value (as commander read it); an empty switch variable is unset', async () => {
    const window = await permdrift(['demo'], { PERMDRIFT_WINDOW: '' });
    expect(window.code).toBe(2);
    expect(window.stderr).toMatch(/^error: invalid --window "": /);
    const quiet = await permdrift(['demo', '--format', 'json', '--window', '7d'], { PERMDRIFT_QUIET: '' });
    expect(quiet.code).toBe(0);
  });
});

describe('a bad value reads the same from the flag, its variable and the config file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'permdrift-flag-values-'));
  const cases: { command: string[]; long: string; env: string; bad: string; isReadOnLoad: boolean }[] = [
    { command: ['demo'], long: 'window', env: 'PERMDRIFT_WINDOW', bad: '500d', isReadOnLoad: true },
    { command: ['demo'], long: 'window', env: 'PERMDRIFT_WINDOW', bad: '1.5d', isReadOnLoad: true },
    { command: ['demo'], long: 'as-of', env: 'PERMDRIFT_AS_OF', bad: '2026-02-30', isReadOnLoad: true },
    { command: ['demo'], long: 'as-of', env: 'PERMDRIFT_AS_OF', bad: '1969-12-31', isReadOnLoad: true },
    { command: ['collect', 'aws', '-o', 'out'], long: 'connect-timeout', env: 'PERMDRIFT_CONNECT_TIMEOUT', bad: '5', isReadOnLoad: true },
    { command: ['collect', 'gcp', '-o', 'out'], long: 'request-timeout', env: 'PERMDRIFT_REQUEST_TIMEOUT', bad: '0s', isReadOnLoad: true },
    { command: ['scan', 'aws'], long: 'retry-budget', env: 'PERMDRIFT_RETRY_BUDGET', bad: '30h', isReadOnLoad: true },
    { command: ['demo'], long: 'min-coverage', env: 'PERMDRIFT_MIN_COVERAGE', bad: '200%', isReadOnLoad: false },
    { command: ['demo'], long: 'workers', env: 'PERMDRIFT_WORKERS', bad: '0.5', isReadOnLoad: false },
  ];
  for (const c of cases) {
    it(`--${c.long} "${c.bad}" on ${c.command.slice(0, 2).join(' ')}`, async () => {
      const flag = await permdrift([...c.command, `--${c.long}`, c.bad]);
      const env = await permdrift(c.command, { [c.env]: c.bad });
      expect(flag.code).toBe(2);
      expect(flag.stderr).toMatch(new RegExp(`^error: invalid --${c.long} "${c.bad.replace('.', '\\.')}"`));
      expect(env).toEqual(flag);

      const path = join(dir, `${c.long}.yaml`);
      writeFileSync(path, `${c.long}: ${JSON.stringify(c.bad)}\n`);
      const config = await permdrift([...c.command, '--config', path]);
      expect(config.code).toBe(2);
      if (!c.isReadOnLoad) {
        // Read when the command uses it: the message names the flag, as for the flag itself.
        expect(config).toEqual(flag);
        return;
      }
      // Read with the file: the message names the file and the key, with the same problem.
      const problem = /^error: invalid --[\w-]+ "[^"]*": (.*)$/m.exec(flag.stderr)?.[1];
      expect(problem).toBeDefined();
      expect(config.stderr.split('\n')[0]).toBe(`error: ${path}: "${c.long}": invalid "${c.bad}": ${problem}`);
      expect(config.stderr).toMatch(new RegExp(`^hint: .*${c.long}:`, 'm'));
    });
  }
});
