/** Half-open-free, closed millisecond intervals [start, end]: union, subtraction, clipping. */

export interface MsInterval {
  start: number;
  end: number;
}

/** Sorted, non-overlapping; intervals that touch or are `joinMs` apart become one. */
export function unionIntervals(list: readonly MsInterval[], joinMs = 0): MsInterval[] {
  const sorted = list.filter((i) => i.end >= i.start).sort((a, b) => a.start - b.start || a.end - b.end);
  const out: MsInterval[] = [];
  for (const i of sorted) {
    const last = out.at(-1);
    if (last && i.start <= last.end + joinMs) last.end = Math.max(last.end, i.end);
    else out.push({ start: i.start, end: i.end });
  }
  return out;
}

/** `a` minus `b`; both as produced by unionIntervals. */
export function subtractIntervals(a: readonly MsInterval[], b: readonly MsInterval[]): MsInterval[] {
  const out: MsInterval[] = [];
  for (const x of a) {
    let pieces: MsInterval[] = [{ start: x.start, end: x.end }];
    for (const y of b) {
      if (y.end <= x.start || y.start >= x.end) continue;
      const next: MsInterval[] = [];
      for (const p of pieces) {
        if (y.end <= p.start || y.start >= p.end) {
          next.push(p);
          continue;
        }
        if (y.start > p.start) next.push({ start: p.start, end: y.start });
        if (y.end < p.end) next.push({ start: y.end, end: p.end });
      }
      pieces = next;
    }
    out.push(...pieces);
  }
  return out.filter((i) => i.end > i.start);
}

export function clipIntervals(list: readonly MsInterval[], startMs: number, endMs: number): MsInterval[] {
  const out: MsInterval[] = [];
  for (const i of list) {
    const s = Math.max(i.start, startMs);
    const e = Math.min(i.end, endMs);
    if (e > s) out.push({ start: s, end: e });
  }
  return out;
}

export function totalMs(list: readonly MsInterval[]): number {
  return list.reduce((sum, i) => sum + (i.end - i.start), 0);
}

export function overlaps(a: MsInterval, b: MsInterval): boolean {
  return a.start < b.end && b.start < a.end;
}
