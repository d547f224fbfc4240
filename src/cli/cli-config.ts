import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from './exit-codes';

export type Environment = Readonly<Record<string, string | undefined>>;

/**
 * `~/.config/replicat/config.json`:
 *
 * ```json
 * { "endpoint": "https://catalog.example.org:8443",
 *   "services": { "test": "http://localhost:8080" },
 *   "timeoutSeconds": 120,
 *   "srm": "http://localhost:8446" }
 * ```
 *
 * `services` names endpoints for `-s NAME`, where the gLite tools asked service discovery. `srm` is the
 * mock SRM of `replicat get`/`put`: a URL for every SE, or `{"SE": URL, ...}` per SE.
 */
export interface ConfigFile {
  readonly endpoint?: string;
  readonly services?: Readonly<Record<string, string>>;
  readonly timeoutSeconds?: number;
  readonly srm?: string | Readonly<Record<string, string>>;
}

export interface Endpoint {
  /** `http://` or `https://` root of the service. */
  readonly url: string;
  /** Where it came from, for -v and error messages: `-s`, `REPLICAT_ENDPOINT`, or the config file. */
  readonly source: string;
}

/** The config file's path: REPLICAT_CONFIG, else $XDG_CONFIG_HOME/replicat/config.json, else ~/.config/replicat/config.json. */
export function configPath(env: Environment, homedir: string): string {
  const explicit = env.REPLICAT_CONFIG?.trim();
  if (explicit) return explicit;
  const xdg = env.XDG_CONFIG_HOME?.trim();
  return join(xdg ? xdg : join(homedir, '.config'), 'replicat', 'config.json');
}

/** Reads the config file; a missing one is empty, a malformed one a usage error naming it. */
export function readConfigFile(path: string): ConfigFile {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw new UsageError(`${path}: ${(error as Error).message}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`${path}: not JSON: ${(error as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new UsageError(`${path}: expected a JSON object`);
  const record = parsed as Record<string, unknown>;
  const config: { endpoint?: string; services?: Record<string, string>; timeoutSeconds?: number; srm?: string | Record<string, string> } = {};
  if (record.endpoint !== undefined) {
    if (typeof record.endpoint !== 'string') throw new UsageError(`${path}: "endpoint" must be a URL string`);
    config.endpoint = record.endpoint;
  }
  if (record.services !== undefined) {
    const services = record.services;
    if (typeof services !== 'object' || services === null || Array.isArray(services) || !Object.values(services).every((v) => typeof v === 'string')) {
      throw new UsageError(`${path}: "services" must map names to URL strings`);
    }
    config.services = services as Record<string, string>;
  }
  if (record.timeoutSeconds !== undefined) {
    if (typeof record.timeoutSeconds !== 'number' || !(record.timeoutSeconds > 0)) throw new UsageError(`${path}: "timeoutSeconds" must be a positive number`);
    config.timeoutSeconds = record.timeoutSeconds;
  }
  if (record.srm !== undefined) {
    const srm = record.srm;
    const perSe = typeof srm === 'object' && srm !== null && !Array.isArray(srm) && Object.values(srm).every((v) => typeof v === 'string');
    if (typeof srm !== 'string' && !perSe) throw new UsageError(`${path}: "srm" must be a URL string or map SE names to URL strings`);
    config.srm = srm as string | Record<string, string>;
  }
  return config;
}

/**
 * The service to talk to: `-s` first (a URL, or a name from the config file's `services`), then
 * REPLICAT_ENDPOINT, then the config file's `endpoint`. None at all is a usage error that says how to
 * give one.
 */
export function resolveEndpoint(service: string | undefined, env: Environment, config: ConfigFile, path: string): Endpoint {
  if (service !== undefined && service !== '') {
    if (isUrl(service)) return { url: normalizeUrl(service, '-s'), source: '-s' };
    const named = config.services?.[service];
    if (named === undefined) {
      throw new UsageError(`-s ${service}: not a URL, and no service of that name in ${path} (there is no service discovery: give http(s)://host:port)`);
    }
    return { url: normalizeUrl(named, `${path} services.${service}`), source: `${path} (services.${service})` };
  }
  const fromEnv = env.REPLICAT_ENDPOINT?.trim();
  if (fromEnv) return { url: normalizeUrl(fromEnv, 'REPLICAT_ENDPOINT'), source: 'REPLICAT_ENDPOINT' };
  if (config.endpoint !== undefined) return { url: normalizeUrl(config.endpoint, `${path} endpoint`), source: path };
  throw new UsageError(`no service given: use -s URL, set REPLICAT_ENDPOINT, or put {"endpoint": URL} in ${path}`);
}

function isUrl(text: string): boolean {
  return /^(https?|httpg):\/\//i.test(text);
}

/** httpg:// (GSI over HTTP, the gLite tools' scheme) is https with a client certificate here. */
function normalizeUrl(text: string, where: string): string {
  if (!isUrl(text)) throw new UsageError(`${where}: ${JSON.stringify(text)} is not an http:// or https:// URL`);
  let url: URL;
  try {
    url = new URL(text.replace(/^httpg:/i, 'https:'));
  } catch {
    throw new UsageError(`${where}: ${JSON.stringify(text)} is not a valid URL`);
  }
  if (url.hostname === '') throw new UsageError(`${where}: ${JSON.stringify(text)} has no host`);
  // The SDK adds /api/v1 itself; a URL copied from a curl line often carries it already.
  return url.toString().replace(/\/+$/, '').replace(/\/api\/v1$/, '');
}
