/** A short reason for the report why a log file could not be read, without stack or internal detail. */
export function describeFileError(err: unknown): string {
  if (typeof err === 'object' && err !== null) {
    const e = err as { code?: unknown; message?: unknown };
    const code = typeof e.code === 'string' ? e.code : '';
    if (code === 'Z_BUF_ERROR' || code === 'Z_DATA_ERROR' || code === 'Z_NEED_DICT') {
      return code === 'Z_BUF_ERROR' ? 'truncated gzip file (unexpected end of file)' : `corrupt gzip data (${String(e.message)})`;
    }
    if (code === 'ENOENT') return 'file not found';
    if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
    if (code === 'EISDIR') return 'is a directory';
    if (typeof e.message === 'string') return code !== '' ? `${code}: ${e.message}` : e.message;
  }
  return String(err);
}
