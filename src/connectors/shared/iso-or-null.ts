/** Times as the providers' files and CLIs write them, in one fixed form. */

/** ISO time in the fixed form, or null; times without a zone are UTC. */
export function isoOrNull(v: unknown): string | null {
  if (typeof v === 'number' && Number.isFinite(v)) {
    // The AWS CLI prints epoch seconds for some timestamp settings (cli_timestamp_format).
    const ms = v < 1e11 ? v * 1000 : v;
    return new Date(ms).toISOString();
  }
  if (typeof v !== 'string' || v.trim() === '') return null;
  const s = v.trim();
  const hasZone = /(Z|[+-]\d{2}:?\d{2})$/i.test(s);
  const isDateOnly = /^\d{4}-\d{2}-\d{2}$/.test(s);
  const ms = Date.parse(hasZone || isDateOnly ? s : `${s}Z`);
  return Number.isNaN(ms) ? null : new Date(ms).toISOString();
}
