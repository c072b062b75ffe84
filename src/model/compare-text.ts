/**
 * The one string order of the tool: by UTF-16 code units, as `<` compares, never locale-aware, so
 * reports sort the same on every machine.
 */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
