import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import pino from 'pino';
import { ConfigError, loadConfig } from '../../src/config';
import { StartupError } from '../../src/ops/startup-error';
import { drainServers } from '../../src/ops/drain';
import { startService, type RunningService } from '../../src/service';

const silent = pino({ level: 'silent' });
const BASE_ENV = { PORT: '0', HOST: '127.0.0.1', REPLICAT_DATA: 'memory:', REPLICAT_ADMIN_PASSWORD: 'drain-test-password', LOG_LEVEL: 'silent' };

describe('configuration is checked at start-up, with one clear line', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'replicat-config-'));
    writeFileSync(join(dir, 'not-a-cert.pem'), 'hello\n');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it.each([
    [{ DATABASE_URL: 'localhost:5432/db' }, /DATABASE_URL must use postgres:\/\//],
    [{ DATABASE_URL: 'not a url' }, /DATABASE_URL is not a URL/],
    [{ DATABASE_URL: 'mysql://u@h/db' }, /DATABASE_URL must use postgres:\/\/ or postgresql:\/\/, not mysql:\/\//],
    [{ DATABASE_URL: 'postgres:///db' }, /DATABASE_URL names no host/],
    [{ TLS_CERT: '/nonexistent/cert.pem', TLS_KEY: '/nonexistent/key.pem' }, /^TLS_CERT: \/nonexistent\/cert\.pem does not exist$/],
    [{ TLS_CERT: '/tmp', TLS_KEY: '/tmp' }, /^TLS_CERT: \/tmp is not a file$/],
    [{ X509_CERT_DIR: '/etc/hostname' }, /^X509_CERT_DIR: \/etc\/hostname is not a directory$/],
    [{ PORT: '70000' }, /^PORT must be an integer from 0 to 65535, not "70000"$/],
    [{ REPLICAT_DRAIN_TIMEOUT_MS: 'soon' }, /^REPLICAT_DRAIN_TIMEOUT_MS must be an integer/],
    [{ REPLICAT_REQUEST_TIMEOUT_MS: '5000', REPLICAT_HEADERS_TIMEOUT_MS: '9000' }, /^REPLICAT_HEADERS_TIMEOUT_MS must be an integer from 1000 to 5000/],
  ])('refuses %j', (env, message) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(message);
  });

  it('names the database it cannot reach, without its password', async () => {
    const config = loadConfig({ ...BASE_ENV, DATABASE_URL: 'postgres://replicat:s3cret@127.0.0.1:1/catalog', REPLICAT_DB_CONNECT_TIMEOUT_MS: '2000' });
    const failure = startService(config, silent);
    await expect(failure).rejects.toThrow(StartupError);
    await expect(failure).rejects.toThrow('cannot reach the database at postgres://replicat:***@127.0.0.1:1/catalog: connection refused');
  });

  it('says which port is taken', async () => {
    const taken = await new Promise<Server>((resolve) => {
      const server = createServer().listen(0, '127.0.0.1', () => resolve(server));
    });
    try {
      const port = (taken.address() as AddressInfo).port;
      const failure = startService(loadConfig({ ...BASE_ENV, PORT: String(port) }), silent);
      await expect(failure).rejects.toThrow(new StartupError(`PORT ${port} is already in use`));
    } finally {
      await new Promise((resolve) => taken.close(resolve));
    }
  });

  it('says when the certificate and key are not PEM', async () => {
    const file = join(dir, 'not-a-cert.pem');
    const failure = startService(loadConfig({ ...BASE_ENV, TLS_CERT: file, TLS_KEY: file, TLS_PORT: '0' }), silent);
    await expect(failure).rejects.toThrow(/^TLS_CERT .* and TLS_KEY .* are not a usable certificate and key/);
  });
});

describe('graceful stop', () => {
  let service: RunningService | undefined;
  afterEach(async () => {
    await service?.stop(0).catch(() => undefined);
    service = undefined;
  });

  /** A POST whose body arrives in two parts, the second when the test says. */
  async function slowPost(url: string, body: string) {
    const { port } = new URL(url);
    const socket = connect(Number(port), '127.0.0.1');
    await new Promise((resolve) => socket.once('connect', resolve));
    let answer = '';
    socket.on('data', (chunk: Buffer) => (answer += chunk.toString()));
    const ended = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    const auth = Buffer.from(`admin:${BASE_ENV.REPLICAT_ADMIN_PASSWORD}`).toString('base64');
    socket.write(
      `POST /api/v1/directories HTTP/1.1\r\nhost: 127.0.0.1\r\nauthorization: Basic ${auth}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n`,
    );
    const half = Math.floor(body.length / 2);
    socket.write(body.slice(0, half));
    await sleep(300); // the request is now in flight: headers read, body half there
    return {
      finish: async () => {
        socket.write(body.slice(half));
        await ended;
        return answer;
      },
      abandon: async () => {
        await ended;
        return answer;
      },
    };
  }

  it('stops accepting, lets a request in flight finish, and closes its connection', async () => {
    service = await startService(loadConfig(BASE_ENV), silent);
    const inFlight = await slowPost(service.url, JSON.stringify({ items: [{ lfn: '/drained', parents: true }] }));
    const stopping = service.stop(10_000);
    await sleep(50);
    await expect(fetch(`${service.url}/healthz`)).rejects.toThrow();
    const answer = await inFlight.finish();
    expect(answer).toMatch(/^HTTP\/1\.1 200 OK/);
    expect(answer).toContain('"ok":true');
    await expect(stopping).resolves.toEqual({ drained: true });
    service = undefined;
  });

  it('cuts requests still in flight when the drain timeout passes', async () => {
    const server = await new Promise<Server>((resolve) => {
      const s = createServer((req, res) => req.on('end', () => res.end('late')).resume()).listen(0, '127.0.0.1', () => resolve(s));
    });
    const stuck = await slowPost(`http://127.0.0.1:${(server.address() as AddressInfo).port}`, JSON.stringify({ items: [{ lfn: '/never' }] }));
    const started = Date.now();
    await expect(drainServers([server], 300)).resolves.toBe(false);
    expect(Date.now() - started).toBeLessThan(5000);
    expect(await stuck.abandon()).toBe('');
  });
});

describe('request timeouts', () => {
  let service: RunningService;
  beforeAll(async () => {
    service = await startService(loadConfig({ ...BASE_ENV, REPLICAT_REQUEST_TIMEOUT_MS: '1000', REPLICAT_STREAM_IDLE_TIMEOUT_MS: '1500' }), silent);
  });
  afterAll(() => service.stop(0));

  /** A raw connection sending `head`, then `pieces` of the body every `everyMs`; what came back, when it closed. */
  async function dribble(head: string, pieces: readonly string[], everyMs: number) {
    const socket = connect(Number(new URL(service.url).port), '127.0.0.1');
    await new Promise((resolve) => socket.once('connect', resolve));
    const started = Date.now();
    let answer = '';
    socket.on('data', (chunk: Buffer) => (answer += chunk.toString()));
    socket.on('error', () => undefined);
    const closed = new Promise<number>((resolve) => socket.once('close', () => resolve(Date.now() - started)));
    socket.write(head);
    for (const piece of pieces) {
      if (socket.destroyed) break;
      await sleep(everyMs);
      socket.write(piece);
    }
    const giveUp = new AbortController();
    const closedAfterMs = await Promise.race([closed, sleep(8000, Infinity, { signal: giveUp.signal }).catch(() => Infinity)]);
    giveUp.abort();
    socket.destroy();
    return { closedAfterMs, answer: () => answer };
  }
  const auth = `authorization: Basic ${Buffer.from(`admin:${BASE_ENV.REPLICAT_ADMIN_PASSWORD}`).toString('base64')}\r\n`;

  it('cuts an ordinary request whose body arrives too slowly, with 408', async () => {
    const head = `POST /api/v1/entries/stat HTTP/1.1\r\nhost: x\r\n${auth}content-type: application/json\r\ncontent-length: 1000\r\n\r\n`;
    const slow = await dribble(head, Array.from({ length: 40 }, () => ' '), 100);
    expect(slow.closedAfterMs).toBeGreaterThanOrEqual(1000);
    expect(slow.closedAfterMs).toBeLessThan(4000);
    expect(slow.answer()).toMatch(/^HTTP\/1\.1 408/);
  });

  it('lets an NDJSON stream run past the request timeout while it moves, and cuts it once idle', async () => {
    const head = `POST /api/v1/replicas/list HTTP/1.1\r\nhost: x\r\n${auth}content-type: application/x-ndjson\r\ntransfer-encoding: chunked\r\nconnection: close\r\n\r\n`;
    const line = '{"lfn":"/"}\n';
    const chunk = `${line.length.toString(16)}\r\n${line}\r\n`;
    // 3 s of lines, three times the request timeout, then the end of the body.
    const moving = await dribble(head, [...Array.from({ length: 15 }, () => chunk), '0\r\n\r\n'], 200);
    expect(moving.closedAfterMs).toBeGreaterThan(3000);
    const lines = moving.answer().split('\r\n\r\n').slice(1).join('').split('\n').filter((l) => l.startsWith('{'));
    expect(moving.answer()).toMatch(/^HTTP\/1\.1 200/);
    expect(lines).toHaveLength(15);

    const stalled = await dribble(head, [chunk], 100);
    expect(stalled.closedAfterMs).toBeGreaterThanOrEqual(1500);
    expect(stalled.closedAfterMs).toBeLessThan(5000);
  });
});
