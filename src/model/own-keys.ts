/**
 * Objects keyed by names from input files (group emails, source names, API map keys, event names).
 * A key may be any string, `constructor` and `__proto__` included: on a plain `{}` the first reads
 * an inherited function (`out[key] ?? []` is then no list), and assigning the second sets the
 * prototype instead of adding a key, so the entry vanishes. JSON.parse, object spread and
 * Object.fromEntries define `__proto__` as an own key; `out[key] =` and Object.assign do not.
 */

/** An empty object without a prototype: no key is inherited, and `__proto__` is an ordinary key. */
export function nullRecord<V>(): Record<string, V> {
  return Object.create(null) as Record<string, V>;
}

/** `out[key] = value` that defines an own key whatever the key is, on any object. */
export function setOwn<V>(out: Record<string, V>, key: string, value: V): void {
  Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
}

/** The value of an own key, never one inherited from Object.prototype. */
export function ownValue<V>(record: Readonly<Record<string, V>>, key: string): V | undefined {
  return Object.hasOwn(record, key) ? record[key] : undefined;
}
