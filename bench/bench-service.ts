import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { Pool } from 'undici';
import { packageRoot } from '../src/package-root';

/** The service under test: a child process (a cluster primary with `workers` > 1), and a client pool. */
export interface BenchService {
  readonly url: string;
  readonly pid: number;
  readonly pool: Pool;
  /** `Authorization` header of the benchmark's (non-admin) user. */
  readonly authorization: string;
  /** The same user with HTTP Basic (its password is remembered after the first request). */
  readonly basicAuthorization: string;
  stop(): Promise<void>;
}

export const BENCH_USER = 'bench';
export const BENCH_DN = `local:${BENCH_USER}`;
/** One password for the run: services restarted on the same database find the accounts they made. */
const password = `bench-${Math.random().toString(36).slice(2)}`;

/**
 * Starts `replicat serve` on a free port. The benchmark acts as an ordinary user that owns the root,
 * so every ACL check runs (an admin would pass them) and the user can create anywhere; it
 * authenticates with a bearer token, as production clients do (Basic would run scrypt per request).
 */
export async function startBenchService(env: NodeJS.ProcessEnv, workers = 1): Promise<BenchService> {
  const port = 20000 + Math.floor(Math.random() * 20000);
  // BENCH_SERVICE_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" profiles the service (NODE_OPTIONS refuses --cpu-prof).
  const nodeArgs = (process.env.BENCH_SERVICE_NODE_ARGS ?? '').split(' ').filter((a) => a !== '');
  const child: ChildProcess = spawn(process.execPath, [...nodeArgs, join(packageRoot(), 'dist/src/main.js'), 'serve', '--workers', String(workers)], {
    env: {
      ...process.env,
      ...env,
      PORT: String(port),
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
      REPLICAT_ADMIN_PASSWORD: password,
      REPLICAT_ROOT_OWNER: BENCH_DN,
      // The resolve scenario sends 100,000 LFNs in one request.
      REPLICAT_MAX_ITEMS: '100000',
      REPLICAT_MAX_BODY_BYTES: String(64 * 1024 * 1024),
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}`;
  const pool = new Pool(url, { connections: 64, pipelining: 1, bodyTimeout: 600_000, headersTimeout: 600_000 });
  const stop = async () => {
    await pool.close();
    if (child.exitCode === null) {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    }
  };
  try {
    const admin = `Basic ${Buffer.from(`admin:${password}`).toString('base64')}`;
    for (let i = 0; ; i++) {
      if (child.exitCode !== null) throw new Error(`the service exited with ${child.exitCode}`);
      try {
        if ((await fetch(`${url}/readyz`)).ok) break;
      } catch {
        // not listening yet
      }
      if (i > 600) throw new Error('the service did not become ready');
      await new Promise((r) => setTimeout(r, 100));
    }
    // On a restart over the same database the user exists already (this item then fails, harmlessly).
    await call(pool, admin, 'POST', '/api/v1/users', { items: [{ name: BENCH_USER, password }] });
    const basic = `Basic ${Buffer.from(`${BENCH_USER}:${password}`).toString('base64')}`;
    const { token } = (await call(pool, basic, 'POST', '/api/v1/tokens', { ttlSeconds: 86_400 })) as { token: string };
    return { url, pid: child.pid!, pool, authorization: `Bearer ${token}`, basicAuthorization: basic, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** One JSON call; throws unless 2xx. */
export async function call(pool: Pool, authorization: string, method: 'GET' | 'POST', path: string, body?: unknown): Promise<unknown> {
  const res = await pool.request({
    method,
    path,
    headers: { 'content-type': 'application/json', authorization },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.body.text();
  if (res.statusCode >= 300) throw new Error(`${method} ${path}: HTTP ${res.statusCode} ${text.slice(0, 300)}`);
  return text === '' ? undefined : JSON.parse(text);
}

/** A bulk call whose every item must succeed. */
export async function bulk(service: BenchService, path: string, items: readonly unknown[]): Promise<void> {
  const body = (await call(service.pool, service.authorization, 'POST', path, { items })) as { results: { ok: boolean; error?: unknown }[] };
  const failed = body.results.find((r) => !r.ok);
  if (failed) throw new Error(`${path}: an item failed: ${JSON.stringify(failed.error)}`);
}
