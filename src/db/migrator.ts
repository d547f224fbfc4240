import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sql } from 'kysely';
import type { DatabaseHandle } from './database-handle';
import { packageRoot } from '../package-root';

export interface Migration {
  readonly version: string;
  readonly name: string;
  readonly script: string;
  readonly checksum: string;
}

export interface MigrationReport {
  readonly applied: readonly string[];
  readonly alreadyApplied: number;
}

// Any constant shared by all instances of replicat; it names the advisory lock that serializes migrators.
const MIGRATION_LOCK_KEY = 0x7265706c; // "repl"

const FILE_NAME = /^(\d{4})_([a-z0-9_]+)\.sql$/;

export function migrationsDirectory(): string {
  return join(packageRoot(), 'migrations');
}

/** Reads `NNNN_name.sql` files in version order. */
export function loadMigrations(directory = migrationsDirectory()): Migration[] {
  return readdirSync(directory)
    .filter((file) => file.endsWith('.sql'))
    .sort()
    .map((file) => {
      const match = FILE_NAME.exec(file);
      if (!match) throw new Error(`migration file name must look like 0001_name.sql: ${file}`);
      const script = readFileSync(join(directory, file), 'utf8');
      return {
        version: match[1]!,
        name: match[2]!,
        script,
        checksum: createHash('sha256').update(script).digest('hex'),
      };
    });
}

/**
 * Applies pending migrations in one transaction under an advisory lock, so two instances starting at
 * once apply each migration exactly once: the second waits, then finds nothing left to do. A migration
 * that was edited after it was applied is refused (they are forward-only and never edited).
 */
export async function migrate(handle: DatabaseHandle, migrations = loadMigrations()): Promise<MigrationReport> {
  return handle.db.transaction().execute(async (trx) => {
    await sql`SELECT pg_advisory_xact_lock(${MIGRATION_LOCK_KEY})`.execute(trx);
    await sql`CREATE TABLE IF NOT EXISTS schema_migrations (
      version text PRIMARY KEY,
      name text NOT NULL,
      checksum text NOT NULL,
      applied_at timestamptz NOT NULL DEFAULT now()
    )`.execute(trx);
    const done = new Map(
      (await trx.selectFrom('schema_migrations').select(['version', 'checksum']).execute()).map((row) => [
        row.version,
        row.checksum,
      ]),
    );
    const applied: string[] = [];
    for (const migration of migrations) {
      const recorded = done.get(migration.version);
      if (recorded !== undefined) {
        if (recorded !== migration.checksum) {
          throw new Error(`migration ${migration.version}_${migration.name} was changed after it was applied`);
        }
        continue;
      }
      await handle.executeScript(trx, migration.script);
      await trx
        .insertInto('schema_migrations')
        .values({ version: migration.version, name: migration.name, checksum: migration.checksum })
        .execute();
      applied.push(`${migration.version}_${migration.name}`);
    }
    return { applied, alreadyApplied: done.size };
  });
}
