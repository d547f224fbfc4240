import { CatalogError } from '../core/errors';

/** How a client can authenticate, as named in 401 answers. */
export type AcceptedMethod = 'x509' | 'basic' | 'bearer';

/**
 * No identity, or credentials that do not prove one: answered 401 as a whole, never as an item error.
 * The code stays PermissionDenied (the one error vocabulary has no separate code for it); the status
 * and the accepted methods are what tell a client to authenticate.
 */
export class NotAuthenticated extends CatalogError {
  readonly code = 'PermissionDenied';
  readonly status = 401;
  readonly methods: readonly AcceptedMethod[];
  constructor(message: string, methods: readonly AcceptedMethod[]) {
    super(message);
    this.methods = methods;
  }
}

const DESCRIPTIONS: Readonly<Record<AcceptedMethod, string>> = {
  x509: 'an X.509 client certificate or proxy (HTTPS)',
  basic: 'HTTP Basic with a local account',
  bearer: 'a Bearer token (POST /api/v1/tokens)',
};

export function describeMethods(methods: readonly AcceptedMethod[]): string {
  return methods.map((m) => DESCRIPTIONS[m]).join(', or ');
}

/** The WWW-Authenticate challenges for the HTTP schemes among the accepted methods. */
export function challenges(methods: readonly AcceptedMethod[]): string {
  return methods
    .filter((m) => m !== 'x509')
    .map((m) => `${m === 'basic' ? 'Basic' : 'Bearer'} realm="replicat"`)
    .join(', ');
}
