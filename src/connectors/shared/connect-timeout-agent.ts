/**
 * HTTP(S) agents whose new connections must be open (TCP, and for HTTPS the TLS handshake) within
 * the connect timeout, else the socket is destroyed with an error the callers recognise by
 * CONNECT_TIMEOUT_MARK (the transports keep only the message of the cause). Kept alive, as the
 * SDKs' own agents are.
 */

import { Agent as HttpAgent, type AgentOptions } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import type { Duplex } from 'node:stream';
import type { Socket } from 'node:net';

const CONNECT_TIMEOUT_MARK = 'permdrift connect timeout';

function guard(stream: Duplex | null | undefined, connectMs: number, readyEvent: 'connect' | 'secureConnect'): void {
  const socket = stream as Socket | null | undefined;
  if (!socket || typeof socket.once !== 'function') return;
  const timer = setTimeout(() => {
    socket.destroy(Object.assign(new Error(`${CONNECT_TIMEOUT_MARK} after ${connectMs} ms`), { code: 'ETIMEDOUT' }));
  }, connectMs);
  timer.unref();
  socket.once(readyEvent, () => clearTimeout(timer));
  socket.once('close', () => clearTimeout(timer));
}

export class ConnectTimeoutHttpAgent extends HttpAgent {
  constructor(
    private readonly connectMs: number,
    options: AgentOptions = {},
  ) {
    super({ keepAlive: true, ...options });
  }

  override createConnection(...args: Parameters<HttpAgent['createConnection']>): ReturnType<HttpAgent['createConnection']> {
    const socket = super.createConnection(...args);
    guard(socket, this.connectMs, 'connect');
    return socket;
  }
}

export class ConnectTimeoutHttpsAgent extends HttpsAgent {
  constructor(
    private readonly connectMs: number,
    options: AgentOptions = {},
  ) {
    super({ keepAlive: true, ...options });
  }

  override createConnection(...args: Parameters<HttpsAgent['createConnection']>): ReturnType<HttpsAgent['createConnection']> {
    const socket = super.createConnection(...args);
    guard(socket, this.connectMs, 'secureConnect');
    return socket;
  }
}

/** Whether an error (or one of its causes, or its message) is a connection that did not open in time. */
export function isConnectTimeout(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e !== undefined && e !== null && depth < 8; depth++) {
    const message = e instanceof Error ? e.message : typeof e === 'object' ? String((e as { message?: unknown }).message ?? '') : String(e);
    if (message.includes(CONNECT_TIMEOUT_MARK) || message.includes('did not establish a connection')) return true;
    e = typeof e === 'object' ? (e as { cause?: unknown }).cause : undefined;
  }
  return false;
}
