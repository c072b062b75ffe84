/**
 * A report too large for one JavaScript string (V8 caps strings at about 512 M characters) cannot
 * be read back as a baseline or diffed. GCP basic-role grants make such reports (docs/gcp.md,
 * "Report size"): say so plainly instead of a bare engine error.
 */

export const TOO_LARGE_HINT =
  'narrow the scan (--principal, fewer projects or accounts per report): each account holding a basic role such as roles/editor adds about 13 MB (docs/gcp.md, "Report size")';

/** The reason to show when reading `file` failed because it is too large; undefined for other errors. */
export function tooLargeReason(err: unknown): string | undefined {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  const isTooLong = code === 'ERR_STRING_TOO_LONG' || (err instanceof RangeError && /string length/i.test(err.message));
  return isTooLong ? 'too large to read as one report (more than about 512 MB of JSON)' : undefined;
}
