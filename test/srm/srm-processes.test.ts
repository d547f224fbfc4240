import { execFile, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { promisify } from 'node:util';
import request from 'supertest';
import { Adler32 } from '@replicat/sdk';
import type { RequestStatus } from '../../src/srm/srm-service';
import { ADMIN } from '../storage/storage-catalog';
import { catalogApi, startTestCatalog, TEST_IDENTITY, type ItemResult, type TestCatalog } from '../support/test-catalog';

// The mock SRM and a storage process as the built bins run them (`replicat srm`, `replicat storage`), in
// front of a catalog on a loopback port: three processes that share nothing but the TURL signing secret.
jest.setTimeout(300_000);

const run = promisify(execFile);
const ROOT = join(__dirname, '../..');
const MAIN = join(ROOT, 'dist/src/main.js');
const USER = 'Bearer user-token';

/** One line of a process's JSON log. */
interface LogLine {
  readonly level: number;
  readonly msg: string;
  readonly [field: string]: unknown;
}

/** `node dist/src/main.js ARGS…` running, with its log lines and its URL once it says it listens. */
class Spawned {
  readonly lines: LogLine[] = [];
  stderr = '';
  readonly #child: ChildProcess;
  readonly #exited: Promise<number | null>;

  constructor(args: readonly string[], env: Readonly<Record<string, string>>) {
    this.#child = spawn(process.execPath, [MAIN, ...args], { env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    this.#exited = new Promise((resolve) => this.#child.once('close', (code) => resolve(code)));
    createInterface({ input: this.#child.stdout! }).on('line', (line) => {
      try {
        this.lines.push(JSON.parse(line) as LogLine);
      } catch {
        this.lines.push({ level: 30, msg: line });
      }
    });
    this.#child.stderr!.on('data', (chunk: Buffer) => (this.stderr += chunk.toString()));
  }

  /** The URL of its "listening" log line. */
  async listening(timeoutMs = 60_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const line = this.lines.find((l) => / listening on /.test(l.msg));
      if (line !== undefined) return String(line.url).replace('localhost', '127.0.0.1');
      if (this.#child.exitCode !== null) throw new Error(`exited with ${this.#child.exitCode}: ${this.stderr}`);
      if (Date.now() > deadline) throw new Error(`did not listen in ${timeoutMs} ms: ${this.stderr}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  async terminate(): Promise<number | null> {
    if (this.#child.exitCode === null) this.#child.kill('SIGTERM');
    return this.#exited;
  }

  kill(): void {
    if (this.#child.exitCode === null) this.#child.kill('SIGKILL');
  }
}

/** Runs the bin to its end: for start-up failures. */
async function runToEnd(args: readonly string[], env: Readonly<Record<string, string>> = {}): Promise<{ code: number; stderr: string }> {
  try {
    await run(process.execPath, [MAIN, ...args], { env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env }, timeout: 60_000 });
    return { code: 0, stderr: '' };
  } catch (error) {
    const failed = error as { code?: number; stderr?: string };
    return { code: typeof failed.code === 'number' ? failed.code : -1, stderr: failed.stderr ?? '' };
  }
}

function hasCommand(name: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${name}`]).status === 0;
}

let catalog: TestCatalog;
let catalogServer: Server;
let catalogUrl: string;
let dir: string;
let secretFile: string;
let storage: Spawned;
let srm: Spawned;
let storageUrl: string;
let srmUrl: string;
const processes: Spawned[] = [];

beforeAll(async () => {
  catalog = await startTestCatalog({}, { identify: (req) => (req.get('authorization') === 'Bearer admin-token' ? ADMIN : TEST_IDENTITY) });
  catalogServer = catalog.app.listen(0, '127.0.0.1');
  await new Promise((resolve) => catalogServer.once('listening', resolve));
  catalogUrl = `http://127.0.0.1:${(catalogServer.address() as AddressInfo).port}`;
  dir = mkdtempSync(join(tmpdir(), 'srm-processes-'));
  secretFile = join(dir, 'turl-secret');
  writeFileSync(secretFile, `${'0123456789abcdef'.repeat(4)}\n`);
  chmodSync(secretFile, 0o600);

  storage = new Spawned(['storage', '--se', `se1=${join(dir, 'se1')}`, '--host', '127.0.0.1', '--port', '0', '--secret-file', secretFile], {});
  processes.push(storage);
  storageUrl = await storage.listening();
  // The registry's TURL rule sends clients to the storage process.
  const registered = await request(catalog.app)
    .post('/api/v1/storage-elements')
    .set('authorization', 'Bearer admin-token')
    .send({ items: [{ name: 'se1', host: 'se1.example.org', protocols: [{ scheme: 'http', turlTemplate: `${storageUrl}/data/se1{path}` }] }] });
  expect((registered.body as { results: ItemResult[] }).results[0]).toMatchObject({ ok: true });

  srm = new Spawned(
    ['srm', '--catalog', catalogUrl, '--se', `se1=${join(dir, 'se1')}`, '--se', `ghost=${join(dir, 'ghost')}`, '--host', '127.0.0.1', '--port', '0', '--no-data', '--staging-delay', '0'],
    // The secret by variable here, by file for the storage process: either way it is the same bytes.
    { REPLICAT_SRM_SECRET: readFileSync(secretFile, 'utf8').trim(), REPLICAT_TOKEN: 'admin-token' },
  );
  processes.push(srm);
  srmUrl = await srm.listening();
});

afterAll(async () => {
  for (const p of processes) p.kill();
  await new Promise((resolve) => catalogServer?.close(resolve));
  await catalog?.close();
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
});

async function srmCall(op: string, body: unknown): Promise<RequestStatus> {
  const res = await fetch(`${srmUrl}/srm/v2/${op}`, { method: 'POST', headers: { authorization: USER, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  expect(res.status).toBe(200);
  return (await res.json()) as RequestStatus;
}

async function putThroughStorage(surl: string, lfn: string, bytes: Buffer): Promise<RequestStatus> {
  const prepared = await srmCall('prepare-to-put', { files: [{ surl, lfn }] });
  expect(prepared.files[0]).toMatchObject({ status: 'SRM_SPACE_AVAILABLE', turl: expect.stringMatching(new RegExp(`^${storageUrl}/data/se1/`)) });
  const put = await fetch(prepared.files[0]!.turl!, { method: 'PUT', body: bytes });
  expect(put.status).toBe(201);
  return srmCall('put-done', { token: prepared.token });
}

describe('replicat srm and replicat storage as processes', () => {
  it('answer /healthz, and the SRM warns at start about an SE the registry does not know', async () => {
    expect((await fetch(`${srmUrl}/healthz`)).status).toBe(200);
    expect((await fetch(`${storageUrl}/healthz`)).status).toBe(200);
    expect(srm.lines).toContainEqual(expect.objectContaining({ level: 40, se: 'ghost', msg: expect.stringContaining('not in the catalog') }));
    expect(srm.lines.some((l) => l.se === 'se1' && l.level === 40)).toBe(false);
    expect(await srmCall('ping', {})).toMatchObject({ status: 'SRM_SUCCESS', ses: ['se1', 'ghost'] });
  });

  it('put through the SRM, bytes to the storage process, putDone registers; prepareToGet, GET from the storage process', async () => {
    const bytes = Buffer.from('bytes that went through three processes\n'.repeat(100));
    const done = await putThroughStorage('srm://se1.example.org/vo/f1', '/grid/vo/f1', bytes);
    const adler = new Adler32().update(bytes).hex();
    expect(done).toMatchObject({ status: 'SRM_SUCCESS', files: [{ status: 'SRM_SUCCESS', size: bytes.length, checksum: { type: 'adler32', value: adler } }] });
    const [stat] = await catalogApi(catalog.app).stat([{ lfn: '/grid/vo/f1' }]);
    expect(stat).toMatchObject({ ok: true, entry: { size: bytes.length, checksum: { type: 'adler32', value: adler }, owner: TEST_IDENTITY.dn } });

    const got = await srmCall('prepare-to-get', { surls: ['srm://se1.example.org/vo/f1'] });
    expect(got.files[0]).toMatchObject({ status: 'SRM_FILE_PINNED' });
    const turl = got.files[0]!.turl!;
    const whole = await fetch(turl);
    expect([whole.status, Buffer.from(await whole.arrayBuffer()).equals(bytes)]).toEqual([200, true]);
    const part = await fetch(turl, { headers: { range: 'bytes=0-4' } });
    expect([part.status, await part.text()]).toEqual([206, 'bytes']);
    // Tampered or unsigned: refused by the storage process, which knows nothing but the secret.
    const forged = await fetch(turl.replace('/vo/f1?', '/vo/f2?'));
    expect([forged.status, await forged.json()]).toEqual([403, expect.objectContaining({ status: 'SRM_AUTHORIZATION_FAILURE' })]);
    expect((await fetch(turl.split('?')[0]!)).status).toBe(403);
    expect((await fetch(turl, { method: 'PUT', body: 'overwrite' })).status).toBe(403);
    // --no-data: the SRM itself serves no bytes.
    expect((await fetch(`${srmUrl}${new URL(turl).pathname}${new URL(turl).search}`)).status).toBe(404);
    // A storage process honours a release only when the TURL expires (docs/storage.md).
    expect(await srmCall('release', { token: got.token })).toMatchObject({ files: [{ status: 'SRM_RELEASED' }] });
    expect((await fetch(turl)).status).toBe(200);
  });

  const curlTitle = 'curl uploads to a put TURL and fetches a get TURL';
  (hasCommand('curl') ? it : it.skip)(hasCommand('curl') ? curlTitle : `${curlTitle} (skipped: curl is not installed)`, async () => {
    const upload = join(dir, 'curl-upload');
    writeFileSync(upload, 'uploaded by curl\n');
    const prepared = await srmCall('prepare-to-put', { files: [{ surl: 'srm://se1.example.org/vo/curl', lfn: '/grid/vo/curl' }] });
    await run('curl', ['-sSf', '-T', upload, prepared.files[0]!.turl!]);
    expect((await srmCall('put-done', { token: prepared.token })).status).toBe('SRM_SUCCESS');
    const got = await srmCall('prepare-to-get', { surls: ['srm://se1.example.org/vo/curl'] });
    const out = join(dir, 'curl-download');
    await run('curl', ['-sSf', '-o', out, got.files[0]!.turl!]);
    expect(readFileSync(out, 'utf8')).toBe('uploaded by curl\n');
    // -f turns the 403 of a tampered TURL into exit status 22.
    await expect(run('curl', ['-sSf', '-o', out, got.files[0]!.turl!.replace(/signature=./, 'signature=A')])).rejects.toMatchObject({ code: 22 });
  });

  const davixTitle = 'davix-get fetches a get TURL';
  (hasCommand('davix-get') ? it : it.skip)(hasCommand('davix-get') ? davixTitle : `${davixTitle} (skipped: davix-get is not installed; apt-get install davix)`, async () => {
    const bytes = Buffer.from('fetched by davix\n'.repeat(1000));
    expect((await putThroughStorage('srm://se1.example.org/vo/davix', '/grid/vo/davix', bytes)).status).toBe('SRM_SUCCESS');
    const got = await srmCall('prepare-to-get', { surls: ['srm://se1.example.org/vo/davix'] });
    const out = join(dir, 'davix-download');
    await run('davix-get', [got.files[0]!.turl!, out]);
    expect(readFileSync(out).equals(bytes)).toBe(true);
  });

  it('an SRM serving its own bytes signs with a secret made up at start', async () => {
    const own = new Spawned(['srm', '--catalog', catalogUrl, '--se', `se2=${join(dir, 'se2')}`, '--host', '127.0.0.1', '--port', '0'], {});
    processes.push(own);
    const url = await own.listening();
    expect(own.lines).toContainEqual(expect.objectContaining({ msg: expect.stringContaining('secret made up at start') }));
    // The SE is registered after the SRM started: the registry is read live.
    await request(catalog.app)
      .post('/api/v1/storage-elements')
      .set('authorization', 'Bearer admin-token')
      .send({ items: [{ name: 'se2', host: 'se2.example.org', protocols: [{ scheme: 'http', turlTemplate: `${url}/data/se2{path}` }] }] });
    const post = async (op: string, body: unknown) =>
      (await (await fetch(`${url}/srm/v2/${op}`, { method: 'POST', headers: { authorization: USER }, body: JSON.stringify(body) })).json()) as RequestStatus;
    const prepared = await post('prepare-to-put', { files: [{ surl: 'srm://se2.example.org/vo/own', lfn: '/grid/vo/own' }] });
    expect((await fetch(prepared.files[0]!.turl!, { method: 'PUT', body: 'own bytes' })).status).toBe(201);
    expect((await post('put-done', { token: prepared.token })).status).toBe('SRM_SUCCESS');
    const got = await post('prepare-to-get', { surls: ['srm://se2.example.org/vo/own'] });
    expect(await (await fetch(got.files[0]!.turl!)).text()).toBe('own bytes');
    // In the SRM's own process a release ends the TURL at once.
    await post('release', { token: got.token });
    expect((await fetch(got.files[0]!.turl!)).status).toBe(403);
    expect(await own.terminate()).toBe(0);
  });

  it('stop on SIGTERM with exit status 0', async () => {
    expect(await srm.terminate()).toBe(0);
    expect(await storage.terminate()).toBe(0);
    expect(srm.lines.at(-1)).toMatchObject({ msg: 'drained; stopped' });
    expect(storage.lines.at(-1)).toMatchObject({ msg: 'drained; stopped' });
  });
});

describe('start-up errors', () => {
  it('exit 2 with one line naming what to fix', async () => {
    const se = `se1=${join(tmpdir(), 'srm-config-test')}`;
    const cases: [string[], Record<string, string>, RegExp][] = [
      [['srm'], {}, /no storage elements to serve: give --se NAME=DIRECTORY/],
      [['srm', '--se', 'se1'], {}, /--se: "se1" is not NAME=DIRECTORY/],
      [['srm', '--se', se, '--port', 'http'], {}, /--port must be an integer from 0 to 65535, not "http"/],
      [['srm', '--se', se], { REPLICAT_SRM_PORT: '70000' }, /REPLICAT_SRM_PORT must be an integer/],
      [['srm', '--se', se, '--catalog', 'ftp://catalog'], {}, /--catalog must be an http:\/\/ or https:\/\/ URL/],
      [['srm', '--se', se, '--pin-lifetime', '7200', '--max-pin-lifetime', '3600'], {}, /pin lifetime \(7200 s\) is longer than the longest pin allowed/],
      [['srm', '--se', se, '--no-data'], {}, /--no-data needs the TURL signing secret/],
      [['srm', '--se', se, '--tls-cert', '/nonexistent.pem', '--tls-key', '/nonexistent.key'], {}, /--tls-cert: \/nonexistent.pem does not exist/],
      [['storage', '--se', se], {}, /a storage process needs the TURL signing secret/],
      [['storage', '--se', se], { REPLICAT_SRM_SECRET: 'too short' }, /needs at least 32/],
      [['storage'], { REPLICAT_SRM_SECRET: 'x'.repeat(32) }, /REPLICAT_STORAGE_SES/],
    ];
    for (const [args, env, message] of cases) {
      const { code, stderr } = await runToEnd(args, env);
      expect([args.join(' '), code, stderr.trim().split('\n')]).toEqual([args.join(' '), 2, [expect.stringMatching(message)]]);
    }
  });
});
