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
    const values = parseConfig('format: json\nprincipal: ["ci-*"]\nbaseline: base/report.json\ninclude-service-linked: true\nworkers: 2\n', '/etc/pd/permdrift.config.yaml');
    expect(values).toEqual({ format: ['json'], principal: ['ci-*'], baseline: '/etc/pd/base/report.json', 'include-service-linked': true, workers: '2' });
    expect(parseConfig('{"window": "7d", "fail-on": "new:high"}', '/x/permdrift.config.json')).toEqual({ window: '7d', 'fail-on': 'new:high' });
  });

  it('names an unknown key, a wrongly typed value and a syntax error', () => {
    expect(() => parseConfig('windw: 30d\n', 'c.yaml')).toThrow(/c\.yaml: unknown key "windw"/);
    expect(() => parseConfig('quiet: "yes please"\n', 'c.yaml')).toThrow(/c\.yaml: "quiet": /);
    expect(() => parseConfig('window: [30d\n', 'c.yaml')).toThrow(ConfigError);
    expect(() => parseConfig('- a\n- b\n', 'c.yaml')).toThrow(/expected a mapping/);
  });

  it('ships a starter file that parses to valid settings', () => {
    expect(parseConfig(STARTER_CONFIG, '/x/permdrift.config.yaml')).toEqual({ window: '90d', 'include-service-linked': false });
  });
});
