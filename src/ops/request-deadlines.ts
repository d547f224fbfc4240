import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

/** How often deadlines are checked: a cut comes at most this late (Node checks its own every 30 s by default). */
const CHECK_EVERY_MS = 1000;

const STREAMED = Symbol('replicat.streamedBody');
const TRACKED = Symbol('replicat.requestDeadline');

/** The request a connection is receiving, and since when. One per connection, reused by each request on it. */
interface Receiving {
  readonly socket: Socket;
  request: IncomingMessage | undefined;
  response: ServerResponse | undefined;
  startedAt: number;
  /** Bytes moved on the connection (both ways) at the last check, and when that count last changed. */
  movedBytes: number;
  movedAt: number;
}

/**
 * Says that a request's body is consumed as a stream while the answer is written (NDJSON bulks): it may take
 * longer than the request timeout as long as bytes keep moving, and is cut only when idle.
 */
export function markStreamedBody(req: IncomingMessage): void {
  (req as IncomingMessage & { [STREAMED]?: true })[STREAMED] = true;
}

/**
 * The request timeout against slow clients (slow-loris), kept in the service rather than in Node's server:
 * Node's `requestTimeout` cuts any request whose body is still arriving after that long, which would cut a
 * million-line NDJSON stream that the service itself reads slowly, at the pace it answers. Here:
 * - an ordinary request must be received in full within `requestTimeoutMs` of its headers, else the client
 *   gets `408` (if nothing was answered yet) and is disconnected, as Node does;
 * - a request marked with `markStreamedBody` is cut only when no byte moved on its connection, either way,
 *   for `streamIdleTimeoutMs`.
 * Node keeps enforcing the headers timeout; the server's own `requestTimeout` must be 0.
 *
 * ```ts
 * const deadlines = new RequestDeadlines({ requestTimeoutMs: 120_000, streamIdleTimeoutMs: 60_000 });
 * createServer((req, res) => { deadlines.track(req, res); app(req, res); });
 * ```
 */
export class RequestDeadlines {
  readonly #requestTimeoutMs: number;
  readonly #streamIdleTimeoutMs: number;
  /** One record per open connection, like Node's own list: a request costs no allocation here. */
  readonly #connections = new Set<Receiving>();
  readonly #timer: NodeJS.Timeout;

  constructor(options: { readonly requestTimeoutMs: number; readonly streamIdleTimeoutMs: number }) {
    this.#requestTimeoutMs = options.requestTimeoutMs;
    this.#streamIdleTimeoutMs = options.streamIdleTimeoutMs;
    this.#timer = setInterval(() => this.check(Date.now()), CHECK_EVERY_MS).unref();
  }

  /** Starts the clock of a request whose headers have just arrived. */
  track(req: IncomingMessage, res: ServerResponse): void {
    const socket = req.socket as Socket & { [TRACKED]?: Receiving };
    let receiving = socket[TRACKED];
    if (receiving === undefined) {
      const created: Receiving = { socket, request: undefined, response: undefined, startedAt: 0, movedBytes: 0, movedAt: 0 };
      receiving = created;
      socket[TRACKED] = created;
      this.#connections.add(created);
      socket.once('close', () => this.#connections.delete(created));
    }
    receiving.request = req;
    receiving.response = res;
    receiving.startedAt = Date.now();
    receiving.movedAt = receiving.startedAt;
    receiving.movedBytes = -1;
  }

  /** Cuts the connections whose request is overdue at `now`; called every second, exposed for tests. */
  check(now: number): void {
    for (const receiving of this.#connections) {
      const req = receiving.request;
      if (req === undefined || req.complete) continue;
      if ((req as IncomingMessage & { [STREAMED]?: true })[STREAMED] === true) {
        const moved = receiving.socket.bytesRead + receiving.socket.bytesWritten;
        if (moved !== receiving.movedBytes) {
          receiving.movedBytes = moved;
          receiving.movedAt = now;
        } else if (now - receiving.movedAt > this.#streamIdleTimeoutMs) cut(receiving);
      } else if (now - receiving.startedAt > this.#requestTimeoutMs) cut(receiving);
    }
  }

  close(): void {
    clearInterval(this.#timer);
    this.#connections.clear();
  }
}

/** What Node answers a request that timed out before anything was written, then the connection is closed. */
const REQUEST_TIMEOUT_RESPONSE = 'HTTP/1.1 408 Request Timeout\r\nConnection: close\r\n\r\n';

function cut(receiving: Receiving): void {
  const { socket, response } = receiving;
  receiving.request = undefined;
  receiving.response = undefined;
  if (socket.writable && response?.headersSent !== true) socket.write(REQUEST_TIMEOUT_RESPONSE);
  socket.destroy();
}
