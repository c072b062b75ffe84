import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findConfigFile, loadConfig, parseConfig, STARTER_CONFIG } from '../../src/config/config-file.js';
import { ConfigError } from '../../src/model/errors.js';

describe('config file', () => {
  it('is found upward from the working directory', () => {
    const root = mkdtempSync(join(tmpdir(), 'permdrift-cfg-'));
    const deep = join(root, 'a', 'b');
    mkdirSync(deep, { recursive: true });
    expect(findConfigFile(deep)).toBeUndefined();
    writeFileSync(join(root, 'permdrift.config.yaml'), 'window: 30d\n');
    expect(findConfigFile(deep)).toBe(join(root, 'permdrift.config.yaml'));
    expect(loadConfig(undefined, deep)?.values).toEqual({ window: '30d' });
  });

  it('reads YAML and JSON, lifts single values to lists, and resolves paths against its own folder', () => {
    const values = parseConfig(
      'format: json\nprincipal: ["ci-*"]\nbaseline: base/report.json\ninclude-service-linked: true\nworkers: 2\n',
      '/etc/pd/permdrift.config.yaml',
    );
    expect(values).toEqual({ format: ['json'], principal: ['ci-*'], baseline: '/etc/pd/base/report.json', 'include-service-linked': true, workers: '2' });
    expect(parseConfig('{"window": "7d", "fail-on": "new:high"}', '/x/permdrift.config.json')).toEqual({ window: '7d', 'fail-on': 'new:high' });
  });

  it('names an unknown key, a wrongly typed value and a syntax error', () => {
    expect(() => parseConfig('windw: 30d\n', 'c.yaml')).toThrow(/c\.yaml: unknown key "windw"/);
    expect(() => parseConfig('quiet: "yes please"\n', 'c.yaml')).toThrow(/c\.yaml: "quiet": /);
    expect(() => parseConfig('window: [30d\n', 'c.yaml')).toThrow(ConfigError);
    expect(() => parseConfig('- a\n- b\n', 'c.yaml')).toThrow(/expected a mapping/);
  });

  it('reads window and as-of as the flags do: the 400-day cap in hours too, no impossible dates', () => {
    const problem = (text: string): ConfigError => {
      try {
        parseConfig(text, 'c.yaml');
      } catch (e) {
        if (e instanceof ConfigError) return e;
        throw e;
      }
      throw new Error(`no error for ${text}`);
    };
    const cap = problem('window: 100000h\n');
    expect(cap.message).toBe(
      'c.yaml: "window": invalid "100000h": 4166.7 days is over the 400-day (9600h) cap: IAM keeps last-used data for 400 days, so no longer window can prove non-use',
    );
    expect(cap.hint).toBe('use window: 400d (9600h) or less');
    expect(problem('window: 0d\n').message).toMatch(/"window": invalid "0d": the window must be at least 1h/);
    expect(problem('window: 1.5d\n').message).toMatch(/"window": invalid "1.5d": the number must be whole/);
    expect(problem('window: 90 days\n').message).toMatch(/"window": invalid "90 days"/);
    expect(problem('as-of: 2026-02-30\n').message).toBe('c.yaml: "as-of": invalid "2026-02-30": day 30 does not exist: February 2026 has 28 days');
    expect(problem('as-of: "2026-10-20T25:00:00Z"\n').message).toMatch(/hour 25 does not exist/);
    expect(parseConfig('window: 9600h\nas-of: "2026-10-20T10:00:00"\n', 'c.yaml')).toEqual({ window: '9600h', 'as-of': '2026-10-20T10:00:00' });
  });

  it('ships a starter file that parses to valid settings', () => {
    expect(parseConfig(STARTER_CONFIG, '/x/permdrift.config.yaml')).toEqual({ window: '90d', 'include-service-linked': false });
  });
});
