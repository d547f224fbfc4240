import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AbortError, NetworkError, ReplicatClient, TimeoutError, Unavailable, type ReplicatClientOptions } from '../../sdk/src';
import { parseRetryAfter, retryDelay } from '../../sdk/src/retry-policy';

type Handler = (req: IncomingMessage, res: ServerResponse, body: string) => void;

/** A tiny stand-in for the service: each request is answered by the next handler (the last one repeats). */
class FakeService {
  readonly seen: { method: string; url: string; requestId: string | undefined }[] = [];
  readonly #server: Server;
  readonly #clients: ReplicatClient[] = [];
  #handlers: Handler[] = [];

  constructor() {
    this.#server = createServer((req, res) => {
      let body = '';
      req.setEncoding('utf8');
      req.on('data', (chunk: string) => (body += chunk));
      req.on('end', () => {
        this.seen.push({ method: req.method ?? '', url: req.url ?? '', requestId: req.headers['x-request-id'] as string | undefined });
        const handler = this.#handlers.length > 1 ? this.#handlers.shift()! : this.#handlers[0]!;
        handler(req, res, body);
      });
    });
  }

  async listen(port = 0): Promise<this> {
    await new Promise<void>((resolve) => this.#server.listen(port, '127.0.0.1', resolve));
    return this;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
  }

  answer(...handlers: Handler[]): this {
    this.#handlers = handlers;
    this.seen.length = 0;
    return this;
  }

  client(options: Partial<ReplicatClientOptions> = {}): ReplicatClient {
    const client = new ReplicatClient({ baseUrl: this.url, maxItems: 1000, maxBodyBytes: 1e6, retry: { baseDelayMs: 5, maxDelayMs: 20 }, ...options });
    this.#clients.push(client);
    return client;
  }

  async close(): Promise<void> {
    await Promise.all(this.#clients.map((c) => c.close()));
    await new Promise<void>((resolve) => {
      this.#server.close(() => resolve());
      this.#server.closeAllConnections();
    });
  }
}

const unavailable: Handler = (_req, res) => {
  res.writeHead(503, { 'content-type': 'application/problem+json', 'x-request-id': 'svc-id-503' });
  res.end(JSON.stringify({ type: '/docs/errors#Unavailable', title: 'Service unavailable', status: 503, code: 'Unavailable', detail: 'the database does not answer' }));
};
/** Answers a bulk request with one `{ok: true}` per item. */
const fine: Handler = (_req, res, body) => {
  const { items } = JSON.parse(body) as { items: { lfn: string }[] };
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ results: items.map((i) => ({ ok: true, entry: { lfn: i.lfn } })) }));
};
const hang: Handler = () => undefined;
const dropConnection: Handler = (req) => req.socket.destroy();

let svc: FakeService;
beforeAll(async () => {
  svc = await new FakeService().listen();
});
afterAll(async () => svc.close());

describe('retries', () => {
  it('retries a read after 503s and returns the answer, with one request id for every attempt', async () => {
    svc.answer(unavailable, unavailable, fine);
    const results = await svc.client().entries.stat(['/a', '/b']);
    expect(results).toEqual([
      { ok: true, entry: { lfn: '/a' } },
      { ok: true, entry: { lfn: '/b' } },
    ]);
    expect(svc.seen).toHaveLength(3);
    const ids = new Set(svc.seen.map((s) => s.requestId));
    expect(ids.size).toBe(1);
    expect([...ids][0]).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('gives up after the configured retries with the service’s error, status and request id', async () => {
    svc.answer(unavailable);
    const error = await svc.client({ retry: { retries: 2, baseDelayMs: 1, maxDelayMs: 2 } }).entries.stat(['/a']).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Unavailable);
    expect(error).toMatchObject({ status: 503, requestId: 'svc-id-503', message: 'the database does not answer' });
    expect(svc.seen).toHaveLength(3);
  });

  it('does not retry a write after a 503: the service may have applied it', async () => {
    svc.answer(unavailable, fine);
    await expect(svc.client().files.create([{ lfn: '/a' }])).rejects.toBeInstanceOf(Unavailable);
    expect(svc.seen).toHaveLength(1);
  });

  it('retries a write the caller declares idempotent', async () => {
    svc.answer(unavailable, fine);
    const results = await svc.client().directories.create(['/a'], { parents: true, idempotent: true });
    expect(results).toEqual([{ ok: true, entry: { lfn: '/a' } }]);
    expect(svc.seen).toHaveLength(2);
  });

  it('never retries when retrying is turned off', async () => {
    svc.answer(unavailable, fine);
    await expect(svc.client({ retry: false }).entries.stat(['/a'])).rejects.toBeInstanceOf(Unavailable);
    expect(svc.seen).toHaveLength(1);
  });

  it('retries a read whose connection broke, but not a write', async () => {
    svc.answer(dropConnection, fine);
    expect(await svc.client().replicas.list(['/a'])).toHaveLength(1);
    expect(svc.seen).toHaveLength(2);

    svc.answer(dropConnection, fine);
    const error = await svc.client().entries.move([{ from: '/a', to: '/b' }]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NetworkError);
    expect(svc.seen).toHaveLength(1);
  });

  it('retries even a write when the connection was refused, since nothing reached the service', async () => {
    const probe = await new FakeService().listen();
    const port = Number(new URL(probe.url).port);
    await probe.close();
    const late = new FakeService().answer(fine);
    const client = new ReplicatClient({ baseUrl: `http://127.0.0.1:${port}`, maxItems: 10, maxBodyBytes: 1e6, retry: { retries: 8, baseDelayMs: 100, maxDelayMs: 200 } });
    setTimeout(() => void late.listen(port), 150);
    try {
      expect(await client.files.create([{ lfn: '/late' }])).toEqual([{ ok: true, entry: { lfn: '/late' } }]);
      expect(late.seen).toHaveLength(1);
    } finally {
      await client.close();
      await late.close();
    }
  });

  it('waits with exponential backoff and full jitter, honouring Retry-After within the cap', () => {
    const policy = { retries: 5, baseDelayMs: 100, maxDelayMs: 1000 };
    expect(retryDelay(policy, 0, undefined, () => 0.999)).toBe(99);
    expect(retryDelay(policy, 3, undefined, () => 0.5)).toBe(400);
    expect(retryDelay(policy, 10, undefined, () => 0.999)).toBe(999);
    expect(retryDelay(policy, 0, undefined, () => 0)).toBe(0);
    expect(retryDelay(policy, 0, 700, () => 0)).toBe(700);
    expect(retryDelay(policy, 0, 60_000, () => 0)).toBe(1000);
    expect(parseRetryAfter('3')).toBe(3000);
    expect(parseRetryAfter(new Date(10_000).toUTCString(), 4_000)).toBe(6000);
    expect(parseRetryAfter(null)).toBeUndefined();
    expect(parseRetryAfter('soon')).toBeUndefined();
  });
});

describe('timeouts', () => {
  it('fails an attempt that gets no answer within timeoutMs, without retrying it', async () => {
    svc.answer(hang);
    const started = Date.now();
    const error = await svc.client({ timeoutMs: 200 }).entries.stat(['/a']).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TimeoutError);
    expect(Date.now() - started).toBeLessThan(2000);
    expect(svc.seen).toHaveLength(1);
    // The id the request went out with, to find it in the service log (it may still be running there).
    expect((error as TimeoutError).requestId).toBe(svc.seen[0]!.requestId);
    expect((error as TimeoutError).requestId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('takes a per-call timeout over the client’s', async () => {
    svc.answer(hang);
    await expect(svc.client({ timeoutMs: 60_000 }).whoami({ timeoutMs: 100 })).rejects.toBeInstanceOf(TimeoutError);
  });

  it('lets a stream run as long as lines keep coming, and fails it when they stop', async () => {
    const entry = (i: number) => `${JSON.stringify({ lfn: `/d/${i}`, kind: 'file', owner: 'o', group: 'g', ctime: 't', mtime: 't' })}\n`;
    const trickle =
      (lines: number, thenStall: boolean): Handler =>
      (_req, res) => {
        res.writeHead(200, { 'content-type': 'application/x-ndjson' });
        let sent = 0;
        const timer = setInterval(() => {
          if (sent < lines) res.write(entry(sent++));
          else {
            clearInterval(timer);
            if (!thenStall) res.end();
          }
        }, 60);
      };
    svc.answer(trickle(8, false));
    const all = await svc.client({ timeoutMs: 250 }).dir.list('/d').toArray();
    expect(all.map((e) => e.lfn)).toEqual(Array.from({ length: 8 }, (_, i) => `/d/${i}`));

    svc.answer(trickle(3, true));
    const got: string[] = [];
    const error = await (async () => {
      for await (const e of svc.client({ timeoutMs: 250 }).dir.list('/d')) got.push(e.lfn);
    })().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TimeoutError);
    expect(got).toEqual(['/d/0', '/d/1', '/d/2']);
  });
});

describe('cancellation', () => {
  it('aborts a call in flight with the caller’s reason', async () => {
    svc.answer(hang);
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error('user pressed ^C')), 50);
    const error = await svc.client().entries.stat(['/a'], { signal: controller.signal }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AbortError);
    expect((error as AbortError).cause).toEqual(new Error('user pressed ^C'));
  });

  it('aborts while waiting to retry, without waiting the backoff out', async () => {
    svc.answer(unavailable);
    const controller = new AbortController();
    const client = svc.client({ retry: { retries: 5, baseDelayMs: 30_000, maxDelayMs: 30_000 } });
    setTimeout(() => controller.abort(), 100);
    const started = Date.now();
    await expect(client.entries.stat(['/a'], { signal: controller.signal })).rejects.toBeInstanceOf(AbortError);
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('sends nothing when the signal has already fired', async () => {
    svc.answer(fine);
    await expect(svc.client().entries.stat(['/a'], { signal: AbortSignal.abort() })).rejects.toBeInstanceOf(AbortError);
    expect(svc.seen).toHaveLength(0);
  });

  it('stops the chunks still to come of a bulk call', async () => {
    svc.answer(fine);
    const controller = new AbortController();
    const client = svc.client({ maxItems: 10 });
    const items = Array.from({ length: 100 }, (_, i) => `/f${i}`);
    const error = await client.entries
      .stat(items, { signal: controller.signal, onProgress: ({ done }) => done >= 30 && controller.abort() })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'Incomplete', completed: 30 });
    expect((error as Error).cause).toBeInstanceOf(AbortError);
    expect(svc.seen.length).toBeLessThanOrEqual(4);
  });
});
