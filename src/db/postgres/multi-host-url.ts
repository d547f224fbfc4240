/** One server of a PostgreSQL URL. */
export interface PostgresServer {
  readonly host: string;
  readonly port: number;
}

/**
 * A PostgreSQL URL with one or more servers, in libpq's multi-host form
 * (`postgres://user@h1:5432,h2:5433/db?target_session_attrs=read-write`, what `pg_autoctl show uri`
 * prints). node-postgres connects to one host only, so the servers are split out here and each gets a
 * single-host URL of its own, with the same user, password, database and parameters.
 *
 * ```ts
 * const parsed = parsePostgresUrl('postgres://app@db1,db2:5433/catalog?target_session_attrs=read-write');
 * parsed.servers;                    // [{host: 'db1', port: 5432}, {host: 'db2', port: 5433}]
 * parsed.urlOf(parsed.servers[1]!);  // 'postgres://app@db2:5433/catalog'
 * ```
 */
export interface PostgresUrl {
  readonly servers: readonly PostgresServer[];
  urlOf(server: PostgresServer): string;
}

/** A URL that cannot be read; the message says what is wrong with it, without its password. */
export class MalformedPostgresUrl extends Error {}

const URL_SHAPE = /^(postgres|postgresql):\/\/(?:([^@/?#]*)@)?([^/?#]*)([^?#]*)(\?[^#]*)?$/;
/** The values of target_session_attrs that ask for what DATABASE_URL is: the writable primary. */
const PRIMARY_ATTRS = new Set(['any', 'read-write', 'primary']);

export function parsePostgresUrl(url: string): PostgresUrl {
  const match = URL_SHAPE.exec(url.trim());
  if (match === null) throw new MalformedPostgresUrl('is not a postgres:// URL (expected postgres://user@host1:5432,host2:5432/database)');
  const [, scheme, userinfo, hostList, path, query] = match as unknown as [string, string, string | undefined, string, string, string | undefined];
  const specs = hostList.split(',');
  const servers = specs.map((spec, index) => parseServer(spec, index, specs.length));
  const parameters = new URLSearchParams(query?.slice(1) ?? '');
  const attrs = parameters.get('target_session_attrs');
  if (attrs !== null && !PRIMARY_ATTRS.has(attrs)) {
    throw new MalformedPostgresUrl(`target_session_attrs=${attrs} asks for a standby; this URL names the primary (use read-write, or list standbys in DATABASE_READ_URL)`);
  }
  // The selection of the primary is done here, not by the driver, which would not know the parameter.
  parameters.delete('target_session_attrs');
  const rest = parameters.toString();
  return {
    servers,
    urlOf(server) {
      const host = server.host.includes(':') ? `[${server.host}]` : server.host;
      return `${scheme}://${userinfo !== undefined ? `${userinfo}@` : ''}${host}:${server.port}${path}${rest !== '' ? `?${rest}` : ''}`;
    },
  };
}

/** `host:port` of a server, for logs, /readyz and metric labels. */
export function serverName(server: PostgresServer): string {
  return `${server.host.includes(':') ? `[${server.host}]` : server.host}:${server.port}`;
}

/** Whether a URL lists more than one server (a comma among its hosts). */
export function isMultiHost(url: string): boolean {
  const match = URL_SHAPE.exec(url.trim());
  return match !== null && (match[3] ?? '').includes(',');
}

/** The URL with its password, if any, replaced: fit for a log line or an error message. */
export function redactPostgresUrl(url: string): string {
  return url.replace(/^([a-z]+:\/\/[^:@/?#]*:)[^@/?#]*@/i, '$1***@');
}

function parseServer(spec: string, index: number, count: number): PostgresServer {
  const which = count > 1 ? `host ${index + 1} of ${count}` : 'the host';
  if (spec === '') throw new MalformedPostgresUrl(`${which} is empty (a stray comma?)`);
  const bracketed = /^\[([0-9A-Fa-f:.]+)\](?::(.*))?$/.exec(spec);
  const [host, port] = bracketed !== null ? [bracketed[1]!, bracketed[2]] : splitPort(spec);
  const valid = bracketed !== null || /^[A-Za-z0-9._-]+$/.test(host);
  if (host === '' || !valid) throw new MalformedPostgresUrl(`${which} (${JSON.stringify(spec)}) is not a host name or address`);
  if (port === undefined || port === '') return { host, port: 5432 };
  const number = Number(port);
  if (!/^\d{1,5}$/.test(port) || number < 1 || number > 65535) {
    throw new MalformedPostgresUrl(`${which} (${JSON.stringify(spec)}) has no valid port (1 to 65535)`);
  }
  return { host, port: number };
}

function splitPort(spec: string): [string, string | undefined] {
  const colon = spec.lastIndexOf(':');
  return colon < 0 ? [spec, undefined] : [spec.slice(0, colon), spec.slice(colon + 1)];
}
