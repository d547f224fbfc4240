import { resolve } from 'node:path';

/**
 * All configuration, read and validated once at start-up and passed down. Nothing below this file
 * reads process.env.
 */
export interface Config {
  readonly http: HttpConfig;
  readonly database: DatabaseConfig;
  readonly limits: Limits;
  readonly identity: LocalIdentityConfig;
  readonly namespace: NamespaceConfig;
  readonly logLevel: string;
}

export interface NamespaceConfig {
  /** Owner and group of `/`; the owner (and admins) may create at the top of the tree. */
  readonly rootOwner: string;
  readonly rootGroup: string;
  /** `disabled` turns every ACL check off: for measuring their cost only, never for a shared catalog. */
  readonly authorization: 'enforced' | 'disabled';
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
    namespace: {
      rootOwner: env.REPLICAT_ROOT_OWNER?.trim() || env.REPLICAT_LOCAL_DN?.trim() || '/O=replicat/CN=local',
      rootGroup: env.REPLICAT_ROOT_GROUP?.trim() || '',
      authorization: oneOf(env, 'REPLICAT_AUTHORIZATION', ['enforced', 'disabled'] as const, 'enforced'),
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

function oneOf<T extends string>(env: Env, name: string, allowed: readonly T[], fallback: T): T {
  const raw = env[name]?.trim();
  if (raw === undefined || raw === '') return fallback;
  if (!(allowed as readonly string[]).includes(raw)) {
    throw new ConfigError(`${name} must be one of ${allowed.join(', ')}, not ${JSON.stringify(raw)}`);
  }
  return raw as T;
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
