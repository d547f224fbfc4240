import { connect } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * The request shapes that once stalled the service or leaked through it (issue 15), each with the answer it
 * must get: a 4xx (or a SOAP fault), never a stall. Sent many at once while a separate client measures
 * `/healthz`, so the report says whether one caller can still hold up everyone else.
 */
export interface HostileShape {
  readonly name: string;
  /** The request, head and body; `chunks` are sent one after another, chunked. */
  readonly method: string;
  readonly path: string;
  readonly headers: Record<string, string>;
  readonly body?: Buffer;
  readonly chunked?: { readonly chunk: Buffer; readonly count: number };
  /** Whether an answer's status is the one intended for this shape. */
  accepts(status: number, body: string): boolean;
  /** A body refused before it is read may see its connection closed while still sending: that is a refusal too. */
  readonly mayClose?: boolean;
}

export interface ShapeOutcome {
  readonly shape: string;
  /** The status, or `timeout` / `closed` when no answer came. */
  readonly status: number | 'timeout' | 'closed';
  readonly ms: number;
  readonly ok: boolean;
}

const FIREMAN = 'http://glite.org/wsdl/services/org.glite.data.catalog.service.fireman';

const fault = (status: number, body: string) => status === 500 && /Fault>/.test(body);
const refused = (...statuses: number[]) => (status: number, body: string) => statuses.includes(status) || fault(status, body);

function envelope(operation: string): Buffer {
  return Buffer.from(
    `<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body>${operation}</soapenv:Body></soapenv:Envelope>`,
  );
}

/** `run = 0 OR run = 1 OR … run = n-1`. */
const manyOr = (n: number) => Array.from({ length: n }, (_, i) => `run = ${i}`).join(' OR ');

/** The shapes; `authorization` is a real caller's (the metadata and cursor shapes are sent as one). */
export function hostileShapes(authorization: string, maxBodyBytes: number): HostileShape[] {
  const json = { 'content-type': 'application/json' };
  const attributes = Array.from({ length: 300_000 }, (_, i) => ` a${i}="x"`).join('');
  // Well formed for the SE listing it is sent to (the unsigned cursor's own shape), made up by the caller.
  const forged = Buffer.from(JSON.stringify({ s: 'se:se0.example.org', a: 'srm://se0.example.org/' })).toString('base64url');
  return [
    {
      name: 'SOAP, 300,000 attributes, anonymous',
      method: 'POST',
      path: '/soap/FiremanCatalog',
      headers: { 'content-type': 'text/xml; charset=utf-8', soapaction: '""' },
      body: envelope(`<f:getLfnStat xmlns:f="${FIREMAN}"${attributes}><lfns>/grid</lfns></f:getLfnStat>`),
      accepts: refused(401, 413),
    },
    {
      name: 'SOAP, one 20 MB attribute value, anonymous',
      method: 'POST',
      path: '/soap/FiremanCatalog',
      headers: { 'content-type': 'text/xml; charset=utf-8', soapaction: '""' },
      body: envelope(`<f:getLfnStat xmlns:f="${FIREMAN}" a="${'x'.repeat(20 * 1024 * 1024)}"><lfns>/grid</lfns></f:getLfnStat>`),
      accepts: refused(401, 413),
      mayClose: true,
    },
    {
      name: 'query: 100 ORs with inherit and count',
      method: 'POST',
      path: '/api/v1/query',
      headers: { ...json, authorization },
      body: Buffer.from(JSON.stringify({ query: manyOr(100), inherit: true, count: true })),
      // Bounded: answered at once, or refused as too costly.
      accepts: refused(200, 400),
    },
    {
      name: 'query: NOT with inherit',
      method: 'POST',
      path: '/api/v1/query',
      headers: { ...json, authorization },
      body: Buffer.from(JSON.stringify({ query: 'NOT run = 1', inherit: true })),
      accepts: refused(200, 400),
    },
    {
      name: 'forged cursor',
      method: 'GET',
      path: `/api/v1/replicas?se=se0.example.org&limit=1&cursor=${forged}`,
      headers: { authorization },
      accepts: refused(400),
    },
    {
      name: 'chunked body past the limit',
      method: 'POST',
      path: '/api/v1/entries/stat',
      headers: { ...json, authorization },
      chunked: { chunk: Buffer.from(' '.repeat(64 * 1024)), count: Math.ceil((4 * maxBodyBytes) / (64 * 1024)) },
      accepts: refused(413),
    },
    {
      name: 'bogus Basic credentials',
      method: 'POST',
      path: '/api/v1/entries/stat',
      headers: { ...json, authorization: `Basic ${Buffer.from(`admin:wrong-${Math.random()}`).toString('base64')}` },
      body: Buffer.from('{"items":[{"lfn":"/"}]}'),
      accepts: refused(401, 429),
    },
    {
      name: 'JSON that is not UTF-8',
      method: 'POST',
      path: '/api/v1/entries/stat',
      headers: { ...json, authorization },
      body: Buffer.concat([Buffer.from('{"items":[{"lfn":"/caf'), Buffer.from([0xe9]), Buffer.from('"}]}')]),
      accepts: (status, body) => status === 400 && body.includes('not valid UTF-8'),
    },
  ];
}

/**
 * Sends one shape on a connection of its own and reads the answer while still sending, as a client that
 * does not stop on its own would: the service must answer (and may close) without waiting for the rest.
 */
export function sendShape(base: URL, shape: HostileShape, timeoutMs: number): Promise<ShapeOutcome> {
  const started = Date.now();
  return new Promise((resolve) => {
    const socket = connect(Number(base.port), base.hostname);
    const received: Buffer[] = [];
    let settled = false;
    const settle = (status: ShapeOutcome['status'], body = '') => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve({ shape: shape.name, status, ms: Date.now() - started, ok: typeof status === 'number' ? shape.accepts(status, body) : status === 'closed' && shape.mayClose === true });
    };
    const timer = setTimeout(() => settle('timeout'), timeoutMs);
    const answer = () => {
      const text = Buffer.concat(received).toString('utf8');
      const split = text.indexOf('\r\n\r\n');
      return split < 0 ? undefined : { status: Number(text.slice(9, 12)), head: text.slice(0, split), body: text.slice(split + 4) };
    };
    socket.on('data', (chunk: Buffer) => {
      received.push(chunk);
      const a = answer();
      const length = a === undefined ? undefined : /content-length:\s*(\d+)/i.exec(a.head)?.[1];
      if (a !== undefined && length !== undefined && Buffer.byteLength(a.body) >= Number(length)) settle(a.status, a.body);
    });
    socket.on('error', () => undefined);
    socket.on('close', () => {
      const a = answer();
      settle(a === undefined ? 'closed' : a.status, a?.body ?? '');
    });
    socket.once('connect', async () => {
      const chunked = shape.chunked !== undefined;
      const head = Object.entries({
        host: base.host,
        connection: 'close',
        ...shape.headers,
        ...(chunked ? { 'transfer-encoding': 'chunked' } : shape.body !== undefined ? { 'content-length': String(shape.body.length) } : {}),
      })
        .map(([k, v]) => `${k}: ${v}\r\n`)
        .join('');
      socket.write(`${shape.method} ${shape.path} HTTP/1.1\r\n${head}\r\n`);
      const pieces: Buffer[] = [];
      if (shape.chunked !== undefined) {
        const { chunk, count } = shape.chunked;
        const frame = Buffer.concat([Buffer.from(`${chunk.length.toString(16)}\r\n`), chunk, Buffer.from('\r\n')]);
        for (let i = 0; i < count; i++) pieces.push(frame);
        pieces.push(Buffer.from('0\r\n\r\n'));
      } else if (shape.body !== undefined) {
        for (let at = 0; at < shape.body.length; at += 256 * 1024) pieces.push(shape.body.subarray(at, at + 256 * 1024));
      }
      for (const piece of pieces) {
        if (settled || socket.destroyed || received.length > 0) return;
        if (!socket.write(piece)) await Promise.race([new Promise((r) => socket.once('drain', r)), sleep(timeoutMs)]);
      }
    });
  });
}

export interface Latency {
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
  readonly samples: number;
}

/** Probes `/healthz` every `everyMs` on a connection of its own until `stop` resolves; latencies in ms. */
export async function probeHealth(serviceUrl: string, stop: Promise<unknown>, everyMs = 20): Promise<Latency> {
  const times: number[] = [];
  let stopped = false;
  void stop.then(() => (stopped = true));
  while (!stopped) {
    const t = performance.now();
    try {
      await fetch(`${serviceUrl}/healthz`, { signal: AbortSignal.timeout(10_000) });
      times.push(performance.now() - t);
    } catch {
      times.push(10_000);
    }
    await sleep(everyMs);
  }
  times.sort((a, b) => a - b);
  const at = (q: number) => Math.round(times[Math.min(times.length - 1, Math.floor(q * times.length))] ?? 0);
  return { p50: at(0.5), p99: at(0.99), max: Math.round(times[times.length - 1] ?? 0), samples: times.length };
}
