import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { ConfigError, loadConfig } from '../../src/config';
import { Unavailable } from '../../src/core/errors';
import { reading } from '../../src/db/transaction';
import { openPostgres } from '../../src/db/postgres/postgres-database';
import { isMultiHost, parsePostgresUrl, redactPostgresUrl } from '../../src/db/postgres/multi-host-url';
import { redactedUrl } from '../../src/ops/startup-error';

describe("DATABASE_URL in libpq's multi-host form", () => {
  it('splits the servers out, each with a single-host URL of its own', () => {
    const parsed = parsePostgresUrl('postgres://app:pw@db1,db2:5433,[::1]:6000/catalog?target_session_attrs=read-write&sslmode=disable');
    expect(parsed.servers).toEqual([
      { host: 'db1', port: 5432 },
      { host: 'db2', port: 5433 },
      { host: '::1', port: 6000 },
    ]);
    expect(parsed.servers.map((s) => parsed.urlOf(s))).toEqual([
      'postgres://app:pw@db1:5432/catalog?sslmode=disable',
      'postgres://app:pw@db2:5433/catalog?sslmode=disable',
      'postgres://app:pw@[::1]:6000/catalog?sslmode=disable',
    ]);
    expect(isMultiHost('postgres://app@db1,db2/catalog')).toBe(true);
    expect(isMultiHost('postgres://app@db1:5432/catalog')).toBe(false);
  });

  it('is accepted by the configuration', () => {
    const config = loadConfig({ DATABASE_URL: 'postgres://u@h1:5432,h2:5433/db?target_session_attrs=read-write' });
    expect(config.database.kind).toBe('postgres');
  });

  it.each([
    ['postgres://u@h1:5432,h2:99999/db', /^DATABASE_URL host 2 of 2 \("h2:99999"\) has no valid port \(1 to 65535\)$/],
    ['postgres://u@h1:5432,,h2/db', /^DATABASE_URL host 2 of 3 is empty \(a stray comma\?\)$/],
    ['postgres://u@h1:5432,h 2/db', /^DATABASE_URL host 2 of 2 \("h 2"\) is not a host name or address$/],
    ['postgres://u@h1:5432,h2:54:32/db', /^DATABASE_URL host 2 of 2 \("h2:54:32"\) is not a host name or address$/],
    ['postgres://u@h1,h2/db?target_session_attrs=standby', /target_session_attrs=standby asks for a standby/],
    ['mysql://u@h1,h2/db', /^DATABASE_URL must use postgres:\/\/ or postgresql:\/\/, not mysql:\/\//],
  ])('refuses %s with one clear line', (url, message) => {
    expect(() => loadConfig({ DATABASE_URL: url })).toThrow(ConfigError);
    expect(() => loadConfig({ DATABASE_URL: url })).toThrow(message);
  });

  it('never shows the password', () => {
    expect(redactPostgresUrl('postgres://app:s3cret@h1,h2/db')).toBe('postgres://app:***@h1,h2/db');
    expect(redactedUrl('postgres://app:s3cret@h1:5432,h2:5433/db')).toBe('postgres://app:***@h1:5432,h2:5433/db');
  });

  it('stops `replicat serve` at start with exit code 2', async () => {
    const main = join(__dirname, '../../dist/src/main.js');
    const result = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
      const child = execFile(process.execPath, [main, 'serve'], { env: { ...process.env, DATABASE_URL: 'postgres://u@h1:5432,h2:0/db', PORT: '0' } }, (_e, _o, stderr) =>
        resolve({ code: child.exitCode, stderr }),
      );
    });
    expect(result.code).toBe(2);
    expect(result.stderr.trim()).toBe('replicat: DATABASE_URL host 2 of 2 ("h2:0") has no valid port (1 to 65535)');
  });
});

const onPostgres = process.env.DATABASE_URL ? describe : describe.skip;
onPostgres('the primary among several servers (PostgreSQL only: set DATABASE_URL)', () => {
  const pool = { poolSize: 2, connectTimeoutMs: 2000, statementTimeoutMs: 10_000 };

  it('skips a server that does not answer and uses the writable one', async () => {
    const real = new URL(process.env.DATABASE_URL!);
    const url = `postgres://${real.username}${real.password ? `:${real.password}` : ''}@127.0.0.1:1,${real.host}${real.pathname}?target_session_attrs=read-write`;
    const database = openPostgres({ url, ...pool });
    try {
      await database.ping();
      expect(database.server()).toBe(real.host);
    } finally {
      await database.close();
    }
  });

  it('answers Unavailable, naming each server, when none is writable', async () => {
    const database = openPostgres({ url: 'postgres://u@127.0.0.1:1,127.0.0.1:2/db', ...pool });
    try {
      await expect(reading(() => database.ping())).rejects.toThrow(Unavailable);
      expect(database.outage()).toMatch(/^no writable PostgreSQL server: 127\.0\.0\.1:1: .*ECONNREFUSED.*; 127\.0\.0\.1:2: /);
    } finally {
      await database.close();
    }
  });
});

describe('DATABASE_READ_URL', () => {
  it('takes several replica URLs, a comma apart', () => {
    const config = loadConfig({ DATABASE_URL: 'postgres://u@h1,h2/db', DATABASE_READ_URL: 'postgres://u:p@r1:5432/db, postgresql://u@r2/db' });
    expect(config.database.kind === 'postgres' && config.database.readUrls).toEqual(['postgres://u:p@r1:5432/db', 'postgresql://u@r2/db']);
    expect(config.database.kind === 'postgres' && config.database.maxReplicaLagMs).toBe(1000);
  });

  it.each([
    [{ DATABASE_READ_URL: 'postgres://u@r1/db' }, /^DATABASE_READ_URL names read replicas of a PostgreSQL primary: set DATABASE_URL too/],
    [{ DATABASE_URL: 'postgres://u@h/db', DATABASE_READ_URL: 'postgres://u@r1,r2/db' }, /^DATABASE_READ_URL: postgres:\/\/u@r1,r2\/db lists several servers/],
    [{ DATABASE_URL: 'postgres://u@h/db', DATABASE_READ_URL: 'postgres://u@r1:0/db' }, /^DATABASE_READ_URL the host \("r1:0"\) has no valid port/],
    [{ DATABASE_URL: 'postgres://u@h/db', REPLICAT_MAX_REPLICA_LAG_MS: 'soon' }, /^REPLICAT_MAX_REPLICA_LAG_MS must be an integer/],
  ])('refuses %j', (env, message) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(message);
  });
});
