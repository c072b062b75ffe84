/**
 * Byte classes of JSON outside strings, shared by the CloudTrail record scanner
 * (aws/cloudtrail/json-scanner.ts) and the Cloud Audit Log value splitter
 * (gcp/audit-logs/json-value-splitter.ts): both walk Buffers without JSON.parse.
 */

const QUOTE = 0x22;

/** Byte classes outside strings (0: invalid, the table's default). */
export const CLS_PLAIN = 1;
export const CLS_OPEN = 2;
export const CLS_CLOSE = 3;
export const CLS_QUOTE = 4;
export const CLS_SPACE = 5;

export const BYTE_CLASS: Uint8Array = (() => {
  const t = new Uint8Array(256);
  // JSON whitespace.
  for (const c of [0x20, 0x09, 0x0a, 0x0d]) t[c] = CLS_SPACE;
  // Structural separators, number characters and the letters of true / false / null.
  for (const ch of ':,0123456789-+.eEtrufalsn') t[ch.charCodeAt(0)] = CLS_PLAIN;
  t[0x7b] = CLS_OPEN; // {
  t[0x5b] = CLS_OPEN; // [
  t[0x7d] = CLS_CLOSE; // }
  t[0x5d] = CLS_CLOSE; // ]
  t[QUOTE] = CLS_QUOTE;
  return t;
})();

export class JsonSyntaxError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'JsonSyntaxError';
  }
}
