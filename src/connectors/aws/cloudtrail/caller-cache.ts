/**
 * The callers of CloudTrail records, resolved once per distinct userIdentity: cached by the raw
 * bytes of its fields (callers repeat for every call of a session), and interned to a small id
 * that stands for the caller in aggregation keys, the same id for the same caller whichever
 * session it came from.
 */

import { type Caller, resolveCaller } from './caller.js';
import { F_SI_ARN, F_SI_TYPE, F_UI_ACCOUNT_ID, F_UI_ARN, F_UI_INVOKED_BY, F_UI_TYPE, F_UI_USER_NAME, type RecordFields } from './json-scanner.js';
import { decodeField, KeyBuilder } from './record-keys.js';

export interface CachedCaller extends Caller {
  /** Small id standing for the caller in aggregation keys. */
  id: number;
}

/** userIdentity fields read by `resolveCaller`, in key order. */
const CALLER_FIELDS = [F_UI_TYPE, F_UI_ARN, F_UI_INVOKED_BY, F_UI_USER_NAME, F_UI_ACCOUNT_ID, F_SI_TYPE, F_SI_ARN] as const;
const CALLER_FIELD_NAMES = ['type', 'arn', 'invokedBy', 'userName', 'accountId'] as const;
/** The record fields besides the caller that make an aggregation key. */
/**
 * Callers repeat for every call of a session, so resolved callers are cached by the raw bytes of
 * their userIdentity fields. Bounded, since sessions rotate; ids stay unique for the cache's life.
 */
export class CallerCache {
  private readonly map = new Map<string, CachedCaller>();
  private readonly byCaller = new Map<string, number>();
  private readonly keys = new KeyBuilder();

  constructor(private readonly maxEntries = 20_000) {}

  fromRecord(buf: Buffer, f: RecordFields): CachedCaller {
    if (!f.hasUserIdentity) return this.intern(resolveCaller(null));
    const k = this.keys;
    k.reset();
    for (const id of CALLER_FIELDS) k.field(buf, f.start[id] as number, f.end[id] as number);
    const key = k.text();
    let hit = this.map.get(key);
    if (hit === undefined) {
      const ui: Record<string, unknown> = {};
      CALLER_FIELD_NAMES.forEach((name, i) => {
        const v = decodeField(buf, f, CALLER_FIELDS[i] as number);
        if (v !== null) ui[name] = v;
      });
      const issuerType = decodeField(buf, f, F_SI_TYPE);
      const issuerArn = decodeField(buf, f, F_SI_ARN);
      if (issuerType !== null || issuerArn !== null) {
        ui['sessionContext'] = { sessionIssuer: { ...(issuerType !== null ? { type: issuerType } : {}), ...(issuerArn !== null ? { arn: issuerArn } : {}) } };
      }
      hit = this.intern(resolveCaller(ui));
      if (this.map.size >= this.maxEntries) this.map.clear();
      this.map.set(key, hit);
    }
    return hit;
  }

  /** The same caller always gets the same id, whichever session it came from. */
  intern(c: Caller): CachedCaller {
    const k = `${c.callerType}\u0001${c.callerArn ?? ''}`;
    let id = this.byCaller.get(k);
    if (id === undefined) {
      id = this.byCaller.size;
      this.byCaller.set(k, id);
    }
    return { ...c, id };
  }
}
