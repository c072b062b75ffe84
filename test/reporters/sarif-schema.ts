/**
 * The official SARIF 2.1.0 schema (OASIS Errata 01, vendored unmodified in schema/), compiled once
 * for the tests. It is written in draft-04, whose only keyword this schema uses with another
 * spelling in draft-07 is `id` (`$id` since draft-06); ajv's default class is draft-07.
 */

import { readFileSync } from 'node:fs';
import AjvModule from 'ajv';
import type { ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';

// CommonJS interop, as in src/model/validate-report.ts.
type AjvClass = typeof AjvModule.default;
type AddFormats = typeof addFormatsModule.default;
const Ajv = (AjvModule as unknown as { default?: AjvClass }).default ?? (AjvModule as unknown as AjvClass);
const addFormats = (addFormatsModule as unknown as { default?: AddFormats }).default ?? (addFormatsModule as unknown as AddFormats);

export const SARIF_SCHEMA_FILE = new URL('../../schema/sarif-schema-2.1.0.json', import.meta.url);

let compiled: ValidateFunction | undefined;

function sarifValidator(): ValidateFunction {
  if (compiled === undefined) {
    const raw = JSON.parse(readFileSync(SARIF_SCHEMA_FILE, 'utf8')) as Record<string, unknown>;
    const { id, $schema: _draft04, ...rest } = raw;
    if (typeof id !== 'string' || !id.includes('/sarif/v2.1.0/')) throw new Error('schema/sarif-schema-2.1.0.json is not the SARIF 2.1.0 schema');
    const schema = { $schema: 'http://json-schema.org/draft-07/schema#', $id: id, ...rest };
    // Strict, except for one lint of the schema's own text: its `anyOf` branches name required
    // properties defined beside them, not inside them, which is valid JSON Schema.
    const ajv = new Ajv({ allErrors: true, strict: true, strictRequired: false });
    addFormats(ajv);
    compiled = ajv.compile(schema);
  }
  return compiled;
}

/** `<instancePath> <message>` per error, empty when valid. */
export function sarifErrors(value: unknown): string[] {
  const validate = sarifValidator();
  if (validate(value)) return [];
  return (validate.errors ?? []).map((e) => `${e.instancePath === '' ? '/' : e.instancePath} ${e.message ?? 'is invalid'}`);
}
