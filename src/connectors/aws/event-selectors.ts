/**
 * Reads `aws cloudtrail get-event-selectors` output (basic or advanced selectors) into the coverage the
 * engine reasons with. Semantics:
 * https://docs.aws.amazon.com/awscloudtrail/latest/userguide/logging-management-events-with-cloudtrail.html
 * https://docs.aws.amazon.com/awscloudtrail/latest/userguide/logging-data-events-with-cloudtrail.html
 * https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_AdvancedFieldSelector.html
 */

import { z } from 'zod';
import type { EventSelectorCoverage } from '../../model/aws/activity.js';
import { InputError } from '../../model/errors.js';

const basicSelector = z.object({
  ReadWriteType: z.enum(['ReadOnly', 'WriteOnly', 'All']).optional(),
  IncludeManagementEvents: z.boolean().optional(),
  DataResources: z.array(z.object({ Type: z.string(), Values: z.array(z.string()).optional() })).optional(),
  ExcludeManagementEventSources: z.array(z.string()).optional(),
});

const fieldSelector = z.object({
  Field: z.string(),
  Equals: z.array(z.string()).optional(),
  StartsWith: z.array(z.string()).optional(),
  EndsWith: z.array(z.string()).optional(),
  NotEquals: z.array(z.string()).optional(),
  NotStartsWith: z.array(z.string()).optional(),
  NotEndsWith: z.array(z.string()).optional(),
});

const selectorsFile = z.object({
  TrailARN: z.string().optional(),
  EventSelectors: z.array(basicSelector).optional(),
  AdvancedEventSelectors: z.array(z.object({ Name: z.string().optional(), FieldSelectors: z.array(fieldSelector) })).optional(),
});

type DataEvent = { resourceType: string; read: boolean; write: boolean; isPartial: boolean };

/** Values that select every resource of the type (basic selectors). */
function isAllResources(type: string, values: string[] | undefined): boolean {
  if (!values || values.length === 0) return false;
  return values.some((v) => {
    const lower = v.toLowerCase();
    if (type === 'AWS::S3::Object') return lower === 'arn:aws:s3' || lower === 'arn:aws:s3:::';
    if (type === 'AWS::Lambda::Function') return lower === 'arn:aws:lambda';
    if (type === 'AWS::DynamoDB::Table') return lower === 'arn:aws:dynamodb';
    return /^arn:aws[a-z-]*:[a-z0-9-]+:?$/.test(lower);
  });
}

function mergeDataEvent(list: DataEvent[], next: DataEvent): void {
  const existing = list.find((d) => d.resourceType === next.resourceType);
  if (!existing) {
    list.push({ ...next });
    return;
  }
  // A full selector for a direction wins over a partial one for the same type.
  existing.read ||= next.read;
  existing.write ||= next.write;
  existing.isPartial = existing.isPartial && next.isPartial;
}

function readWrite(values: string[] | undefined): { read: boolean; write: boolean } {
  if (!values || values.length === 0) return { read: true, write: true };
  return { read: values.includes('true'), write: values.includes('false') };
}

export function parseEventSelectors(json: unknown, source: string): EventSelectorCoverage {
  const parsed = selectorsFile.safeParse(json);
  if (!parsed.success || (!parsed.data.EventSelectors && !parsed.data.AdvancedEventSelectors)) {
    throw new InputError(
      `${source} is not \`aws cloudtrail get-event-selectors\` output`,
      'expected an object with EventSelectors or AdvancedEventSelectors; produce it with `aws cloudtrail get-event-selectors --trail-name <trail> > cloudtrail-get-event-selectors.json`',
      { file: source },
    );
  }
  const management = { read: false, write: false, excludedSources: [] as string[] };
  const dataEvents: DataEvent[] = [];

  for (const sel of parsed.data.EventSelectors ?? []) {
    const rw = sel.ReadWriteType ?? 'All';
    const read = rw !== 'WriteOnly';
    const write = rw !== 'ReadOnly';
    if (sel.IncludeManagementEvents ?? true) {
      management.read ||= read;
      management.write ||= write;
      management.excludedSources.push(...(sel.ExcludeManagementEventSources ?? []));
    }
    for (const dr of sel.DataResources ?? []) {
      mergeDataEvent(dataEvents, { resourceType: dr.Type, read, write, isPartial: !isAllResources(dr.Type, dr.Values) });
    }
  }

  for (const sel of parsed.data.AdvancedEventSelectors ?? []) {
    const fields = new Map(sel.FieldSelectors.map((f) => [f.Field, f]));
    const category = fields.get('eventCategory')?.Equals ?? [];
    const rw = readWrite(fields.get('readOnly')?.Equals);
    if (category.includes('Management')) {
      management.read ||= rw.read;
      management.write ||= rw.write;
      management.excludedSources.push(...(fields.get('eventSource')?.NotEquals ?? []));
    }
    if (category.includes('Data')) {
      // Any filter beyond category, type and readOnly narrows what is logged: treat as partial.
      const narrowing = [...fields.keys()].filter((k) => !['eventCategory', 'resources.type', 'readOnly'].includes(k));
      for (const type of fields.get('resources.type')?.Equals ?? []) {
        mergeDataEvent(dataEvents, { resourceType: type, ...rw, isPartial: narrowing.length > 0 });
      }
    }
  }

  dataEvents.sort((a, b) => (a.resourceType < b.resourceType ? -1 : 1));
  management.excludedSources = [...new Set(management.excludedSources)].sort();
  return { kind: 'selectors', source, management, dataEvents };
}
