import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSdkService, type SdkTestService } from './sdk-harness';

const ROOT = join(__dirname, '../..');
const SDK = join(ROOT, 'sdk');

interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** The environment of a command run as an outsider would: none of the npm script or jest settings. */
function outsideEnvironment(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (key === 'NODE_OPTIONS' || key === 'INIT_CWD' || /^npm_(package|lifecycle|config_workspace)/i.test(key)) continue;
    env[key] = value;
  }
  return { ...env, ...extra };
}

function run(command: string, args: readonly string[], cwd: string, env: NodeJS.ProcessEnv = outsideEnvironment()): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

async function mustRun(command: string, args: readonly string[], cwd: string, env?: NodeJS.ProcessEnv): Promise<string> {
  const result = await run(command, args, cwd, env);
  if (result.code !== 0) throw new Error(`${command} ${args.join(' ')} failed (${result.code}):\n${result.stderr}\n${result.stdout}`);
  return result.stdout;
}

interface LockPackage {
  readonly version?: string;
  readonly integrity?: string;
  readonly dependencies?: Readonly<Record<string, string>>;
  readonly [field: string]: unknown;
}

/**
 * The consumer's lockfile: the SDK tarball and, for its dependencies, the exact versions and integrity
 * hashes of this repository's lockfile. `npm ci --offline` then installs from npm's cache alone, which the
 * repository's own `npm ci` filled, so the test needs no network.
 */
function consumerLockfile(tarball: string): string {
  const rootLock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as { packages: Record<string, LockPackage> };
  const sdkManifest = JSON.parse(readFileSync(join(SDK, 'package.json'), 'utf8')) as { version: string; license: string; dependencies: Record<string, string> };
  const packages: Record<string, LockPackage> = {
    '': { name: 'consumer', dependencies: { '@replicat/sdk': `file:${tarball}` } },
    'node_modules/@replicat/sdk': {
      version: sdkManifest.version,
      resolved: `file:${tarball}`,
      integrity: `sha512-${createHash('sha512').update(readFileSync(tarball)).digest('base64')}`,
      license: sdkManifest.license,
      dependencies: sdkManifest.dependencies,
    },
  };
  const pending = Object.keys(sdkManifest.dependencies);
  while (pending.length > 0) {
    const name = pending.shift()!;
    const key = `node_modules/${name}`;
    if (packages[key] !== undefined) continue;
    const locked = rootLock.packages[key];
    if (locked === undefined) throw new Error(`${name} is not in package-lock.json at the top level`);
    packages[key] = locked;
    pending.push(...Object.keys(locked.dependencies ?? {}));
  }
  return JSON.stringify({ name: 'consumer', lockfileVersion: 3, requires: true, packages }, null, 2);
}

const CONSUMER_SCRIPT = `
import { ReplicatClient, SoapClient, NotExists, credentialsFromEnvironment } from '@replicat/sdk';

const settings = credentialsFromEnvironment();
const client = new ReplicatClient({ baseUrl: process.env.REPLICAT_URL, ...settings, maxItems: 40 });
const soap = new SoapClient({ baseUrl: process.env.REPLICAT_URL, ...settings });
try {
  const whoami = await client.whoami();
  await client.directories.create(['/consumer/run1'], { parents: true });
  const files = Array.from({ length: 100 }, (_, i) => ({ lfn: '/consumer/run1/f' + String(i).padStart(3, '0'), size: i }));
  const created = await client.files.create(files);
  const listed = [];
  for await (const entry of client.dir.list('/consumer/run1')) listed.push(entry.lfn);
  const [missing] = await client.entries.stat(['/consumer/none']);
  let thrown = null;
  try {
    await client.schemas.describe('none');
  } catch (error) {
    thrown = error instanceof NotExists ? error.code : String(error);
  }
  const ses = await soap.storageIndex.getInterfaceVersion();
  console.log(JSON.stringify({ dn: whoami.dn, created: created.filter((r) => r.ok).length, listed: listed.length, last: listed.at(-1), missing: missing.error.code, thrown, ses }));
} finally {
  await client.close();
  await soap.close();
}
`;

const CONSUMER_TYPES = `
import { ReplicatClient, type Entry, type EntryResult, type Fireman } from '@replicat/sdk';

export async function newest(client: ReplicatClient, directory: string): Promise<Entry | undefined> {
  let last: Entry | undefined;
  for await (const entry of client.dir.list(directory)) if (last === undefined || entry.mtime > last.mtime) last = entry;
  return last;
}

export async function sizes(client: ReplicatClient, lfns: string[]): Promise<number[]> {
  const results: EntryResult[] = await client.entries.stat(lfns);
  return results.map((r) => (r.ok ? (r.entry.size ?? 0) : -1));
}

export const pair: Fireman.StringPairInput = { string1: '/a', string2: '/b' };
`;

describe('the SDK as another project uses it', () => {
  let svc: SdkTestService;
  let work: string;

  beforeAll(async () => {
    svc = await startSdkService();
    work = mkdtempSync(join(tmpdir(), 'replicat-sdk-consumer-'));
  });
  afterAll(async () => {
    await svc.close();
    rmSync(work, { recursive: true, force: true });
  });

  it('packs, installs from the tarball without the network, type-checks, and calls a running service', async () => {
    const packed = JSON.parse(await mustRun('npm', ['pack', '--json', '--pack-destination', work], SDK)) as { filename: string; files: { path: string }[] }[];
    const tarball = join(work, packed[0]!.filename);
    const shipped = packed[0]!.files.map((f) => f.path);
    expect(shipped).toEqual(expect.arrayContaining(['package.json', 'README.md', 'dist/index.js', 'dist/index.d.ts', 'dist/generated/openapi.d.ts', 'dist/generated/soap.js']));
    expect(shipped.filter((p) => p.startsWith('src/') || p.startsWith('codegen/'))).toEqual([]);

    const consumer = join(work, 'consumer');
    await mustRun('mkdir', ['-p', consumer], work);
    writeFileSync(join(consumer, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module', dependencies: { '@replicat/sdk': `file:${tarball}` } }));
    writeFileSync(join(consumer, 'package-lock.json'), consumerLockfile(tarball));
    const offline = await run('npm', ['ci', '--offline', '--no-audit', '--no-fund'], consumer);
    if (offline.code !== 0) {
      // A cache emptied since this repository's `npm ci` (npm cache clean): fetch what is missing.
      if (!/ENOTCACHED/.test(offline.stderr)) throw new Error(`npm ci --offline failed:\n${offline.stderr}`);
      console.warn('npm cache lacks the SDK dependencies; installing them from the registry');
      await mustRun('npm', ['ci', '--prefer-offline', '--no-audit', '--no-fund'], consumer);
    }

    writeFileSync(join(consumer, 'typed.ts'), CONSUMER_TYPES);
    const tsc = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
    await mustRun(
      process.execPath,
      [tsc, '--noEmit', '--strict', '--module', 'nodenext', '--moduleResolution', 'nodenext', '--target', 'es2022', '--typeRoots', join(ROOT, 'node_modules', '@types'), '--types', 'node', 'typed.ts'],
      consumer,
    );

    writeFileSync(join(consumer, 'call.mjs'), CONSUMER_SCRIPT);
    const output = await mustRun(process.execPath, ['call.mjs'], consumer, outsideEnvironment({ REPLICAT_URL: svc.baseUrl, REPLICAT_USER: 'anyone', REPLICAT_PASSWORD: 'ignored by the test service' }));
    expect(JSON.parse(output)).toEqual({
      dn: '/DC=org/DC=example/CN=Test User',
      created: 100,
      listed: 100,
      last: '/consumer/run1/f099',
      missing: 'NotExists',
      thrown: 'NotExists',
      ses: '2.0.0',
    });
    // 100 files at the client's 40 per request.
    expect(svc.requests.filter((r) => r === 'POST /api/v1/files')).toHaveLength(3);
  }, 240_000);
});
