import type { CatalogContext } from '../context';
import { InvalidArgument, PermissionDenied } from '../errors';

/** A local account as core hands it out: never its password hash. */
export interface Account {
  readonly name: string;
  /** The certificate DN mapped to this account, if any. */
  readonly dn: string | null;
  readonly admin: boolean;
  readonly disabled: boolean;
  readonly groups: readonly string[];
  readonly ctime: Date;
}

export interface Group {
  readonly name: string;
  readonly members: readonly string[];
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$/;

/** User and group names: short, printable, never starting with '/' (which FQANs own). */
export function parseAccountName(name: unknown, what: 'user' | 'group'): string {
  if (typeof name !== 'string' || !NAME.test(name)) {
    throw new InvalidArgument(`invalid ${what} name ${JSON.stringify(name)}: 1 to 64 of A-Z a-z 0-9 . _ @ -, not starting with . _ @ -`);
  }
  return name;
}

export function parseDn(dn: unknown): string {
  // eslint-disable-next-line no-control-regex
  if (typeof dn !== 'string' || !dn.startsWith('/') || dn.length > 1024 || /[\u0000-\u001f\u007f]/.test(dn)) {
    throw new InvalidArgument(`invalid DN ${JSON.stringify(dn)}: expected the slash form, e.g. /DC=org/DC=example/CN=Alice`);
  }
  return dn;
}

export function parsePassword(password: unknown): string {
  if (typeof password !== 'string' || password.length < 8 || password.length > 1024) {
    throw new InvalidArgument('a password must have 8 to 1024 characters');
  }
  return password;
}

/**
 * The owner DN of a local account without a certificate DN. It does not start with '/', so no
 * certificate (whose DNs always do) can ever present it.
 */
export function localAccountDn(name: string): string {
  return `local:${name}`;
}

export function requireAdmin(ctx: CatalogContext, what: string): void {
  if (ctx.identity.admin !== true) throw new PermissionDenied(`only an administrator may ${what}`);
}
