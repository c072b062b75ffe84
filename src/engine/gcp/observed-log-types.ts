/**
 * The log-type table (permission-log-type.ts) with what the project's own audit logs say: each
 * entry's `authorizationInfo[].permissionType` names the type of the permission it checked
 * (model/gcp/activity.ts, GcpPermissionTypeAggregate), for any principal. One more source, with
 * basis `observed`:
 *
 *   table has no entry, logs show one type T        → T, basis `observed`
 *   table has a type (cited or rule), logs agree    → the table's entry, basis kept (`observedChecks` set)
 *   table has a type, logs show another one         → `unknown`: the sources disagree (note names both)
 *   table says NOT_LOGGED, logs show a type         → `unknown`: it is checked in some logged call, and
 *                                                     its own may still write nothing
 *   logs show several types for the permission      → `unknown` (note names them)
 *   table has an explicit `unknown` entry (sources
 *   already disagree, or checked only inside other
 *   calls) or a type this module does not know      → the table's entry, untouched
 *
 * A conflict only ever makes a permission unknown, so unverifiable, never unused: the observation
 * can widen what is judged only where no other source speaks.
 */

import type { GcpPermissionType, GcpPermissionTypeAggregate } from '../../model/gcp/activity.js';
import { compareText } from '../../model/compare-text.js';
import type { GcpLogTypeTable } from './permission-log-type.js';

type TableVerdict = ReturnType<GcpLogTypeTable['classify']>;

/** A verdict of the table, or of the logs read. */
interface ObservedLogTypeVerdict extends TableVerdict {
  /** Checks of the permission with `permissionType` in the logs read, when they agree with the verdict's type. */
  observedChecks?: number;
}

/** A permission whose sources disagree: made `unknown`. */
interface LogTypeConflict {
  permission: string;
  /** The table's type and basis (absent when only the logs disagree among themselves). */
  table?: { logType: string; basis?: string };
  /** The types the logs read checked it with, with counts. */
  observed: { permissionType: GcpPermissionType; count: number }[];
}

export interface ObservedLogTypeTable extends GcpLogTypeTable {
  classify(permission: string): ObservedLogTypeVerdict;
  /** Every observed permission whose sources disagree, sorted by permission. */
  conflicts(): LogTypeConflict[];
}

const OBSERVABLE: ReadonlySet<string> = new Set<GcpPermissionType>(['ADMIN_READ', 'ADMIN_WRITE', 'DATA_READ', 'DATA_WRITE']);

/** One of the four types a use can be logged with (not NOT_LOGGED, not unknown). */
export function isObservableLogType(logType: string): logType is GcpPermissionType {
  return OBSERVABLE.has(logType);
}

/** Which services govern and log the permission: the table's, whatever type the logs give it. */
function services(v: TableVerdict): Pick<TableVerdict, 'auditService' | 'auditConfigServices' | 'logServiceNames'> {
  return { auditService: v.auditService, auditConfigServices: v.auditConfigServices, logServiceNames: v.logServiceNames };
}

function typesText(observed: LogTypeConflict['observed']): string {
  return observed.map((o) => `${o.permissionType} (${o.count} check${o.count === 1 ? '' : 's'})`).join(' and ');
}

/** The table overlaid with the logs' permission types; verdicts are computed once per permission. */
export function withObservedLogTypes(table: GcpLogTypeTable, rows: readonly GcpPermissionTypeAggregate[] | undefined): ObservedLogTypeTable {
  const byPermission = new Map<string, LogTypeConflict['observed']>();
  for (const r of rows ?? []) {
    const list = byPermission.get(r.permission) ?? [];
    const same = list.find((o) => o.permissionType === r.permissionType);
    if (same) same.count += r.count;
    else list.push({ permissionType: r.permissionType, count: r.count });
    byPermission.set(r.permission, list);
  }
  for (const list of byPermission.values()) list.sort((a, b) => compareText(a.permissionType, b.permissionType));
  const found = new Map<string, { verdict: ObservedLogTypeVerdict; conflict?: LogTypeConflict }>();

  const decide = (permission: string): { verdict: ObservedLogTypeVerdict; conflict?: LogTypeConflict } => {
    const v = table.classify(permission);
    const observed = byPermission.get(permission);
    if (observed === undefined || observed.length === 0) return { verdict: v };
    const unknown = (note: string, conflict: LogTypeConflict): { verdict: ObservedLogTypeVerdict; conflict: LogTypeConflict } => ({
      verdict: { logType: 'unknown', ...services(v), matchedBy: v.matchedBy, note },
      conflict,
    });
    if (observed.length > 1) {
      return unknown(`the audit logs read check ${permission} as ${typesText(observed)}: the sources disagree`, {
        permission,
        ...(OBSERVABLE.has(v.logType) || v.logType === 'NOT_LOGGED' ? { table: { logType: v.logType, ...(v.basis ? { basis: v.basis } : {}) } } : {}),
        observed,
      });
    }
    const only = observed[0] as LogTypeConflict['observed'][number];
    if (v.logType === 'unknown' && v.matchedBy === 'none') {
      return {
        verdict: {
          logType: only.permissionType,
          ...services(v),
          basis: 'observed',
          matchedBy: 'observed',
          observedChecks: only.count,
          note: `the audit logs read check ${permission} as ${typesText(observed)}; no cited source or rule gives its type`,
        },
      };
    }
    if (v.logType === only.permissionType) return { verdict: { ...v, observedChecks: only.count } };
    if (OBSERVABLE.has(v.logType) || v.logType === 'NOT_LOGGED') {
      const table = `${v.logType}${v.basis ? ` (${v.basis}${v.source ? `: ${v.source}` : ''})` : ''}`;
      return unknown(`the table says ${table}, the audit logs read check ${permission} as ${typesText(observed)}: the sources disagree`, {
        permission,
        table: { logType: v.logType, ...(v.basis ? { basis: v.basis } : {}) },
        observed,
      });
    }
    // An explicit `unknown` (its sources already disagree, or it is checked only inside other
    // calls) or a type this module does not know: the table's reason stands.
    return { verdict: v };
  };

  const lookup = (permission: string): { verdict: ObservedLogTypeVerdict; conflict?: LogTypeConflict } => {
    let hit = found.get(permission);
    if (hit === undefined) {
      hit = decide(permission);
      found.set(permission, hit);
    }
    return hit;
  };

  return {
    classify: (permission) => lookup(permission).verdict,
    conflicts: () =>
      [...byPermission.keys()].sort(compareText).flatMap((p) => {
        const c = lookup(p).conflict;
        return c ? [c] : [];
      }),
  };
}
