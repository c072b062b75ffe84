import { readFileSync } from 'node:fs';
import Ajv2020Module from 'ajv/dist/2020.js';
import type { ErrorObject, ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { READABLE_SCHEMA_VERSIONS } from './report.js';

export interface ReportValidation {
  isValid: boolean;
  /** One line per problem: `<JSON pointer> <message>`; empty when valid. */
  errors: string[];
}

// ajv and ajv-formats are CommonJS: under NodeNext the default import is `module.exports`, which is
// the class / plugin itself at runtime, while the typings describe it as `{ default: … }`. Accept both.
type Ajv2020Class = typeof Ajv2020Module.default;
type AddFormats = typeof addFormatsModule.default;
const Ajv2020 = (Ajv2020Module as unknown as { default?: Ajv2020Class }).default ?? (Ajv2020Module as unknown as Ajv2020Class);
const addFormats = (addFormatsModule as unknown as { default?: AddFormats }).default ?? (addFormatsModule as unknown as AddFormats);

/** src/reporters and dist/reporters both sit two levels under the package root, beside schema/. */
export const REPORT_SCHEMA_URL = new URL('../../schema/report.schema.json', import.meta.url);

let compiled: ValidateFunction | undefined;

function validator(): ValidateFunction {
  // Compiled lazily and once: most runs never read a baseline, and compiling costs a few ms.
  if (compiled === undefined) {
    const schema: unknown = JSON.parse(readFileSync(REPORT_SCHEMA_URL, 'utf8'));
    const ajv = new Ajv2020({ allErrors: true, strict: true });
    addFormats(ajv);
    compiled = ajv.compile(schema as object);
  }
  return compiled;
}

function describe(error: ErrorObject): string {
  const where = error.instancePath === '' ? '/' : error.instancePath;
  const params = error.params as Record<string, unknown>;
  if (error.keyword === 'additionalProperties' && typeof params['additionalProperty'] === 'string') {
    return `${where} has unknown property '${params['additionalProperty']}'`;
  }
  if (error.keyword === 'enum' && Array.isArray(params['allowedValues'])) {
    return `${where} must be one of: ${params['allowedValues'].map(String).join(', ')}`;
  }
  if (error.keyword === 'const' && 'allowedValue' in params) {
    return `${where} must be ${JSON.stringify(params['allowedValue'])}`;
  }
  return `${where} ${error.message ?? 'is invalid'}`;
}

/** Checks that a value (typically a parsed baseline file) is a permdrift report this version can read. */
export function validateReport(value: unknown): ReportValidation {
  // A report from another schema version fails on almost every field; one clear line beats fifty.
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    const version = (value as Record<string, unknown>)['schemaVersion'];
    if (typeof version === 'number' && !READABLE_SCHEMA_VERSIONS.includes(version)) {
      return {
        isValid: false,
        errors: [`/schemaVersion is ${version}; this version of permdrift reads schemaVersion ${READABLE_SCHEMA_VERSIONS.join(' and ')}`],
      };
    }
  }
  const validate = validator();
  if (validate(value)) return { isValid: true, errors: [] };
  // `if`/`then` failures repeat what the nested errors already say.
  const errors = (validate.errors ?? []).filter((e) => e.keyword !== 'if').map(describe);
  return { isValid: false, errors: [...new Set(errors)] };
}
