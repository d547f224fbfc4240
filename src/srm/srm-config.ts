import { accessSync, constants, mkdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { resolve, sep } from 'node:path';
import { createSecureContext } from 'node:tls';
import { ConfigError } from '../config';
import type { SrmSettings } from './srm-service';
import { MIN_SECRET_LENGTH } from './turl-signer';

/**
 * The settings of `replicat srm` and `replicat storage`, read and validated once at start-up from the
 * command's options and the environment (an option wins over its variable), like src/config.ts does for
 * the catalog: a bad value is a ConfigError naming the option or variable it came from (exit 2).
 */
export interface SrmConfig extends Pick<SrmSettings, 'ses' | 'stagingDelayMs' | 'pinLifetimeMs' | 'maxPinLifetimeMs' | 'putLifetimeMs' | 'requestRetentionMs'> {
  readonly listen: ListenConfig;
  readonly catalog: CatalogConfig;
  /** Whether this process serves the bytes behind TURLs too (false: a `replicat storage` process does). */
  readonly serveData: boolean;
  readonly secret: TurlSecret;
  readonly logLevel: string;
  /** Things worth a warning in the log at start (a secret file others can read, …). */
  readonly warnings: readonly string[];
}

export interface StorageConfig {
  readonly listen: ListenConfig;
  readonly ses: ReadonlyMap<string, string>;
  readonly secret: TurlSecret & { readonly generated: false };
  readonly logLevel: string;
  readonly warnings: readonly string[];
}

export interface ListenConfig {
  readonly host: string;
  readonly port: number;
  /** HTTPS instead of HTTP on the port, when both files are given. */
  readonly tls: { readonly certFile: string; readonly keyFile: string } | undefined;
  /** On SIGTERM/SIGINT, how long requests in flight (transfers too) may take to finish. */
  readonly drainTimeoutMs: number;
}

export interface CatalogConfig {
  readonly url: string;
  /** PEM certificates to trust for the catalog's own certificate. */
  readonly ca: string | undefined;
  /**
   * The SRM's own credentials, used only to read the SE registry at start-up (to warn about SEs it does not
   * know); every SRM operation uses its caller's credentials instead.
   */
  readonly startupAuthorization: string | undefined;
}

/** The TURL signing secret: configured (shared with storage processes), or made up at start. */
export type TurlSecret = { readonly generated: false; readonly value: Buffer } | { readonly generated: true };

/** The options of `replicat srm` as commander gives them (camel case). */
export type SrmFlags = Readonly<Record<string, unknown>>;

export const SRM_DEFAULT_PORT = 8446;
export const STORAGE_DEFAULT_PORT = 8447;
const CATALOG_DEFAULT_URL = 'http://127.0.0.1:8080';

type Env = Readonly<Record<string, string | undefined>>;

/** One setting: the commander key of its option, the option as typed, and its environment variable. */
interface Setting {
  readonly key: string;
  readonly flag: string;
  readonly env: string;
}

/** What both processes share, each under its own prefix: where they listen and which SEs they serve. */
function listenerSettings(prefix: 'REPLICAT_SRM' | 'REPLICAT_STORAGE') {
  return {
    host: { key: 'host', flag: '--host', env: `${prefix}_HOST` },
    port: { key: 'port', flag: '--port', env: `${prefix}_PORT` },
    tlsCert: { key: 'tlsCert', flag: '--tls-cert', env: `${prefix}_TLS_CERT` },
    tlsKey: { key: 'tlsKey', flag: '--tls-key', env: `${prefix}_TLS_KEY` },
    ses: { key: 'se', flag: '--se', env: `${prefix}_SES` },
  } as const satisfies Record<string, Setting>;
}

const SRM = {
  ...listenerSettings('REPLICAT_SRM'),
  catalog: { key: 'catalog', flag: '--catalog', env: 'REPLICAT_SRM_CATALOG' },
  catalogCa: { key: 'catalogCa', flag: '--catalog-ca', env: 'REPLICAT_SRM_CATALOG_CA' },
  stagingDelay: { key: 'stagingDelay', flag: '--staging-delay', env: 'REPLICAT_SRM_STAGING_DELAY_SECONDS' },
  pinLifetime: { key: 'pinLifetime', flag: '--pin-lifetime', env: 'REPLICAT_SRM_PIN_LIFETIME_SECONDS' },
  maxPinLifetime: { key: 'maxPinLifetime', flag: '--max-pin-lifetime', env: 'REPLICAT_SRM_MAX_PIN_LIFETIME_SECONDS' },
  putLifetime: { key: 'putLifetime', flag: '--put-lifetime', env: 'REPLICAT_SRM_PUT_LIFETIME_SECONDS' },
  requestRetention: { key: 'requestRetention', flag: '--request-retention', env: 'REPLICAT_SRM_REQUEST_RETENTION_SECONDS' },
  data: { key: 'data', flag: '--no-data', env: 'REPLICAT_SRM_DATA' },
  secretFile: { key: 'secretFile', flag: '--secret-file', env: 'REPLICAT_SRM_SECRET_FILE' },
} as const satisfies Record<string, Setting>;

const STORAGE = {
  ...listenerSettings('REPLICAT_STORAGE'),
  secretFile: SRM.secretFile,
} as const satisfies Record<string, Setting>;

/** The secret itself is taken from the environment or a file only: a command line is visible in `ps`. */
const SECRET_ENV = 'REPLICAT_SRM_SECRET';

const DAY = 86_400;

export function loadSrmConfig(flags: SrmFlags, env: Env = process.env): SrmConfig {
  const read = new Settings(flags, env);
  const warnings: string[] = [];
  const serveData = read.boolean(SRM.data, true);
  const pinLifetimeMs = read.seconds(SRM.pinLifetime, 1800, 1, 30 * DAY);
  const maxPinLifetimeMs = read.seconds(SRM.maxPinLifetime, DAY, 1, 365 * DAY);
  if (pinLifetimeMs > maxPinLifetimeMs) {
    throw new ConfigError(`the pin lifetime (${pinLifetimeMs / 1000} s) is longer than the longest pin allowed (${maxPinLifetimeMs / 1000} s, ${SRM.maxPinLifetime.flag})`);
  }
  const secret = readSecret(read, env, warnings);
  if (secret === undefined && !serveData) {
    throw new ConfigError(
      `--no-data needs the TURL signing secret it shares with the storage process: set ${SECRET_ENV} or ${SRM.secretFile.flag} (${SRM.secretFile.env})`,
    );
  }
  return {
    listen: listenConfig(read, env, SRM, SRM_DEFAULT_PORT),
    catalog: {
      url: catalogUrl(read, env),
      ca: catalogCa(read),
      startupAuthorization: startupAuthorization(env),
    },
    ses: read.ses(SRM.ses),
    stagingDelayMs: read.seconds(SRM.stagingDelay, 10, 0, DAY),
    pinLifetimeMs,
    maxPinLifetimeMs,
    putLifetimeMs: read.seconds(SRM.putLifetime, 3600, 1, 7 * DAY),
    requestRetentionMs: read.seconds(SRM.requestRetention, 3600, 0, 30 * DAY),
    serveData,
    secret: secret ?? { generated: true },
    logLevel: env.LOG_LEVEL?.trim() || 'info',
    warnings,
  };
}

export function loadStorageConfig(flags: SrmFlags, env: Env = process.env): StorageConfig {
  const read = new Settings(flags, env);
  const warnings: string[] = [];
  const secret = readSecret(read, env, warnings);
  if (secret === undefined) {
    throw new ConfigError(
      `a storage process needs the TURL signing secret of the SRM whose TURLs it serves: set ${SECRET_ENV} or ${STORAGE.secretFile.flag} (${STORAGE.secretFile.env})`,
    );
  }
  return {
    listen: listenConfig(read, env, STORAGE, STORAGE_DEFAULT_PORT),
    ses: read.ses(STORAGE.ses),
    secret,
    logLevel: env.LOG_LEVEL?.trim() || 'info',
    warnings,
  };
}

/** Reads settings from the options first, then the environment, and says which one a bad value came from. */
class Settings {
  readonly #flags: SrmFlags;
  readonly #env: Env;

  constructor(flags: SrmFlags, env: Env) {
    this.#flags = flags;
    this.#env = env;
  }

  /** The raw value and the name to blame, or undefined when neither is set. */
  raw(setting: Setting): { readonly value: string; readonly name: string } | undefined {
    const flag = this.#flags[setting.key];
    if (typeof flag === 'string') return { value: flag.trim(), name: setting.flag };
    const env = this.#env[setting.env]?.trim();
    return env === undefined || env === '' ? undefined : { value: env, name: setting.env };
  }

  integer(setting: Setting, fallback: number, min: number, max: number): number {
    const raw = this.raw(setting);
    if (raw === undefined) return fallback;
    const value = Number(raw.value);
    if (!/^\d+$/.test(raw.value) || value < min || value > max) {
      throw new ConfigError(`${raw.name} must be an integer from ${min} to ${max}, not ${JSON.stringify(raw.value)}`);
    }
    return value;
  }

  /** A duration given in seconds (`30`, `0.5`), in milliseconds. */
  seconds(setting: Setting, fallback: number, min: number, max: number): number {
    const raw = this.raw(setting);
    if (raw === undefined) return fallback * 1000;
    const value = Number(raw.value);
    if (!/^\d+(\.\d{1,3})?$/.test(raw.value) || value < min || value > max) {
      throw new ConfigError(`${raw.name} must be a number of seconds from ${min} to ${max}, not ${JSON.stringify(raw.value)}`);
    }
    return Math.round(value * 1000);
  }

  /** `--no-data` makes commander set `data: false`; absent, it is true and the variable decides. */
  boolean(setting: Setting, fallback: boolean): boolean {
    if (this.#flags[setting.key] === false) return false;
    const raw = this.#env[setting.env]?.trim().toLowerCase();
    if (raw === undefined || raw === '') return fallback;
    if (['1', 'true', 'yes', 'on'].includes(raw)) return true;
    if (['0', 'false', 'no', 'off'].includes(raw)) return false;
    throw new ConfigError(`${setting.env} must be true or false, not ${JSON.stringify(raw)}`);
  }

  /** A readable file, checked now: a typo should stop the start with its name, not fail the first request. */
  file(setting: Setting): string | undefined {
    const raw = this.raw(setting);
    return raw === undefined ? undefined : readableFile(raw.name, raw.value);
  }

  /**
   * The SEs served: `--se NAME=DIRECTORY` repeated, else `NAME=DIRECTORY,NAME=DIRECTORY` in the variable.
   * Each directory is made when missing and must be writable; two SEs may not share or nest directories
   * (one SE's paths would reach the other's files).
   */
  ses(setting: Setting): Map<string, string> {
    const flags = this.#flags[setting.key];
    const specs: { spec: string; name: string }[] = Array.isArray(flags)
      ? (flags as unknown[]).map((spec) => ({ spec: String(spec), name: setting.flag }))
      : (this.#env[setting.env] ?? '').split(',').map((spec) => ({ spec, name: setting.env })).filter((s) => s.spec.trim() !== '');
    if (specs.length === 0) {
      throw new ConfigError(`no storage elements to serve: give ${setting.flag} NAME=DIRECTORY (repeatable) or ${setting.env}=NAME=DIRECTORY,NAME=DIRECTORY`);
    }
    const ses = new Map<string, string>();
    for (const { spec, name } of specs) {
      const match = /^\s*([^=\s]+)\s*=\s*(\S.*?)\s*$/.exec(spec);
      if (match === null) throw new ConfigError(`${name}: ${JSON.stringify(spec)} is not NAME=DIRECTORY`);
      const [, se, directory] = match as unknown as [string, string, string];
      if (!SE_NAME.test(se)) {
        throw new ConfigError(`${name}: ${JSON.stringify(se)} is not a storage element name (1 to 128 of A-Z a-z 0-9 . _ -, as in the catalog's registry)`);
      }
      if (ses.has(se)) throw new ConfigError(`${name}: storage element ${se} is given twice`);
      ses.set(se, writableDirectory(name, se, directory));
    }
    const entries = [...ses];
    for (const [a, dirA] of entries) {
      for (const [b, dirB] of entries) {
        if (a !== b && (dirA === dirB || dirB.startsWith(dirA + sep))) {
          throw new ConfigError(`storage elements ${a} and ${b} share a directory (${dirA}, ${dirB}): give each its own`);
        }
      }
    }
    return ses;
  }
}

// The registry's rule for SE names (src/core/storage/storage-element.ts).
const SE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

function listenConfig(read: Settings, env: Env, settings: typeof SRM | typeof STORAGE, defaultPort: number): ListenConfig {
  const certFile = read.file(settings.tlsCert);
  const keyFile = read.file(settings.tlsKey);
  if ((certFile === undefined) !== (keyFile === undefined)) {
    throw new ConfigError(`HTTPS needs both ${settings.tlsCert.flag} and ${settings.tlsKey.flag} (${settings.tlsCert.env}, ${settings.tlsKey.env})`);
  }
  if (certFile !== undefined && keyFile !== undefined) {
    try {
      createSecureContext({ cert: readFileSync(certFile), key: readFileSync(keyFile) });
    } catch (error) {
      throw new ConfigError(`${certFile} and ${keyFile} are not a usable certificate and key: ${(error as Error).message}`);
    }
  }
  const drain = env.REPLICAT_DRAIN_TIMEOUT_MS?.trim();
  if (drain !== undefined && drain !== '' && !(/^\d+$/.test(drain) && Number(drain) <= 3_600_000)) {
    throw new ConfigError(`REPLICAT_DRAIN_TIMEOUT_MS must be an integer from 0 to 3600000, not ${JSON.stringify(drain)}`);
  }
  return {
    host: read.raw(settings.host)?.value ?? '0.0.0.0',
    port: read.integer(settings.port, defaultPort, 0, 65535),
    tls: certFile !== undefined && keyFile !== undefined ? { certFile, keyFile } : undefined,
    drainTimeoutMs: drain === undefined || drain === '' ? 25_000 : Number(drain),
  };
}

function catalogUrl(read: Settings, env: Env): string {
  const raw = read.raw(SRM.catalog) ?? (env.REPLICAT_ENDPOINT?.trim() ? { value: env.REPLICAT_ENDPOINT.trim(), name: 'REPLICAT_ENDPOINT' } : undefined);
  if (raw === undefined) return CATALOG_DEFAULT_URL;
  let url: URL;
  try {
    url = new URL(raw.value);
  } catch {
    throw new ConfigError(`${raw.name} is not a URL: ${JSON.stringify(raw.value)} (expected http(s)://catalog-host:8080)`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new ConfigError(`${raw.name} must be an http:// or https:// URL, not ${url.protocol}//`);
  if (url.username !== '' || url.password !== '') {
    throw new ConfigError(`${raw.name} must not carry credentials: the SRM passes on each caller's own`);
  }
  return raw.value.replace(/\/+$/, '');
}

function catalogCa(read: Settings): string | undefined {
  const file = read.file(SRM.catalogCa);
  if (file === undefined) return undefined;
  const pem = readFileSync(file, 'utf8');
  if (!pem.includes('-----BEGIN CERTIFICATE-----')) throw new ConfigError(`${SRM.catalogCa.flag} ${file} holds no PEM certificate`);
  return pem;
}

/** The CLI's own variables (docs/cli.md): a token, else a local account. */
function startupAuthorization(env: Env): string | undefined {
  const token = env.REPLICAT_TOKEN?.trim();
  if (token) return `Bearer ${token}`;
  const user = env.REPLICAT_USER?.trim();
  if (user) return `Basic ${Buffer.from(`${user}:${env.REPLICAT_PASSWORD ?? ''}`, 'utf8').toString('base64')}`;
  return undefined;
}

function readSecret(read: Settings, env: Env, warnings: string[]): (TurlSecret & { generated: false }) | undefined {
  const file = read.file(SRM.secretFile);
  const inline = env[SECRET_ENV];
  if (file !== undefined && inline !== undefined && inline !== '') {
    throw new ConfigError(`both ${SECRET_ENV} and ${SRM.secretFile.flag} (${SRM.secretFile.env}) are set: give the secret once`);
  }
  let secret: string;
  let source: string;
  if (file !== undefined) {
    secret = readFileSync(file, 'utf8').trim();
    source = `the secret file ${file}`;
    if ((statSync(file).mode & 0o077) !== 0) warnings.push(`the TURL signing secret file ${file} is readable by others than its owner (chmod 600 it)`);
  } else if (inline !== undefined && inline !== '') {
    secret = inline.trim();
    source = SECRET_ENV;
  } else return undefined;
  if (secret.length < MIN_SECRET_LENGTH) {
    throw new ConfigError(`${source} holds ${secret.length} characters; a TURL signing secret needs at least ${MIN_SECRET_LENGTH} (make one with: openssl rand -hex 32)`);
  }
  return { generated: false, value: Buffer.from(secret, 'utf8') };
}

function readableFile(name: string, value: string): string {
  const path = resolve(value);
  try {
    if (!statSync(path).isFile()) throw new ConfigError(`${name}: ${path} is not a file`);
    accessSync(path, constants.R_OK);
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    throw new ConfigError(`${name}: ${path} ${why(error)}`);
  }
  return path;
}

function writableDirectory(name: string, se: string, value: string): string {
  const path = resolve(value);
  try {
    mkdirSync(path, { recursive: true });
    if (!statSync(path).isDirectory()) throw new ConfigError(`${name}: the directory of ${se}, ${path}, is not a directory`);
    accessSync(path, constants.R_OK | constants.W_OK | constants.X_OK);
    return realpathSync(path);
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    throw new ConfigError(`${name}: the directory of ${se}, ${path}, ${why(error)}`);
  }
}

function why(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  switch (code) {
    case 'ENOENT':
      return 'does not exist';
    case 'EACCES':
    case 'EPERM':
      return 'is not accessible to this user';
    case 'EEXIST':
    case 'ENOTDIR':
      return 'is not a directory';
    default:
      return `cannot be used (${code ?? String(error)})`;
  }
}
