import { describe, expect, it } from 'vitest';
import { TOO_LARGE_HINT, tooLargeReason } from '../../src/config/report-size.js';

describe('tooLargeReason', () => {
  it('recognises the errors Node gives for text past the longest string, and nothing else', () => {
    const fromReadFile = Object.assign(new RangeError('Cannot create a string longer than 0x1fffffe8 characters'), { code: 'ERR_STRING_TOO_LONG' });
    expect(tooLargeReason(fromReadFile)).toMatch(/too large to read as one report/);
    expect(tooLargeReason(new RangeError('Invalid string length'))).toMatch(/more than about 512 MB/);
    expect(tooLargeReason(Object.assign(new Error('no such file'), { code: 'ENOENT' }))).toBeUndefined();
    expect(tooLargeReason(new RangeError('Maximum call stack size exceeded'))).toBeUndefined();
    expect(tooLargeReason(undefined)).toBeUndefined();
    expect(TOO_LARGE_HINT).toContain('--principal');
  });
});
