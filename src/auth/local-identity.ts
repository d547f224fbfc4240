import type { Request } from 'express';
import type { LocalIdentityConfig } from '../config';
import type { Identity } from '../core/context';

/**
 * The identity placeholder: every request acts as the one configured local identity. No header can
 * change it; the identity issue replaces this with certificates, proxies, VOMS and accounts.
 */
export function localIdentity(config: LocalIdentityConfig): (req: Request) => Identity {
  // The embedded single-user default: the one local identity administers its own catalog.
  const identity: Identity = Object.freeze({ dn: config.dn, group: config.group, groups: Object.freeze([]), admin: true });
  return () => identity;
}
