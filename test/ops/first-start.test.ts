import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import pino from 'pino';
import { ConfigError, loadConfig } from '../../src/config';
import { startBanner } from '../../src/ops/start-banner';
import { startService, type RunningService } from '../../src/service';

const BASE_ENV = { PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'silent' };
// Each test starts fresh catalogs (migrations included): 17-33 s apiece on the shared machine at load 27.
jest.setTimeout(300_000);

/** A port free a moment ago, so a test can watch it before the service binds it. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

function connects(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });
}

describe('a start that talks to people', () => {
  let dir: string;
  const services: RunningService[] = [];
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'replicat-first-start-'));
  });
  afterAll(async () => {
    for (const s of services) await s.stop(0).catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  });

  it('takes no connection before the catalog is ready, then redirects / to /docs, which lists the SOAP ports', async () => {
    const port = await freePort();
    const starting = startService(loadConfig({ ...BASE_ENV, PORT: String(port), REPLICAT_DATA: 'memory:', REPLICAT_ADMIN_PASSWORD: 'first start password' }), pino({ level: 'silent' }));
    let ready = false;
    void starting.then(() => (ready = true), () => (ready = true));
    let early = 0;
    let tries = 0;
    while (!ready) {
      tries++;
      if ((await connects(port)) && !ready) early++;
      await sleep(20);
    }
    const service = await starting;
    services.push(service);
    expect(tries).toBeGreaterThan(0);
    expect(early).toBe(0);
    const root = await fetch(`${service.url}/`, { redirect: 'manual' });
    expect(root.status).toBe(302);
    expect(root.headers.get('location')).toBe('/docs');
    const docs = await (await fetch(`${service.url}/docs`)).text();
    for (const port of ['FiremanCatalog', 'StorageIndex', 'MetadataCatalog']) expect(docs).toContain(`href="/soap/${port}?wsdl"`);
    expect(docs.match(/<strong>Example<\/strong>/g)!.length).toBeGreaterThan(5);
    expect(service.generatedAdminPassword).toBeUndefined();
  });

  it('gives a generated admin password to the terminal banner, never to a log line', async () => {
    const lines: string[] = [];
    const logger = pino({ level: 'info' }, { write: (line: string) => void lines.push(line) });
    const service = await startService(loadConfig({ ...BASE_ENV, REPLICAT_DATA: 'memory:' }), logger);
    services.push(service);
    const password = service.generatedAdminPassword!;
    expect(password).toMatch(/^[\w-]{20,}$/);
    expect(lines.join('')).not.toContain(password);
    expect(lines.join('')).toContain('generated password (shown once on the terminal)');
    const banner = startBanner(service, { database: { kind: 'pglite', dataDir: undefined } } as never);
    expect(banner).toContain(password);
    expect(banner).toContain(`${service.url}/docs`);
    const whoami = await fetch(`${service.url}/api/v1/whoami`, { headers: { authorization: `Basic ${Buffer.from(`admin:${password}`).toString('base64')}` } });
    expect(whoami.status).toBe(200);
  });

  it('applies REPLICAT_ADMIN_PASSWORD to an existing admin that has another password', async () => {
    const data = join(dir, 'data');
    const login = (service: RunningService, password: string) =>
      fetch(`${service.url}/api/v1/whoami`, { headers: { authorization: `Basic ${Buffer.from(`admin:${password}`).toString('base64')}` } });
    const first = await startService(loadConfig({ ...BASE_ENV, REPLICAT_DATA: data }), pino({ level: 'silent' }));
    const generated = first.generatedAdminPassword!;
    await first.stop(0);
    const lines: string[] = [];
    const second = await startService(loadConfig({ ...BASE_ENV, REPLICAT_DATA: data, REPLICAT_ADMIN_PASSWORD: 'the readme password' }), pino({ level: 'info' }, { write: (l: string) => void lines.push(l) }));
    services.push(second);
    expect(second.generatedAdminPassword).toBeUndefined();
    expect((await login(second, 'the readme password')).status).toBe(200);
    expect((await login(second, generated)).status).toBe(401);
    expect(lines.join('')).toContain('set the password of admin to REPLICAT_ADMIN_PASSWORD');
  });

  it('refuses at start an environment password the change-password API would refuse', () => {
    expect(() => loadConfig({ ...BASE_ENV, REPLICAT_ADMIN_PASSWORD: 'secret' })).toThrow(ConfigError);
    expect(() => loadConfig({ ...BASE_ENV, REPLICAT_ADMIN_PASSWORD: 'secret' })).toThrow('REPLICAT_ADMIN_PASSWORD: a password must have 8 to 1024 characters');
  });
});
