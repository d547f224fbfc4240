import { createServer, type Server } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { gzipSync } from 'node:zlib';
import { startTestCatalog, type TestCatalog } from '../support/test-catalog';

const LIMIT = 64 * 1024;
const RANK_LIMIT = 200 * 1024;
/** What a client would stream if nobody stopped it; the service must stop reading long before. */
const FLOOD = 16 * 1024 * 1024;
/** Read past the limit before the service notices and the kernel stops taking bytes: socket and stream buffers. */
const SLACK = 2 * 1024 * 1024;

interface Streamed {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: Record<string, unknown>;
  /** Whether the answer came while the client was still sending, rather than after the end of the body. */
  readonly answeredEarly: boolean;
  /** Bytes the service read from the connection. */
  readonly serviceRead: number;
}

let catalog: TestCatalog;
let server: Server;
const serviceSockets: Socket[] = [];

beforeAll(async () => {
  const limits = { maxBodyBytes: LIMIT, maxRankBodyBytes: RANK_LIMIT };
  catalog = await startTestCatalog(limits);
  server = createServer(catalog.app);
  server.on('connection', (socket: Socket) => serviceSockets.push(socket));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  await catalog.close();
});

/**
 * Sends `head` then `chunk` over and over (chunked unless the head declares a length) until the service
 * answers and closes, or FLOOD bytes went out (then the body is ended and the answer awaited).
 */
function stream(path: string, headers: Record<string, string>, chunk: Buffer, chunked = true): Promise<Streamed> {
  const port = (server.address() as AddressInfo).port;
  const head = Object.entries({ host: 'x', ...(chunked ? { 'transfer-encoding': 'chunked' } : {}), ...headers })
    .map(([k, v]) => `${k}: ${v}\r\n`)
    .join('');
  const frame = chunked ? Buffer.concat([Buffer.from(`${chunk.length.toString(16)}\r\n`), chunk, Buffer.from('\r\n')]) : chunk;
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const serviceSide = new Promise<Socket>((r) => server.once('connection', r));
    const received: Buffer[] = [];
    let sent = 0;
    let answered = false;
    let answeredEarly = false;
    let ended = false;
    socket.on('data', (c: Buffer) => {
      received.push(c);
      if (!answered && !ended) answeredEarly = true;
      answered = true;
    });
    socket.on('error', () => undefined); // EPIPE/ECONNRESET once the service has closed: expected
    socket.on('close', () => {
      void serviceSide.then((s) => {
        const text = Buffer.concat(received).toString('latin1');
        const split = text.indexOf('\r\n\r\n');
        if (split < 0) return reject(new Error(`no answer after ${sent} bytes sent`));
        const lines = text.slice(0, split).split('\r\n');
        const headers = Object.fromEntries(lines.slice(1).map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]));
        let rest = text.slice(split + 4);
        if (headers['transfer-encoding'] === 'chunked') rest = rest.replace(/^[0-9a-f]+\r\n/, '').replace(/\r\n0\r\n\r\n$/, '');
        const body = rest.startsWith('{') ? (JSON.parse(rest.slice(0, rest.lastIndexOf('}') + 1)) as Record<string, unknown>) : {};
        resolve({ status: Number(lines[0]!.slice(9, 12)), headers, body, answeredEarly, serviceRead: s.bytesRead });
      });
    });
    const pump = () => {
      while (!answered && !socket.destroyed && sent < FLOOD) {
        sent += frame.length;
        if (!socket.write(frame)) return void socket.once('drain', pump);
      }
      if (!answered && !socket.destroyed) {
        ended = true;
        socket.write(chunked ? '0\r\n\r\n' : '');
      }
      // An answer without a close: the service kept the connection; close it from here.
      if (answered) setTimeout(() => socket.end(), 200);
    };
    socket.once('connect', () => {
      socket.write(`POST ${path} HTTP/1.1\r\n${head}\r\n`);
      pump();
    });
  });
}

function expectCut(res: Streamed, limit = LIMIT): void {
  expect(res.status).toBe(413);
  expect(res.body).toMatchObject({ code: 'LimitExceeded', status: 413 });
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  expect(res.headers.connection).toBe('close');
  expect(res.answeredEarly).toBe(true);
  expect(res.serviceRead).toBeLessThan(limit + SLACK);
}

const json = { 'content-type': 'application/json' };
const padding = Buffer.from(' '.repeat(16 * 1024));

describe('a body past the limit is cut with 413 as soon as the limit passes', () => {
  it('a chunked JSON body (no declared length)', async () => {
    expectCut(await stream('/api/v1/entries/stat', json, padding));
  });

  it('a JSON body declaring a length past the limit, without reading it', async () => {
    const res = await stream('/api/v1/entries/stat', { ...json, 'content-length': String(FLOOD) }, padding, false);
    expectCut(res);
    expect(res.serviceRead).toBeLessThan(LIMIT + SLACK);
  });

  it('a compressed body, counted as it inflates', async () => {
    const zeros = gzipSync(Buffer.alloc(4 * 1024 * 1024, 0x20));
    // A gzip member after another is still gzip; each one inflates to 4 MiB of spaces.
    expectCut(await stream('/api/v1/entries/stat', { ...json, 'content-encoding': 'gzip' }, zeros));
  });

  it('an NDJSON line longer than an item can be', async () => {
    expectCut(await stream('/api/v1/replicas/list', { 'content-type': 'application/x-ndjson' }, padding));
  });

  it('a rank body', async () => {
    expectCut(await stream('/api/v1/storage-index/rank', { 'content-type': 'text/plain' }, Buffer.from('/a/name\n'.repeat(2048))), RANK_LIMIT);
  });

  it('and the same connection is not used for anything else: the next request gets its own', async () => {
    const res = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1/entries/stat`, {
      method: 'POST',
      headers: json,
      body: JSON.stringify({ items: [{ lfn: '/' }] }),
    });
    expect(res.status).toBe(200);
  });
});

describe('a body nobody reads is not read to its end either', () => {
  it('a refused request (wrong content type) closes its connection instead of swallowing the body', async () => {
    const res = await stream('/api/v1/entries/stat', { 'content-type': 'text/plain' }, padding);
    expect(res.status).toBe(415);
    expect(res.headers.connection).toBe('close');
    expect(res.serviceRead).toBeLessThan(SLACK);
  });

  it('an answered request that ignores its body (GET /healthz)', async () => {
    const port = (server.address() as AddressInfo).port;
    const socket = connect(port, '127.0.0.1');
    const serviceSide = new Promise<Socket>((r) => server.once('connection', r));
    await new Promise((r) => socket.once('connect', r));
    socket.on('error', () => undefined);
    socket.write('GET /healthz HTTP/1.1\r\nhost: x\r\ntransfer-encoding: chunked\r\n\r\n');
    const frame = Buffer.concat([Buffer.from(`${padding.length.toString(16)}\r\n`), padding, Buffer.from('\r\n')]);
    let sent = 0;
    const closed = new Promise((r) => socket.once('close', r));
    while (!socket.destroyed && sent < FLOOD) {
      sent += frame.length;
      if (!socket.write(frame)) await Promise.race([new Promise((r) => socket.once('drain', r)), closed]);
    }
    const cut = socket.destroyed || sent < FLOOD;
    socket.destroy();
    await closed;
    expect(cut).toBe(true);
    expect((await serviceSide).bytesRead).toBeLessThan(SLACK);
  });
});
