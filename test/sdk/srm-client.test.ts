import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import pino from 'pino';
import request from 'supertest';
import { createSrmApp } from '../../src/srm/srm-app';
import { SdkSrmCatalog } from '../../src/srm/sdk-catalog';
import { SrmService } from '../../src/srm/srm-service';
import {
  AbortError,
  Adler32,
  NetworkError,
  SrmClient,
  SrmError,
  SrmTimeoutError,
  TurlError,
  Unauthenticated,
  type SrmClientOptions,
} from '../../sdk/src';
import { GridPki } from '../support/grid-pki';
import { catalogApi, startTestCatalog, TEST_IDENTITY, type ItemResult, type TestCatalog } from '../support/test-catalog';
import { ADMIN, BOB } from '../storage/storage-catalog';

const hasOpenssl = (() => {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

/** A server on a loopback port; its URL and how to stop it. */
async function listen(server: Server, scheme = 'http'): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `${scheme}://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function stop(server: Server | undefined): Promise<void> {
  if (server === undefined) return;
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
}

/** What a stream received, kept open to see that the client does not end it. */
function collector(): PassThrough & { bytes(): Buffer } {
  const parts: Buffer[] = [];
  const stream = new PassThrough() as PassThrough & { bytes(): Buffer };
  stream.on('data', (chunk: Buffer) => parts.push(chunk));
  stream.bytes = () => Buffer.concat(parts);
  return stream;
}

/**
 * The SrmClient against the SRM app in front of a real test catalog, both on loopback ports, as a grid
 * client reaches them: credentials go to the SRM, which passes them on to the catalog.
 */
describe('SrmClient', () => {
  let catalog: TestCatalog;
  let catalogServer: Server;
  let srmServer: Server;
  let strictServer: Server;
  let brokenServer: Server;
  let tlsServer: Server | undefined;
  let pki: GridPki | undefined;
  let srmUrl: string;
  let strictUrl: string;
  let brokenUrl: string;
  let tlsUrl = 'https://127.0.0.1:9';
  let dir: string;
  let work: string;
  /** Each request the SRM received: method, path, and the authorization it carried. */
  const seen: { method: string; path: string; authorization: string | undefined }[] = [];
  const clients: SrmClient[] = [];
  const bearer = (who: string) => `Bearer ${who}-token`;

  const client = (options: Partial<SrmClientOptions> = {}): SrmClient => {
    const made = new SrmClient({ baseUrl: srmUrl, token: 'test-token', retry: false, ...options });
    clients.push(made);
    return made;
  };
  const surl = (path: string) => `srm://se1.example.org/dpm/vo/${path}`;

  beforeAll(async () => {
    catalog = await startTestCatalog({}, {
      identify: (req) => (req.get('authorization') === bearer('admin') ? ADMIN : req.get('authorization') === bearer('bob') ? BOB : TEST_IDENTITY),
    });
    catalogServer = createServer(catalog.app);
    const catalogUrl = await listen(catalogServer);
    dir = mkdtempSync(join(tmpdir(), 'srm-client-'));
    work = mkdtempSync(join(tmpdir(), 'srm-client-work-'));
    const service = new SrmService(
      {
        ses: new Map([['se1', join(dir, 'se1')], ['tape', join(dir, 'tape')]]),
        stagingDelayMs: 300,
        pinLifetimeMs: 600_000,
        maxPinLifetimeMs: 3_600_000,
        putLifetimeMs: 300_000,
        requestRetentionMs: 3_600_000,
      },
      new SdkSrmCatalog({ baseUrl: catalogUrl }),
    );
    const logger = pino({ level: 'silent' });
    const app = createSrmApp({
      service,
      identify: (req) => {
        const authorization = req.get('authorization');
        return { id: authorization ?? 'test', ...(authorization !== undefined ? { authorization } : {}) };
      },
      logger,
    });
    const strict = createSrmApp({
      service,
      identify: (req) => {
        const authorization = req.get('authorization');
        if (authorization === undefined) throw new Error('who are you?');
        return { id: authorization, authorization };
      },
      logger,
    });
    const recording = (req: IncomingMessage, res: ServerResponse) => {
      seen.push({ method: req.method ?? '', path: (req.url ?? '').replace(/\?.*/, ''), authorization: req.headers.authorization });
      app(req, res);
    };
    srmServer = createServer(recording);
    srmUrl = await listen(srmServer);
    strictServer = createServer(strict);
    strictUrl = await listen(strictServer);
    brokenServer = createServer((req, res) => {
      if (req.url === '/half') {
        res.writeHead(200, { 'content-length': '1000' });
        res.write(Buffer.alloc(100, 1));
        setTimeout(() => res.destroy(), 20);
      } else if (req.url === '/slow') {
        res.writeHead(200, { 'content-length': '1000' });
        res.write(Buffer.alloc(10, 1));
      } else {
        res.writeHead(502, { 'content-type': 'text/html' }).end('<html><body>Bad gateway</body></html>');
      }
    });
    brokenUrl = await listen(brokenServer);
    if (hasOpenssl) {
      pki = new GridPki();
      const { chain, key } = pki.user('server');
      tlsServer = createTlsServer({ cert: chain, key }, recording);
      tlsUrl = await listen(tlsServer, 'https');
    }
    const registered = await request(catalog.app)
      .post('/api/v1/storage-elements')
      .set('authorization', bearer('admin'))
      .send({
        items: [
          {
            name: 'se1',
            host: 'se1.example.org',
            surlPrefixes: ['srm://se1.example.org/dpm/'],
            protocols: [
              { scheme: 'http', turlTemplate: `${srmUrl}/data/se1{path}` },
              { scheme: 'https', turlTemplate: `${tlsUrl}/data/se1{path}` },
            ],
          },
          { name: 'tape', host: 'tape.example.org', nearline: true, protocols: [{ scheme: 'http', turlTemplate: `${srmUrl}/data/tape{path}` }] },
        ],
      });
    expect((registered.body as { results: ItemResult[] }).results).toMatchObject([{ ok: true }, { ok: true }]);
  });

  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close()));
    await Promise.all([stop(srmServer), stop(strictServer), stop(brokenServer), stop(tlsServer), stop(catalogServer)]);
    await catalog.close();
    pki?.remove();
    rmSync(dir, { recursive: true, force: true });
    rmSync(work, { recursive: true, force: true });
  });

  /** A local file of these bytes. */
  const localFile = (name: string, bytes: Buffer): string => {
    const path = join(work, name);
    writeFileSync(path, bytes);
    return path;
  };

  /** prepareToPut → upload → putDone of one file. */
  const putFile = async (srm: SrmClient, target: string, lfn: string, bytes: Buffer) => {
    const prepared = await srm.prepareToPut([{ surl: target, lfn }]);
    expect(prepared.files[0]).toMatchObject({ status: 'SRM_SPACE_AVAILABLE' });
    const sent = await srm.upload(prepared.files[0]!.turl!, localFile(lfn.replace(/\//g, '_'), bytes));
    return { sent, done: await srm.putDone(prepared.token) };
  };

  it('pings the SRM', async () => {
    expect(await client().ping()).toEqual({ status: 'SRM_SUCCESS', versionInfo: 'v2.2', backendType: 'replicat mock SRM', ses: ['se1', 'tape'] });
  });

  it('puts a file: prepareToPut, upload, putDone; the catalog has it with its size and adler32', async () => {
    const srm = client();
    const bytes = Buffer.from('grid bytes\n'.repeat(10_000));
    const moved: number[] = [];
    const prepared = await srm.prepareToPut([{ surl: surl('put'), lfn: '/grid/vo/put' }]);
    const sent = await srm.upload(prepared.files[0]!.turl!, localFile('put', bytes), { onBytes: (n) => moved.push(n) });
    const adler32 = new Adler32().update(bytes).hex();
    expect(sent).toEqual({ size: bytes.length, adler32 });
    expect(moved.reduce((a, b) => a + b, 0)).toBe(bytes.length);
    const done = await srm.putDone(prepared.token);
    expect(done).toMatchObject({ status: 'SRM_SUCCESS', files: [{ status: 'SRM_SUCCESS', size: bytes.length, checksum: { type: 'adler32', value: adler32 } }] });
    const [stat] = await catalogApi(catalog.app).stat([{ lfn: '/grid/vo/put' }]);
    expect(stat).toMatchObject({ ok: true, entry: { size: bytes.length, checksum: { type: 'adler32', value: adler32 } } });
    const [replicas] = await catalogApi(catalog.app).listReplicas([{ lfn: '/grid/vo/put' }]);
    expect(replicas).toMatchObject({ ok: true, replicas: [{ surl: surl('put') }] });
  });

  it('uploads a stream of known or unknown length, and putDone of some SURLs only', async () => {
    const srm = client();
    const prepared = await srm.prepareToPut([
      { surl: surl('stream-sized'), lfn: '/grid/vo/stream-sized' },
      { surl: surl('stream-chunked'), lfn: '/grid/vo/stream-chunked' },
    ]);
    const [sized, chunked] = prepared.files;
    expect(await srm.upload(sized!.turl!, Readable.from([Buffer.from('abc'), Buffer.from('def')]), { size: 6 })).toEqual({ size: 6, adler32: new Adler32().update(Buffer.from('abcdef')).hex() });
    expect(await srm.upload(chunked!.turl!, Readable.from(['text ', 'chunks']))).toMatchObject({ size: 11 });
    const first = await srm.putDone(prepared.token, [surl('stream-sized')]);
    expect(first.files.map((f) => f.status)).toEqual(['SRM_SUCCESS', 'SRM_SPACE_AVAILABLE']);
    expect((await srm.putDone(prepared.token)).status).toBe('SRM_SUCCESS');
  });

  it('gets a nearline file: prepareToGet, waitUntilReady while it is staged, download, release', async () => {
    const srm = client();
    const bytes = Buffer.from('from tape '.repeat(5000));
    await putFile(srm, 'srm://tape.example.org/vo/t1', '/grid/vo/t1', bytes);
    const queued = await srm.prepareToGet(['srm://tape.example.org/vo/t1']);
    expect(queued).toMatchObject({ kind: 'get', status: 'SRM_REQUEST_QUEUED', files: [{ status: 'SRM_REQUEST_QUEUED', estimatedWaitTime: 1 }] });
    const started = Date.now();
    const ready = await srm.waitUntilReady(queued.token, { pollMs: 50 });
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    expect(ready).toMatchObject({ status: 'SRM_SUCCESS', files: [{ status: 'SRM_FILE_PINNED', turl: expect.stringMatching(new RegExp(`^${srmUrl}/data/tape/vo/t1\\?token=[0-9a-f]{32}&expires=\\d+&signature=`)) }] });
    const turl = ready.files[0]!.turl!;
    const target = join(work, 'downloaded-t1');
    const got = await srm.download(turl, target);
    expect(got).toEqual({ size: bytes.length, adler32: new Adler32().update(bytes).hex() });
    expect(readFileSync(target)).toEqual(bytes);
    const stream = collector();
    expect(await srm.download(turl, stream)).toEqual(got);
    expect(stream.bytes()).toEqual(bytes);
    expect(stream.writableEnded).toBe(false);
    const released = await srm.release(queued.token);
    expect(released.files[0]).toMatchObject({ status: 'SRM_RELEASED' });
    const refused = await srm.download(turl, join(work, 'after-release')).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(TurlError);
    expect(refused).toMatchObject({ status: 403, code: 'PermissionDenied', srmStatus: 'SRM_AUTHORIZATION_FAILURE' });
    expect(existsSync(join(work, 'after-release'))).toBe(false);
  });

  it('gives up waiting after timeoutMs, and stops waiting when aborted', async () => {
    const srm = client();
    await putFile(srm, 'srm://tape.example.org/vo/t2', '/grid/vo/t2', Buffer.from('t2'));
    const queued = await srm.prepareToGet(['srm://tape.example.org/vo/t2']);
    const late = await srm.waitUntilReady(queued.token, { timeoutMs: 50, pollMs: 10 }).catch((error: unknown) => error);
    expect(late).toBeInstanceOf(SrmTimeoutError);
    expect((late as SrmTimeoutError).last.files[0]).toMatchObject({ status: 'SRM_REQUEST_QUEUED' });
    const again = await srm.prepareToGet(['srm://tape.example.org/vo/t2']);
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 30);
    await expect(srm.waitUntilReady(again.token, { signal: controller.signal })).rejects.toBeInstanceOf(AbortError);
  });

  it('lists and removes any number of SURLs, cut to the SRM body limit, statuses in order', async () => {
    const srm = client({ maxBodyBytes: 1500 });
    const bytes = Buffer.from('listed');
    await putFile(srm, surl('listed'), '/grid/vo/listed', bytes);
    const surls = [surl('listed'), ...Array.from({ length: 40 }, (_, i) => surl(`none-${i}`)), surl('listed')];
    seen.length = 0;
    const listed = await srm.ls(surls);
    expect(seen.filter((r) => r.path === '/srm/v2/ls').length).toBeGreaterThan(1);
    expect(listed.map((f) => f.surl)).toEqual(surls);
    expect(listed[0]).toEqual({ surl: surl('listed'), status: 'SRM_SUCCESS', size: 6, checksum: { type: 'adler32', value: new Adler32().update(bytes).hex() } });
    expect(listed[1]).toMatchObject({ status: 'SRM_INVALID_PATH' });
    expect(await srm.ls([])).toEqual([]);
    const removed = await srm.rm([surl('listed'), surl('none-0')]);
    expect(removed.map((f) => f.status)).toEqual(['SRM_SUCCESS', 'SRM_INVALID_PATH']);
    expect(existsSync(join(dir, 'se1', 'dpm', 'vo', 'listed'))).toBe(false);
    const [replicas] = await catalogApi(catalog.app).listReplicas([{ lfn: '/grid/vo/listed' }]);
    expect((replicas as unknown as { replicas: unknown[] }).replicas).toEqual([]);
  });

  it('aborts a put: the half-uploaded bytes go and the TURL takes no more', async () => {
    const srm = client();
    const prepared = await srm.prepareToPut([{ surl: surl('aborted'), lfn: '/grid/vo/aborted' }]);
    const turl = prepared.files[0]!.turl!;
    await srm.upload(turl, Readable.from([Buffer.from('half')]));
    const aborted = await srm.abort(prepared.token);
    expect(aborted).toMatchObject({ status: 'SRM_ABORTED', files: [{ status: 'SRM_ABORTED' }] });
    expect(existsSync(join(dir, 'se1', 'dpm', 'vo', 'aborted'))).toBe(false);
    await expect(srm.upload(turl, Readable.from([Buffer.from('more')]))).rejects.toMatchObject({ name: 'TurlError', status: 403 });
  });

  it('throws whole-call failures as the SDK error hierarchy; per-file failures are statuses', async () => {
    const srm = client();
    const unknown = await srm.status('0'.repeat(32)).catch((error: unknown) => error);
    expect(unknown).toBeInstanceOf(SrmError);
    expect(unknown).toMatchObject({ status: 404, code: 'NotExists', srmStatus: 'SRM_INVALID_REQUEST' });
    const malformed = await srm.putDone('nonsense').catch((error: unknown) => error);
    expect(malformed).toMatchObject({ name: 'SrmError', status: 400, code: 'InvalidArgument', srmStatus: 'SRM_INVALID_REQUEST' });
    expect((malformed as Error).message).toMatch(/does not match the SRM contract/);
    const tooMany = await srm.prepareToGet(Array.from({ length: 10_001 }, (_, i) => surl(`many-${i}`))).catch((error: unknown) => error);
    expect(tooMany).toMatchObject({ name: 'SrmError', status: 400, code: 'InvalidArgument', srmStatus: 'SRM_INVALID_REQUEST' });
    const tooLarge = await srm.prepareToGet(Array.from({ length: 30_000 }, (_, i) => surl(`large-${i}`))).catch((error: unknown) => error);
    expect(tooLarge).toMatchObject({ name: 'SrmError', status: 413, code: 'LimitExceeded', srmStatus: 'SRM_INVALID_REQUEST' });

    await putFile(srm, surl('mine'), '/grid/vo/mine', Buffer.from('mine'));
    const mine = await srm.prepareToGet([surl('mine')]);
    const bob = client({ token: 'bob-token' });
    const theirs = await bob.status(mine.token).catch((error: unknown) => error);
    expect(theirs).toMatchObject({ name: 'SrmError', status: 403, code: 'PermissionDenied', srmStatus: 'SRM_AUTHORIZATION_FAILURE' });
    // Bob may not read the file in the catalog: the SRM asks it with Bob's own credentials, and a SURL
    // whose file he may not read is answered as a missing one (nothing hidden leaks through the SRM either).
    const denied = await bob.prepareToGet([surl('mine')]);
    expect(denied.files[0]).toMatchObject({ status: 'SRM_INVALID_PATH' });

    const stranger = new SrmClient({ baseUrl: strictUrl, retry: false });
    clients.push(stranger);
    await expect(stranger.ping()).rejects.toBeInstanceOf(Unauthenticated);
    const notSrm = new SrmClient({ baseUrl: brokenUrl, retry: false });
    clients.push(notSrm);
    await expect(notSrm.ping()).rejects.toMatchObject({ name: 'Internal', status: 502 });
  });

  it('sends the credentials a ReplicatClient would, and none of them to TURLs', async () => {
    seen.length = 0;
    await client({ token: 'secret' }).ping();
    await client({ token: undefined, username: 'alice', password: 'pw' }).ping();
    await client({ token: undefined, credentials: { type: 'bearer', token: 'other' } }).ping();
    expect(seen.map((r) => r.authorization)).toEqual(['Bearer secret', `Basic ${Buffer.from('alice:pw').toString('base64')}`, 'Bearer other']);
    expect(() => client({ username: 'alice' })).toThrow(/one of credentials, token/);
    seen.length = 0;
    await putFile(client(), surl('creds'), '/grid/vo/creds', Buffer.from('c'));
    expect(seen.find((r) => r.path.startsWith('/data/'))).toMatchObject({ method: 'PUT', authorization: undefined });
    expect(seen.find((r) => r.path === '/srm/v2/put-done')).toMatchObject({ authorization: 'Bearer test-token' });
  });

  it('leaves no partial file when a download fails (an error answer, a connection that breaks), nor touches the file there', async () => {
    const srm = client();
    mkdirSync(join(work, 'partial'));
    const target = join(work, 'partial', 'file');
    writeFileSync(target, 'old');
    const missing = await srm.download(`${srmUrl}/data/nowhere/x?signature=abc`, target).catch((error: unknown) => error);
    // A TURL whose signature does not hold is refused before anything else is looked at.
    expect(missing).toMatchObject({ name: 'TurlError', status: 403, code: 'PermissionDenied', srmStatus: 'SRM_AUTHORIZATION_FAILURE' });
    expect((missing as Error).message).not.toContain('signature=abc'); // the query (a capability) stays out of messages
    const proxy = await srm.download(`${brokenUrl}/gateway`, target).catch((error: unknown) => error);
    expect(proxy).toMatchObject({ name: 'TurlError', status: 502, srmStatus: undefined });
    const broken = await srm.download(`${brokenUrl}/half`, target).catch((error: unknown) => error);
    expect(broken).toBeInstanceOf(NetworkError);
    expect(readdirSync(join(work, 'partial'))).toEqual(['file']);
    expect(readFileSync(target, 'utf8')).toBe('old');
  });

  it('stops a download or an upload on its AbortSignal', async () => {
    const srm = client();
    const target = join(work, 'aborted-download');
    const downloading = new AbortController();
    const download = srm.download(`${brokenUrl}/slow`, target, { signal: downloading.signal, onBytes: () => downloading.abort() });
    await expect(download).rejects.toBeInstanceOf(AbortError);
    expect(readdirSync(work).filter((name) => name.includes('aborted-download'))).toEqual([]);

    const prepared = await srm.prepareToPut([{ surl: surl('aborted-upload'), lfn: '/grid/vo/aborted-upload' }]);
    const endless = new Readable({ read() {} });
    endless.push(Buffer.alloc(1000, 7));
    const uploading = new AbortController();
    const upload = srm.upload(prepared.files[0]!.turl!, endless, { signal: uploading.signal, onBytes: () => setTimeout(() => uploading.abort(), 20) });
    await expect(upload).rejects.toBeInstanceOf(AbortError);
    const done = await srm.putDone(prepared.token);
    expect(done.files[0]).toMatchObject({ status: 'SRM_INVALID_PATH', explanation: 'nothing was uploaded to the TURL' });
  });

  (hasOpenssl ? it : it.skip)('works over HTTPS with the CA given, for the SRM and its TURLs', async () => {
    const ca = pki!.user('ca').chain;
    const srm = client({ baseUrl: tlsUrl, ca });
    expect(await srm.ping()).toMatchObject({ status: 'SRM_SUCCESS' });
    const prepared = await srm.prepareToPut([{ surl: surl('tls'), lfn: '/grid/vo/tls' }], { protocols: ['https'] });
    const turl = prepared.files[0]!.turl!;
    expect(turl.startsWith(`${tlsUrl}/data/`)).toBe(true);
    const bytes = Buffer.from('over TLS');
    expect(await srm.upload(turl, localFile('tls', bytes))).toMatchObject({ size: bytes.length });
    expect(await srm.putDone(prepared.token)).toMatchObject({ status: 'SRM_SUCCESS' });
    const got = await srm.prepareToGet([surl('tls')], { protocols: ['https'], pinLifetimeSeconds: 60 });
    expect(got.files[0]).toMatchObject({ status: 'SRM_FILE_PINNED', remainingLifetime: 60 });
    const stream = collector();
    expect(await srm.download(got.files[0]!.turl!, stream)).toMatchObject({ size: bytes.length });
    expect(stream.bytes()).toEqual(bytes);
    const untrusting = client({ baseUrl: tlsUrl });
    await expect(untrusting.ping()).rejects.toMatchObject({ name: 'NetworkError', message: expect.stringMatching(/certificate/i) });
  });
});
