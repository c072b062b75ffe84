/** A sparkline: one character per value, scaled between the series' minimum and maximum. */

const UNICODE_LEVELS = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'] as const;
const ASCII_LEVELS = ['_', '.', '-', '~', '=', '+', '*', '#'] as const;
/** A report where the metric has no value (no finding resolved there, so no median). */
const GAP = '·';
const ASCII_GAP = ' ';

export function sparkline(values: (number | null)[], isAscii = false): string {
  const levels = isAscii ? ASCII_LEVELS : UNICODE_LEVELS;
  const present = values.filter((v): v is number => v !== null);
  const min = Math.min(...present);
  const max = Math.max(...present);
  const top = levels.length - 1;
  return values
    .map((v) => {
      if (v === null) return isAscii ? ASCII_GAP : GAP;
      // A flat series says "no change": low when it is zero, mid-height otherwise.
      if (max === min) return levels[v === 0 ? 0 : Math.floor(top / 2)] as string;
      return levels[Math.round(((v - min) / (max - min)) * top)] as string;
    })
    .join('');
}
