import { readFileSync } from 'node:fs';
import Ajv2020Module from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { FINDING_TYPES, SEVERITIES, type Report } from '../../src/model/report.js';
import { renderJson } from '../../src/reporters/json.js';
import { UNVERIFIABLE_REASON_LABELS } from '../../src/reporters/unverifiable-reasons.js';
import { REPORT_SCHEMA_URL, validateReport } from '../../src/model/validate-report.js';
import { baselineWithExceptions } from './fixtures/baseline-with-exceptions.js';
import { twoAccountsPartialCoverage } from './fixtures/two-accounts-partial-coverage.js';

// CommonJS interop, as in validate-report.ts.
type Ajv2020Class = typeof Ajv2020Module.default;
type AddFormats = typeof addFormatsModule.default;
const Ajv2020 = (Ajv2020Module as unknown as { default?: Ajv2020Class }).default ?? (Ajv2020Module as unknown as Ajv2020Class);
const addFormats = (addFormatsModule as unknown as { default?: AddFormats }).default ?? (addFormatsModule as unknown as AddFormats);

interface SchemaShape {
  $defs: Record<string, { enum?: unknown[] }>;
}
const schema = JSON.parse(readFileSync(REPORT_SCHEMA_URL, 'utf8')) as SchemaShape;

/** A fresh, mutable copy of the fixture as plain JSON, the way a baseline file arrives. */
function reportJson(): Record<string, unknown> & { findings: Record<string, unknown>[] } {
  return JSON.parse(renderJson(twoAccountsPartialCoverage())) as Record<string, unknown> & {
    findings: Record<string, unknown>[];
  };
}

describe('report JSON Schema', () => {
  it('compiles under ajv strict mode with formats', () => {
    const ajv = new Ajv2020({ strict: true, allErrors: true });
    addFormats(ajv);
    const validate = ajv.compile(schema);
    expect(validate(reportJson())).toBe(true);
    expect(validate.errors ?? null).toBeNull();
  });

  it('accepts the full, realistic report', () => {
    expect(validateReport(reportJson())).toEqual({ isValid: true, errors: [] });
  });

  it('lists the same finding types and severities as the model', () => {
    expect(schema.$defs['findingType']?.enum).toEqual([...FINDING_TYPES]);
    expect(schema.$defs['severity']?.enum).toEqual([...SEVERITIES]);
  });

  it('lists the same unverifiable reason codes as the model (through the typed label map)', () => {
    expect(schema.$defs['unverifiableReason']?.enum).toEqual(Object.keys(UNVERIFIABLE_REASON_LABELS));
  });

  it('accepts a report with no findings and no coverage', () => {
    const report: Report = { ...twoAccountsPartialCoverage(), coverage: [], findings: [], warnings: [] };
    expect(validateReport(JSON.parse(renderJson(report))).isValid).toBe(true);
  });

  it('rejects another schemaVersion with one clear message', () => {
    const result = validateReport({ ...reportJson(), schemaVersion: 3 });
    expect(result.isValid).toBe(false);
    expect(result.errors).toEqual(['/schemaVersion is 3; this version of permdrift reads schemaVersion 1 and 2']);
  });

  it('reads a schemaVersion 1 report back (before logging-gap and event-time-unknown)', () => {
    expect(validateReport({ ...reportJson(), schemaVersion: 1 })).toEqual({ isValid: true, errors: [] });
  });

  it('rejects a schemaVersion that is not the number 1 or 2', () => {
    const result = validateReport({ ...reportJson(), schemaVersion: '2' });
    expect(result.isValid).toBe(false);
    expect(result.errors).toContain('/schemaVersion must be one of: 1, 2');
  });

  it('rejects a finding without an id', () => {
    const report = reportJson();
    delete report.findings[0]?.['id'];
    const result = validateReport(report);
    expect(result.isValid).toBe(false);
    expect(result.errors).toEqual(["/findings/0 must have required property 'id'"]);
  });

  it('rejects an unknown finding type', () => {
    const report = reportJson();
    const finding = report.findings[1];
    if (finding === undefined) throw new Error('fixture has too few findings');
    finding['type'] = 'excessive-trust';
    const result = validateReport(report);
    expect(result.isValid).toBe(false);
    expect(result.errors.some((e) => e.startsWith('/findings/1/type must be one of: dormant-principal'))).toBe(true);
  });

  it('rejects an unknown property where the shape is closed', () => {
    const report = reportJson();
    const finding = report.findings[0];
    if (finding === undefined) throw new Error('fixture has no findings');
    finding['score'] = 7;
    expect(validateReport(report).errors).toEqual(["/findings/0 has unknown property 'score'"]);
  });

  it('rejects a date that is not an RFC 3339 date-time', () => {
    expect(validateReport({ ...reportJson(), asOf: '30/06/2024' }).errors).toEqual(['/asOf must match format "date-time"']);
  });

  it('rejects an unknown unverifiable reason code', () => {
    const report = reportJson();
    const unverifiable = report.findings.find((f) => f['type'] === 'unverifiable-permission') as
      { permissions: { unverifiable: { reason: string } }[] } | undefined;
    const permission = unverifiable?.permissions[0];
    if (permission === undefined) throw new Error('fixture has no unverifiable permission');
    permission.unverifiable.reason = 'too-hard';
    const result = validateReport(report);
    expect(result.isValid).toBe(false);
    expect(result.errors.join('\n')).toContain('/unverifiable/reason must be one of: data-events-not-logged');
  });

  it('requires the reason on every permission of an unverifiable-permission finding', () => {
    const report = reportJson();
    const index = report.findings.findIndex((f) => f['type'] === 'unverifiable-permission');
    const permissions = report.findings[index]?.['permissions'] as Record<string, unknown>[];
    delete permissions[0]?.['unverifiable'];
    expect(validateReport(report).errors).toEqual([`/findings/${index}/permissions/0 must have required property 'unverifiable'`]);
  });

  it('requires a service on per-service findings but not on dormant principals', () => {
    const report = reportJson();
    const serviceIndex = report.findings.findIndex((f) => f['type'] === 'unused-service');
    delete report.findings[serviceIndex]?.['service'];
    expect(validateReport(report).errors).toEqual([`/findings/${serviceIndex} must have required property 'service'`]);

    const dormant = reportJson();
    const dormantFinding = dormant.findings.find((f) => f['type'] === 'dormant-principal');
    expect(dormantFinding?.['service']).toBeUndefined();
    expect(validateReport(dormant).isValid).toBe(true);
  });

  it('rejects a principal kind and a provenance outside the enums', () => {
    const report = reportJson();
    const finding = report.findings[0] as { principal: { kind: string }; permissions: { provenance: string }[] };
    finding.principal.kind = 'group';
    const permission = finding.permissions[0];
    if (permission === undefined) throw new Error('fixture finding has no permission');
    permission.provenance = 'both';
    const errors = validateReport(report).errors;
    expect(errors).toContain('/findings/0/principal/kind must be one of: role, user, service-account');
    expect(errors).toContain('/findings/0/permissions/0/provenance must be one of: direct, inherited');
  });

  it('rejects values that are not reports at all', () => {
    expect(validateReport(null).isValid).toBe(false);
    expect(validateReport([]).isValid).toBe(false);
    expect(validateReport('{"schemaVersion":1}').isValid).toBe(false);
  });
});

/** The baseline fixture as plain JSON, with the comparison's sections typed loosely for mutation. */
function comparedJson(): Record<string, unknown> & {
  findings: Record<string, unknown>[];
  baseline: { resolved: Record<string, unknown>[] } & Record<string, unknown>;
  exceptions: { entries: Record<string, unknown>[] } & Record<string, unknown>;
} {
  return JSON.parse(renderJson(baselineWithExceptions())) as ReturnType<typeof comparedJson>;
}

function findingWithException(report: ReturnType<typeof comparedJson>): { index: number; exception: Record<string, unknown> } {
  const index = report.findings.findIndex((f) => f['exception'] !== undefined);
  const exception = report.findings[index]?.['exception'] as Record<string, unknown> | undefined;
  if (exception === undefined) throw new Error('fixture has no excepted finding');
  return { index, exception };
}

describe('report JSON Schema: baseline and exceptions (additive, schemaVersion 1)', () => {
  it('accepts a report with a baseline section, resolved findings and excepted findings', () => {
    const report = comparedJson();
    expect(report.baseline.resolved.length).toBe(2);
    expect(report.findings.filter((f) => f['exception'] !== undefined).length).toBe(3);
    expect(validateReport(report)).toEqual({ isValid: true, errors: [] });
  });

  it('still accepts a report without them: every new field is optional', () => {
    const report = comparedJson();
    delete report['baseline' as keyof typeof report];
    delete report['exceptions' as keyof typeof report];
    for (const f of report.findings) {
      delete f['firstSeen'];
      delete f['baselineStatus'];
      delete f['exception'];
    }
    expect(validateReport(report)).toEqual({ isValid: true, errors: [] });
  });

  it('rejects a baselineStatus outside new / existing', () => {
    const report = comparedJson();
    const finding = report.findings[2];
    if (finding === undefined) throw new Error('fixture has too few findings');
    finding['baselineStatus'] = 'unchanged';
    expect(validateReport(report).errors).toEqual(['/findings/2/baselineStatus must be one of: new, existing']);
  });

  it('rejects an exception state outside active / expired on a finding', () => {
    const report = comparedJson();
    const { index, exception } = findingWithException(report);
    exception['state'] = 'expiring-soon';
    expect(validateReport(report).errors).toEqual([`/findings/${index}/exception/state must be one of: active, expired`]);
  });

  it('rejects an exception without a reason, and an expiry that is not a calendar day', () => {
    const report = comparedJson();
    const { index, exception } = findingWithException(report);
    delete exception['reason'];
    exception['expires'] = '10/07/2024';
    const errors = validateReport(report).errors;
    expect(errors).toContain(`/findings/${index}/exception must have required property 'reason'`);
    expect(errors).toContain(`/findings/${index}/exception/expires must match format "date"`);
  });

  it('rejects an unknown exceptions-file entry state and a negative count', () => {
    const report = comparedJson();
    const entry = report.exceptions.entries[0];
    if (entry === undefined) throw new Error('fixture has no exception entries');
    entry['state'] = 'paused';
    report.exceptions['stale'] = -1;
    const errors = validateReport(report).errors;
    expect(errors).toContain('/exceptions/entries/0/state must be one of: active, expiring-soon, expired');
    expect(errors).toContain('/exceptions/stale must be >= 0');
  });

  it('rejects a resolved finding without the day it first appeared, and unknown keys in the baseline', () => {
    const report = comparedJson();
    delete report.baseline.resolved[0]?.['firstSeen'];
    report.baseline['path'] = 'x';
    const errors = validateReport(report).errors;
    expect(errors).toContain("/baseline/resolved/0 must have required property 'firstSeen'");
    expect(errors).toContain("/baseline has unknown property 'path'");
  });

  it('rejects a firstSeen that is not a date-time', () => {
    const report = comparedJson();
    const finding = report.findings[0];
    if (finding === undefined) throw new Error('fixture has no findings');
    finding['firstSeen'] = '2024-06-30';
    expect(validateReport(report).errors).toEqual(['/findings/0/firstSeen must match format "date-time"']);
  });
});
