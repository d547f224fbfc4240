import type { AddressInfo } from 'node:net';
import { connect } from 'node:net';
import type { Server } from 'node:http';
import express, { type NextFunction, type Request, type Response } from 'express';
import { jsonBody, parseStrictJson } from '../../src/rest/json-body';

/** Error types the app's error handler saw. */
const seen: (string | undefined)[] = [];

/**
 * An app reading JSON as the API does, after an asynchronous step as authentication is. It answers
 * what it parsed and whether the body was taken from the buffer (then `end` has not been emitted yet
 * when the next handler runs) or read as it arrived (after `end`).
 */
function start(limit: number): Promise<Server> {
  const app = express();
  app.post(
    '/',
    async (_req, _res, next) => {
      await new Promise((r) => setImmediate(r));
      next();
    },
    jsonBody(limit),
    (req: Request, res: Response) => res.json({ body: req.body as unknown, way: req.readableEnded ? 'stream' : 'buffer' }),
  );
  app.use((error: { type?: string; status?: number }, _req: Request, res: Response, _next: NextFunction) => {
    seen.push(error.type);
    res.status(error.status ?? 500).json({ type: error.type });
  });
  return new Promise((resolve) => {
    const server = app.listen(0, '127.0.0.1', () => resolve(server));
  });
}

/** Sends a raw request, headers and body in one write or (`split`) the body 50 ms later; the answer's status and JSON. */
function send(server: Server, headers: Record<string, string>, body: Buffer | string, split = false): Promise<{ status: number; json: unknown }> {
  const bytes = Buffer.from(body);
  const head = Object.entries({ host: 'x', connection: 'close', 'content-length': String(bytes.length), ...headers })
    .map(([k, v]) => `${k}: ${v}\r\n`)
    .join('');
  return new Promise((resolve, reject) => {
    const socket = connect((server.address() as AddressInfo).port, '127.0.0.1');
    const chunks: Buffer[] = [];
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('error', reject);
    socket.on('end', () => {
      const text = Buffer.concat(chunks).toString();
      resolve({ status: Number(text.slice(9, 12)), json: JSON.parse(text.slice(text.indexOf('\r\n\r\n') + 4)) as unknown });
    });
    const request = Buffer.from(`POST / HTTP/1.1\r\n${head}\r\n`);
    if (split) {
      socket.write(request);
      setTimeout(() => socket.write(bytes), 50);
    } else socket.write(Buffer.concat([request, bytes]));
  });
}

describe('jsonBody', () => {
  let server: Server;
  beforeAll(async () => {
    server = await start(1000);
  });
  afterAll(() => new Promise((r) => server.close(r)));

  const json = { 'content-type': 'application/json' };

  it('parses a body that arrived with its headers from the buffer, and one that arrives later as it comes', async () => {
    for (const [headers, body, parsed] of [
      [json, '{"items":[{"lfn":"/a/é"}]}', { items: [{ lfn: '/a/é' }] }],
      [{ 'content-type': 'application/json; charset=UTF-8' }, ' \n[1,2]', [1, 2]],
      [json, '\ufeff{"bom":true}', { bom: true }],
    ] as const) {
      expect(await send(server, headers, body)).toEqual({ status: 200, json: { body: parsed, way: 'buffer' } });
      expect(await send(server, headers, body, true)).toEqual({ status: 200, json: { body: parsed, way: 'stream' } });
    }
  });

  it('refuses what body-parser refuses, with the same error types', async () => {
    for (const body of ['"a string"', '{"broken":', 'null', '  7']) {
      expect(await send(server, json, body)).toEqual({ status: 400, json: { type: 'entity.parse.failed' } });
      expect(await send(server, json, body, true)).toEqual({ status: 400, json: { type: 'entity.parse.failed' } });
    }
    // Over the limit, compressed or in another charset: the same error types as body-parser's.
    expect(await send(server, json, `{"x":"${'y'.repeat(1000)}"}`)).toEqual({ status: 413, json: { type: 'entity.too.large' } });
    expect(await send(server, { ...json, 'content-encoding': 'gzip' }, 'not gzip')).toMatchObject({ status: 400 });
    expect(await send(server, { 'content-type': 'application/json; charset=latin1' }, '{}')).toEqual({ status: 415, json: { type: 'charset.unsupported' } });
  });

  it('refuses bytes that are not UTF-8 instead of reading them as U+FFFD, from the buffer and as they arrive', async () => {
    const body = Buffer.concat([Buffer.from('{"lfn":"/a/'), Buffer.from([0xe9]), Buffer.from('"}')]);
    expect(await send(server, json, body)).toEqual({ status: 400, json: { type: 'entity.not.utf8' } });
    expect(await send(server, json, body, true)).toEqual({ status: 400, json: { type: 'entity.not.utf8' } });
  });

  it('calls a request closed before the end of its body request.aborted', async () => {
    seen.length = 0;
    const socket = connect((server.address() as AddressInfo).port, '127.0.0.1');
    await new Promise((r) => socket.once('connect', r));
    socket.write('POST / HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: 100\r\n\r\n{"items":');
    await new Promise((r) => setTimeout(r, 50));
    socket.destroy();
    for (let i = 0; i < 50 && seen.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
    expect(seen).toEqual(['request.aborted']);
  });

  it('parseStrictJson: body-parser’s strict rules', () => {
    expect(parseStrictJson('')).toEqual({});
    expect(parseStrictJson('\ufeff')).toEqual({});
    expect(parseStrictJson('\t{"a":1}')).toEqual({ a: 1 });
    expect(() => parseStrictJson('true')).toThrow(SyntaxError);
    expect(() => parseStrictJson('{')).toThrow(SyntaxError);
  });
});
