/**
 * Core operations without HTTP, on PostgreSQL: where the time of a bulk goes before REST adds its share.
 *   npm run build && node dist/bench/core-ops.js [--items 10000] [--rounds 3]
 * Profile with: node --cpu-prof dist/bench/core-ops.js
 */
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import * as core from '../src/core';
import { migrate } from '../src/db/migrator';
import { openPostgres } from '../src/db/postgres/postgres-database';

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const arg = (name: string, fallback: number) => {
    const i = argv.indexOf(`--${name}`);
    return i >= 0 ? Number(argv[i + 1]) : fallback;
  };
  const items = arg('items', 10_000);
  const rounds = arg('rounds', 3);
  const adminUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const name = `replicat_coreops_${randomUUID().replaceAll('-', '')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const handle = openPostgres({ url: url.toString(), poolSize: 4, connectTimeoutMs: 5000, statementTimeoutMs: 600_000 });
  try {
    await migrate(handle);
    const ctx = { db: handle.db, identity: { dn: '/CN=bench', group: '', groups: [] }, limits: { maxItems: 1_000_000, defaultPageSize: 1000, maxPageSize: 10_000 } };
    await core.setRootOwner(handle.db, ctx.identity.dn, '');
    await core.makeDirectories(ctx, [{ lfn: '/b', parents: true }]);
    const unchecked = { ...ctx, authorization: 'disabled' as const };
    const time = async (label: string, work: () => Promise<unknown>) => {
      const started = performance.now();
      await work();
      const ms = performance.now() - started;
      console.log(`${label.padEnd(28)} ${String(Math.round(ms)).padStart(6)} ms  ${Math.round((items / ms) * 1000)} items/s`);
    };
    for (let r = 0; r < rounds; r++) {
      const files = Array.from({ length: items }, (_, i) => ({
        lfn: `/b/r${r}-f${i}`,
        size: i,
        checksum: { type: 'adler32', value: (i * 7919).toString(16) },
        replicas: [{ surl: `srm://se${i % 5}.example.org/b/r${r}-f${i}` }],
      }));
      await time(`createFiles ${items}`, () => core.createFiles(ctx, files));
      await time(`statEntries ${items} (ACLs)`, () => core.statEntries(ctx, files.map((f) => ({ lfn: f.lfn }))));
      await time(`statEntries ${items} (no ACLs)`, () => core.statEntries(unchecked, files.map((f) => ({ lfn: f.lfn }))));
      await time(`listReplicas ${items}`, () => core.listReplicas(ctx, files.map((f) => ({ lfn: f.lfn }))));
    }
  } finally {
    await handle.close();
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
