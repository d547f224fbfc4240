import { resolve } from 'node:path';
import type { MetadataSettings } from './core/metadata/metadata-settings';

/**
 * All configuration, read and validated once at start-up and passed down. Nothing below this file
 * reads process.env.
 */
export interface Config {
  readonly http: HttpConfig;
  readonly database: DatabaseConfig;
  readonly limits: Limits;
  readonly identity: LocalIdentityConfig;
  readonly metadata: MetadataSettings;
  readonly logLevel: string;
}

export interface HttpConfig {
  readonly port: number;
  readonly host: string;
}

export type DatabaseConfig =
  | {
      readonly kind: 'postgres';
      readonly url: string;
      readonly poolSize: number;
      readonly connectTimeoutMs: number;
      readonly statementTimeoutMs: number;
    }
  | { readonly kind: 'pglite'; readonly dataDir: string | undefined };

export interface Limits {
  /** Items in one bulk request; more is refused as a whole (413). */
  readonly maxItems: number;
  /** Bytes of one request body; more is refused (413). */
  readonly maxBodyBytes: number;
  /** Page size of listings when the caller does not say, and the most it may ask for. */
  readonly defaultPageSize: number;
  readonly maxPageSize: number;
}

/** Until X.509 and accounts land, every request acts as this one identity. */
export interface LocalIdentityConfig {
  readonly dn: string;
  readonly group: string;
}

export class ConfigError extends Error {}

type Env = Readonly<Record<string, string | undefined>>;

export function loadConfig(env: Env = process.env): Config {
  const databaseUrl = env.DATABASE_URL?.trim();
  const database: DatabaseConfig = databaseUrl
    ? {
        kind: 'postgres',
        url: checkDatabaseUrl(databaseUrl),
        poolSize: integer(env, 'REPLICAT_DB_POOL', 10, 1, 1000),
        connectTimeoutMs: integer(env, 'REPLICAT_DB_CONNECT_TIMEOUT_MS', 5000, 100, 600_000),
        statementTimeoutMs: integer(env, 'REPLICAT_DB_STATEMENT_TIMEOUT_MS', 120_000, 100, 3_600_000),
      }
    : { kind: 'pglite', dataDir: pgliteDir(env.REPLICAT_DATA) };
  return {
    http: {
      port: integer(env, 'PORT', 8080, 0, 65535),
      host: env.HOST?.trim() || '0.0.0.0',
    },
    database,
    limits: {
      maxItems: integer(env, 'REPLICAT_MAX_ITEMS', 10_000, 1, 10_000_000),
      maxBodyBytes: integer(env, 'REPLICAT_MAX_BODY_BYTES', 32 * 1024 * 1024, 1024, 2 ** 31),
      defaultPageSize: integer(env, 'REPLICAT_PAGE_SIZE', 1000, 1, 100_000),
      maxPageSize: integer(env, 'REPLICAT_MAX_PAGE_SIZE', 10_000, 1, 1_000_000),
    },
    identity: {
      dn: env.REPLICAT_LOCAL_DN?.trim() || '/O=replicat/CN=local',
      group: env.REPLICAT_LOCAL_GROUP?.trim() || '',
    },
    metadata: {
      // Off by default: a typo in an attribute name should fail, not quietly define a new attribute.
      freeFormAttributes: boolean(env, 'REPLICAT_FREE_FORM_ATTRIBUTES', false),
    },
    logLevel: env.LOG_LEVEL?.trim() || 'info',
  };
}

function pgliteDir(value: string | undefined): string | undefined {
  const dir = value?.trim() || './var/data';
  // `memory:` keeps nothing on disk: handy for demos and tests.
  return dir === 'memory:' ? undefined : resolve(dir);
}

function checkDatabaseUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new ConfigError('DATABASE_URL is not a URL (expected postgres://user@host:5432/database)');
  }
  if (parsed.protocol !== 'postgres:' && parsed.protocol !== 'postgresql:') {
    throw new ConfigError(`DATABASE_URL must use postgres:// or postgresql://, not ${parsed.protocol}//`);
  }
  return url;
}

function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name]?.trim();
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError(`${name} must be an integer from ${min} to ${max}, not ${JSON.stringify(raw)}`);
  }
  return value;
}

function boolean(env: Env, name: string, fallback: boolean): boolean {
  const raw = env[name]?.trim().toLowerCase();
  if (raw === undefined || raw === '') return fallback;
  if (['1', 'true', 'yes', 'on'].includes(raw)) return true;
  if (['0', 'false', 'no', 'off'].includes(raw)) return false;
  throw new ConfigError(`${name} must be true or false, not ${JSON.stringify(env[name])}`);
}
