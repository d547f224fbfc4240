import { accessSync, constants, statSync } from 'node:fs';
import { parsePassword } from './core/accounts/account';
import { isIP } from 'node:net';
import { resolve } from 'node:path';
import type { LoginThrottleSettings } from './auth/login-throttle';
import type { MetadataSettings } from './core/metadata/metadata-settings';
import type { NameSettings } from './core/names/name-settings';
import type { StorageSettings } from './core/storage/storage-settings';
import { isMultiHost, MalformedPostgresUrl, parsePostgresUrl, redactPostgresUrl } from './db/postgres/multi-host-url';
import { DEFAULT_SOAP_MAX_BODY_BYTES } from './face-options';

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
  /** HTTPS with client certificates; undefined unless TLS_CERT and TLS_KEY are both set. */
  readonly tls: TlsConfig | undefined;
  readonly auth: AuthConfig;
  readonly metadata: MetadataSettings;
  readonly storage: StorageSettings;
  readonly names: NameSettings;
  readonly logLevel: string;
  /** Processes serving on the same port (Node cluster); more than one needs PostgreSQL. */
  readonly workers: number;
  /**
   * How far V8 lets the heap grow past the data still live after a full collection before the next one, in
   * percent (0: V8's own choice). V8 on its own lets a busy process's heap reach up to four times its live
   * data: streaming 1,000,000 LFNs kept 27 MB live yet grew the service by 120 MB of garbage waiting for
   * collection. At 50 the same stream grows it by ~50 MB, for full collections of a few ms three times as often.
   */
  readonly heapGrowthPercent: number;
}

export interface NamespaceConfig {
  /** Owner and group of `/`; the owner (and admins) may create at the top of the tree. */
  readonly rootOwner: string;
  readonly rootGroup: string;
  /** `disabled` turns every ACL check off: for measuring their cost only, never for a shared catalog. */
  readonly authorization: 'enforced' | 'disabled';
}

export interface TlsConfig {
  readonly port: number;
  readonly certFile: string;
  readonly keyFile: string;
}

export interface AuthConfig {
  /** Whether a request without credentials acts as the local identity (`identity`) instead of getting 401. */
  readonly allowAnonymous: boolean;
  /** The password of the `admin` account created on first start; generated and printed once when unset. */
  readonly adminPassword: string | undefined;
  readonly x509: X509Config;
  /** Peers (addresses or CIDRs) whose client-certificate header is believed: TLS-terminating front ends. */
  readonly trustedProxies: readonly string[];
  /** The header a trusted front end puts the client's URL-escaped PEM chain in (lower case). */
  readonly clientCertHeader: string;
  /**
   * How long a bearer token's identity is remembered after a lookup (0 or absent: never). Changes to
   * accounts made through the same instance apply at once; made elsewhere, after at most this long.
   */
  readonly tokenCacheMs?: number;
  /**
   * How long a verified password is remembered (0: never), so that Basic requests do not each pay for
   * scrypt. A new password, a disabled or deleted account ends it on the next request, on any instance.
   */
  readonly passwordCacheSeconds?: number;
  /** When failed logins make further tries wait (429 with Retry-After). */
  readonly loginThrottle?: LoginThrottleSettings;
  /** Password hashes computed at once, and checks that may wait for one; more are refused (429). */
  readonly passwordChecks?: { readonly concurrency: number; readonly queue: number };
}

export interface X509Config {
  /** The CA directory (hashed `*.0` certificates, `*.r0` CRLs); without it no certificate is accepted. */
  readonly certDir: string | undefined;
  /** The VOMS directory (`<vo>/<host>.lsc` or certificate files); without it VOMS proxies are refused. */
  readonly vomsDir: string | undefined;
  /** How often both directories are re-read (fetch-crl rewrites CRLs while the service runs). */
  readonly refreshSeconds: number;
  /** Host names this service answers to, for VOMS ACs restricted to targets. */
  readonly vomsTargets: readonly string[];
}

export interface HttpConfig {
  readonly port: number;
  readonly host: string;
  /** The longest a request may take to arrive, from its headers; slower ones are cut (slow-loris). */
  readonly requestTimeoutMs: number;
  /**
   * A streamed (NDJSON) request body is read as fast as its answer is written, so it is not bound by the
   * request timeout: it is cut when no byte moved either way for this long.
   */
  readonly streamIdleTimeoutMs: number;
  /** The longest a client may take to send its request headers. */
  readonly headersTimeoutMs: number;
  /** On SIGTERM/SIGINT, how long requests in flight may take to finish before their connections are cut. */
  readonly drainTimeoutMs: number;
}

export type DatabaseConfig =
  | {
      readonly kind: 'postgres';
      readonly url: string;
      readonly poolSize: number;
      readonly connectTimeoutMs: number;
      /** How long one statement may run; 0: no limit. */
      readonly statementTimeoutMs: number;
      /** Read replicas (DATABASE_READ_URL): streaming standbys of the primary, one server each. */
      readonly readUrls: readonly string[];
      /** A replica further behind the primary than this serves no read without a token. */
      readonly maxReplicaLagMs: number;
      /** How long a read carrying a consistency token waits for a replica to replay that far, then takes the primary. */
      readonly replicaWaitMs: number;
    }
  | { readonly kind: 'pglite'; readonly dataDir: string | undefined; readonly statementTimeoutMs: number };

export interface Limits {
  /** Items in one bulk request; more is refused as a whole (413). */
  readonly maxItems: number;
  /** Bytes of one request body; more is refused (413). */
  readonly maxBodyBytes: number;
  /** Bytes of one SOAP envelope; more is refused with a fault before the rest is read. */
  readonly maxSoapBodyBytes: number;
  /** Page size of listings when the caller does not say, and the most it may ask for. */
  readonly defaultPageSize: number;
  readonly maxPageSize: number;
  /** Bearer token lifetime when the caller does not ask, and the most a caller may ask. */
  readonly tokenTtlSeconds: number;
  readonly maxTokenTtlSeconds: number;
  /** Names in one storage-index rank request, and bytes of its body (streamed, not buffered). */
  readonly maxRankNames: number;
  readonly maxRankBodyBytes: number;
}

/** The identity of requests without credentials, when anonymous access is allowed. */
export interface LocalIdentityConfig {
  readonly dn: string;
  readonly group: string;
}

export class ConfigError extends Error {}

/** The rule the change-password API applies (parsePassword), so a password the environment sets can also be set again. */
function adminPassword(text: string | undefined): string | undefined {
  if (text === undefined || text === '') return undefined;
  try {
    return parsePassword(text);
  } catch (error) {
    throw new ConfigError(`REPLICAT_ADMIN_PASSWORD: ${(error as Error).message}`);
  }
}

type Env = Readonly<Record<string, string | undefined>>;

export function loadConfig(env: Env = process.env): Config {
  const databaseUrl = env.DATABASE_URL?.trim();
  const statementTimeoutMs = statementTimeout(env);
  const database: DatabaseConfig = databaseUrl
    ? {
        kind: 'postgres',
        url: checkDatabaseUrl(databaseUrl),
        poolSize: integer(env, 'REPLICAT_DB_POOL', 10, 1, 1000),
        connectTimeoutMs: integer(env, 'REPLICAT_DB_CONNECT_TIMEOUT_MS', 5000, 100, 600_000),
        statementTimeoutMs,
        readUrls: readUrls(env.DATABASE_READ_URL),
        maxReplicaLagMs: integer(env, 'REPLICAT_MAX_REPLICA_LAG_MS', 1000, 0, 3_600_000),
        replicaWaitMs: integer(env, 'REPLICAT_REPLICA_WAIT_MS', 1000, 0, 60_000),
      }
    : pglite(env, statementTimeoutMs);
  return {
    http: httpConfig(env),
    database,
    limits: {
      maxItems: integer(env, 'REPLICAT_MAX_ITEMS', 10_000, 1, 10_000_000),
      maxBodyBytes: integer(env, 'REPLICAT_MAX_BODY_BYTES', 32 * 1024 * 1024, 1024, 2 ** 31),
      maxSoapBodyBytes: integer(env, 'REPLICAT_SOAP_MAX_BODY_BYTES', DEFAULT_SOAP_MAX_BODY_BYTES, 1024, 2 ** 31),
      defaultPageSize: integer(env, 'REPLICAT_PAGE_SIZE', 1000, 1, 100_000),
      maxPageSize: integer(env, 'REPLICAT_MAX_PAGE_SIZE', 10_000, 1, 1_000_000),
      tokenTtlSeconds: integer(env, 'REPLICAT_TOKEN_TTL_SECONDS', 12 * 3600, 60, 365 * 24 * 3600),
      maxTokenTtlSeconds: integer(env, 'REPLICAT_TOKEN_MAX_TTL_SECONDS', 30 * 24 * 3600, 60, 365 * 24 * 3600),
      maxRankNames: integer(env, 'REPLICAT_RANK_MAX_NAMES', 1_000_000, 1, 100_000_000),
      maxRankBodyBytes: integer(env, 'REPLICAT_RANK_MAX_BODY_BYTES', 256 * 1024 * 1024, 1024, 2 ** 40),
    },
    identity: {
      dn: env.REPLICAT_LOCAL_DN?.trim() || '/O=replicat/CN=local',
      group: env.REPLICAT_LOCAL_GROUP?.trim() || '',
    },
    namespace: {
      rootOwner: env.REPLICAT_ROOT_OWNER?.trim() || 'local:admin',
      rootGroup: env.REPLICAT_ROOT_GROUP?.trim() || '',
      authorization: oneOf(env, 'REPLICAT_AUTHORIZATION', ['enforced', 'disabled'] as const, 'enforced'),
    },
    tls: tlsConfig(env),
    auth: {
      allowAnonymous: boolean(env, 'REPLICAT_ALLOW_ANONYMOUS', false),
      adminPassword: adminPassword(env.REPLICAT_ADMIN_PASSWORD),
      x509: {
        certDir: optionalPath(env, 'X509_CERT_DIR', 'directory'),
        vomsDir: optionalPath(env, 'X509_VOMS_DIR', 'directory'),
        refreshSeconds: integer(env, 'X509_REFRESH_SECONDS', 300, 0, 86_400),
        vomsTargets: list(env.REPLICAT_VOMS_TARGETS),
      },
      trustedProxies: list(env.REPLICAT_TRUSTED_PROXIES).map(checkPeer),
      clientCertHeader: (env.REPLICAT_CLIENT_CERT_HEADER?.trim() || 'ssl-client-escaped-cert').toLowerCase(),
      tokenCacheMs: integer(env, 'REPLICAT_TOKEN_CACHE_MS', 2000, 0, 60_000),
      passwordCacheSeconds: integer(env, 'REPLICAT_PASSWORD_CACHE_SECONDS', 60, 0, 3600),
      loginThrottle: {
        userAddressFailures: integer(env, 'REPLICAT_LOGIN_FAILURES_PER_USER_ADDRESS', 5, 1, 1000),
        addressFailures: integer(env, 'REPLICAT_LOGIN_FAILURES_PER_ADDRESS', 30, 1, 100_000),
        userFailures: integer(env, 'REPLICAT_LOGIN_FAILURES_PER_USER', 50, 1, 100_000),
        maxBackoffSeconds: integer(env, 'REPLICAT_LOGIN_MAX_BACKOFF_SECONDS', 900, 1, 86_400),
      },
      passwordChecks: {
        // One thread of libuv's pool stays free for file access, DNS and zlib whatever the logins do.
        concurrency: integer(env, 'REPLICAT_PASSWORD_CHECKS', Math.max(1, integer(env, 'UV_THREADPOOL_SIZE', 4, 1, 1024) - 1), 1, 1024),
        queue: integer(env, 'REPLICAT_PASSWORD_CHECK_QUEUE', 64, 0, 100_000),
      },
    },
    metadata: {
      // Off by default: a typo in an attribute name should fail, not quietly define a new attribute.
      freeFormAttributes: boolean(env, 'REPLICAT_FREE_FORM_ATTRIBUTES', false),
      // Schemas are shared by every user (attribute names are global): admins only unless the site says so.
      schemaManagers: oneOf(env, 'REPLICAT_SCHEMA_MANAGERS', ['admins', 'everyone'] as const, 'admins'),
    },
    storage: {
      // Allowed by default so that catalogs and clients from before the registry keep working.
      unregisteredSes: oneOf(env, 'REPLICAT_UNREGISTERED_SES', ['allow', 'refuse'] as const, 'allow'),
    },
    names: {
      // Refused by default: bidi overrides and zero-width characters let one name pass for another in a listing.
      allowInvisibleCharacters: boolean(env, 'REPLICAT_ALLOW_INVISIBLE_NAME_CHARACTERS', false),
    },
    logLevel: env.LOG_LEVEL?.trim() || 'info',
    workers: workerCount(env, database),
    heapGrowthPercent: integer(env, 'REPLICAT_HEAP_GROWTH_PERCENT', 50, 0, 1000),
  };
}

function pglite(env: Env, statementTimeoutMs: number): DatabaseConfig {
  if (env.DATABASE_READ_URL?.trim()) {
    throw new ConfigError('DATABASE_READ_URL names read replicas of a PostgreSQL primary: set DATABASE_URL too (the embedded PGlite has none)');
  }
  return { kind: 'pglite', dataDir: pgliteDir(env.REPLICAT_DATA), statementTimeoutMs };
}

/**
 * DATABASE_READ_URL: replica URLs separated by commas. A comma also separates libpq's multi-host
 * servers, so a new URL starts only where a scheme does; each must name one server.
 */
function readUrls(value: string | undefined): string[] {
  const urls = (value ?? '').split(/,(?=\s*[A-Za-z][A-Za-z0-9+.-]*:\/\/)/).map((u) => u.trim()).filter((u) => u !== '');
  return urls.map((url) => {
    if (isMultiHost(url)) throw new ConfigError(`DATABASE_READ_URL: ${redactPostgresUrl(url)} lists several servers; give each replica a URL of its own`);
    return checkDatabaseUrl(url, 'DATABASE_READ_URL');
  });
}

function workerCount(env: Env, database: DatabaseConfig): number {
  const workers = integer(env, 'REPLICAT_WORKERS', 1, 1, 256);
  if (workers > 1 && database.kind === 'pglite') {
    // PGlite is a database inside one process: other processes cannot share it.
    throw new ConfigError('REPLICAT_WORKERS above 1 needs PostgreSQL (DATABASE_URL); the embedded PGlite serves one process');
  }
  return workers;
}

function httpConfig(env: Env): HttpConfig {
  const requestTimeoutMs = integer(env, 'REPLICAT_REQUEST_TIMEOUT_MS', 120_000, 1000, 3_600_000);
  // Node requires the headers timeout to be at most the request timeout.
  const headersTimeoutMs = integer(env, 'REPLICAT_HEADERS_TIMEOUT_MS', Math.min(20_000, requestTimeoutMs), 1000, requestTimeoutMs);
  return {
    port: integer(env, 'PORT', 8080, 0, 65535),
    host: env.HOST?.trim() || '0.0.0.0',
    requestTimeoutMs,
    headersTimeoutMs,
    streamIdleTimeoutMs: integer(env, 'REPLICAT_STREAM_IDLE_TIMEOUT_MS', 60_000, 1000, 3_600_000),
    drainTimeoutMs: integer(env, 'REPLICAT_DRAIN_TIMEOUT_MS', 25_000, 0, 3_600_000),
  };
}

function tlsConfig(env: Env): TlsConfig | undefined {
  const certFile = optionalPath(env, 'TLS_CERT', 'file');
  const keyFile = optionalPath(env, 'TLS_KEY', 'file');
  if (certFile === undefined && keyFile === undefined) return undefined;
  if (certFile === undefined || keyFile === undefined) throw new ConfigError('HTTPS needs both TLS_CERT and TLS_KEY');
  return { port: integer(env, 'TLS_PORT', 8443, 0, 65535), certFile, keyFile };
}

/**
 * A configured file or directory, checked now: a typo in a certificate path should stop the service at
 * start-up with its name, not fail the first HTTPS handshake or silently refuse every certificate.
 */
function optionalPath(env: Env, name: string, kind: 'file' | 'directory'): string | undefined {
  const trimmed = env[name]?.trim();
  if (!trimmed) return undefined;
  const path = resolve(trimmed);
  try {
    const isKind = kind === 'file' ? statSync(path).isFile() : statSync(path).isDirectory();
    if (!isKind) throw new ConfigError(`${name}: ${path} is not a ${kind}`);
    accessSync(path, kind === 'file' ? constants.R_OK : constants.R_OK | constants.X_OK);
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'does not exist' : code === 'EACCES' ? 'is not readable by this user' : `cannot be read (${code ?? String(error)})`;
    throw new ConfigError(`${name}: ${path} ${reason}`);
  }
  return path;
}

function list(value: string | undefined): string[] {
  return (value ?? '').split(',').map((v) => v.trim()).filter((v) => v !== '');
}

/** An address (`10.0.0.5`, `::1`) or a CIDR block (`10.0.0.0/8`, `fd00::/8`). */
function checkPeer(peer: string): string {
  const [address, bits, extra] = peer.split('/');
  const family = isIP(address ?? '');
  const max = family === 4 ? 32 : 128;
  if (family === 0 || extra !== undefined || (bits !== undefined && !(/^\d+$/.test(bits) && Number(bits) <= max))) {
    throw new ConfigError(`REPLICAT_TRUSTED_PROXIES: ${JSON.stringify(peer)} is not an IP address or CIDR block`);
  }
  return peer;
}

function boolean(env: Env, name: string, fallback: boolean): boolean {
  const raw = env[name]?.trim().toLowerCase();
  if (raw === undefined || raw === '') return fallback;
  if (['1', 'true', 'yes', 'on'].includes(raw)) return true;
  if (['0', 'false', 'no', 'off'].includes(raw)) return false;
  throw new ConfigError(`${name} must be true or false, not ${JSON.stringify(raw)}`);
}

/** One SQL statement's deadline on either engine: 0 turns it off, else at least 100 ms. */
function statementTimeout(env: Env): number {
  const name = 'REPLICAT_DB_STATEMENT_TIMEOUT_MS';
  const ms = integer(env, name, 30_000, 0, 3_600_000);
  if (ms > 0 && ms < 100) throw new ConfigError(`${name} must be 0 (no limit) or from 100 to 3600000, not ${JSON.stringify(env[name]?.trim())}`);
  return ms;
}

function pgliteDir(value: string | undefined): string | undefined {
  const dir = value?.trim() || './var/data';
  // `memory:` keeps nothing on disk: handy for demos and tests.
  return dir === 'memory:' ? undefined : resolve(dir);
}

function checkDatabaseUrl(url: string, name = 'DATABASE_URL'): string {
  if (isMultiHost(url)) return checkServers(url, name);
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new ConfigError(`${name} is not a URL (expected postgres://user@host:5432/database)`);
  }
  if (parsed.protocol !== 'postgres:' && parsed.protocol !== 'postgresql:') {
    throw new ConfigError(`${name} must use postgres:// or postgresql://, not ${parsed.protocol}//`);
  }
  // A host-less URL would silently try the local Unix socket; say which server is meant.
  if (parsed.hostname === '' && !parsed.searchParams.has('host')) {
    throw new ConfigError(`${name} names no host (expected postgres://user@host:5432/database)`);
  }
  // A socket directory given as ?host= is the driver's to read.
  return parsed.hostname === '' ? url : checkServers(url, name);
}

/** Each server of a URL (libpq's multi-host form too) and its target_session_attrs, read as the pool will. */
function checkServers(url: string, name: string): string {
  try {
    parsePostgresUrl(url);
  } catch (error) {
    if (error instanceof MalformedPostgresUrl) throw new ConfigError(`${name} ${error.message}`);
    throw error;
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
