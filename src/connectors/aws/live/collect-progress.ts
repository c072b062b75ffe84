/**
 * The status line of `collect aws`: one line per account whose parts are the steps that run side
 * by side, each with its own text, ending with what the calls are doing; and the time left,
 * estimated from the pace so far.
 */

import type { AwsClients } from './clients.js';

/** `~12s left` from the pace so far; empty until there is a pace to go by. */
export function eta(startMs: number, done: number, total: number): string {
  if (done <= 0 || done >= total) return '';
  const left = ((Date.now() - startMs) / done) * (total - done);
  return ` ~${Math.ceil(left / 1000)}s left`;
}

/**
 * One status line for steps that run side by side (logs, Access Advisor, credential report): each
 * step keeps its own part, and the line ends with what the calls are doing (a retry in force, a
 * long wait, the rate once the source is slow) and the requests sent so far. It is drawn again
 * when a retry starts or ends, and each second while a progress callback listens, so a stalled
 * source still shows its wait.
 */
export function progressBoard(
  account: () => string,
  clients: AwsClients,
  emit: (m: string) => void,
  isLive: boolean,
): { set: (step: string, text: string) => void; stop: () => void } {
  const parts = new Map<string, string>();
  const draw = (): void => emit(`${account()}: ${[...parts.values()].join(' · ')} · ${clients.activity.text()}`);
  const unsubscribe = isLive ? clients.activity.subscribe(draw) : () => undefined;
  const ticker = isLive ? setInterval(draw, 1000) : undefined;
  ticker?.unref();
  return {
    set: (step, text) => {
      parts.set(step, text);
      draw();
    },
    stop: () => {
      unsubscribe();
      clearInterval(ticker);
    },
  };
}
