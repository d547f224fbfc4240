import type { Request } from 'express';
import type { LocalIdentityConfig } from '../config';
import type { Identity } from '../core/context';

/**
 * A fixed identity: every request acts as the one configured local identity and no header can change
 * it. The service authenticates with `Authenticator`; this is for test harnesses and tools that drive
 * the REST face in-process as one known caller.
 */
export function localIdentity(config: LocalIdentityConfig): (req: Request) => Identity {
  const identity: Identity = Object.freeze({ dn: config.dn, group: config.group, groups: Object.freeze([]), method: 'fixed', admin: true });
  return () => identity;
}
