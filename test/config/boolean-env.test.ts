/** Reading a boolean from the environment or the config file: only real booleans, never "any value = true". */

import { describe, expect, it } from 'vitest';
import { isCiEnv, parseBooleanEnv } from '../../src/cli/boolean-flags.js';
import { parseConfig } from '../../src/config/config-file.js';
import { ConfigError, UsageError } from '../../src/model/errors.js';

describe('parseBooleanEnv', () => {
  it('reads 1/0, true/false, yes/no in any case, around spaces', () => {
    for (const v of ['1', 'true', 'TRUE', 'True', 'yes', 'YES', ' yes ']) expect(parseBooleanEnv('PERMDRIFT_X', v), v).toBe(true);
    for (const v of ['0', 'false', 'FALSE', 'no', 'No', ' 0']) expect(parseBooleanEnv('PERMDRIFT_X', v), v).toBe(false);
  });
  it('treats unset and empty (or blank) as unset', () => {
    expect(parseBooleanEnv('PERMDRIFT_X', undefined)).toBeUndefined();
    expect(parseBooleanEnv('PERMDRIFT_X', '')).toBeUndefined();
    expect(parseBooleanEnv('PERMDRIFT_X', '  ')).toBeUndefined();
  });
  it('refuses anything else with a usage error naming the variable and the value', () => {
    for (const v of ['on', 'off', 'y', 'n', '2', '-1', 'truee', 'enabled']) {
      expect(() => parseBooleanEnv('PERMDRIFT_QUIET', v), v).toThrow(UsageError);
      expect(() => parseBooleanEnv('PERMDRIFT_QUIET', v), v).toThrow(`invalid PERMDRIFT_QUIET "${v}"`);
    }
  });
});

describe('isCiEnv', () => {
  it('CI unset, empty, 0, false or no is not CI; any other value is (CI systems set their own names)', () => {
    for (const v of [undefined, '', '0', 'false', 'False', 'no']) expect(isCiEnv({ ...(v === undefined ? {} : { CI: v }) }), String(v)).toBe(false);
    for (const v of ['1', 'true', 'yes', 'woodpecker']) expect(isCiEnv({ CI: v }), v).toBe(true);
  });
});

describe('config file booleans', () => {
  it('accepts true and false', () => {
    expect(parseConfig('quiet: true\ncolor: false\ninclude-service-linked: false\n', 'c.yaml')).toEqual({
      quiet: true,
      color: false,
      'include-service-linked': false,
    });
  });
  it('refuses a quoted "false", a YAML 1.1 no, or a number, naming the key and what was written', () => {
    const cases: [string, RegExp][] = [
      ['quiet: "false"\n', /c\.yaml: "quiet": must be true or false, not the string "false"/],
      ['quiet: no\n', /"quiet": must be true or false, not the string "no"/],
      ['include-service-linked: 0\n', /"include-service-linked": must be true or false, not the number 0/],
      ['color: [true]\n', /"color": must be true or false/],
    ];
    for (const [text, message] of cases) {
      expect(() => parseConfig(text, 'c.yaml'), text).toThrow(ConfigError);
      expect(() => parseConfig(text, 'c.yaml'), text).toThrow(message);
    }
  });
});
