/** What an `Authorization` header carries, or `unsupported` for a scheme replicat does not speak. */
export type AuthorizationCredentials =
  | { readonly scheme: 'basic'; readonly user: string; readonly password: string }
  | { readonly scheme: 'bearer'; readonly token: string }
  | { readonly scheme: 'unsupported' | 'malformed' };

export function parseAuthorization(header: string): AuthorizationCredentials {
  const match = /^([A-Za-z]+) +([A-Za-z0-9._~+/=-]+) *$/.exec(header);
  if (match === null) return { scheme: 'malformed' };
  const [, scheme, value] = match;
  switch (scheme!.toLowerCase()) {
    case 'basic': {
      // RFC 7617: base64 of user-id ":" password, UTF-8; the user id cannot contain a colon.
      const decoded = Buffer.from(value!, 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      if (colon <= 0) return { scheme: 'malformed' };
      return { scheme: 'basic', user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
    }
    case 'bearer':
      return { scheme: 'bearer', token: value! };
    default:
      return { scheme: 'unsupported' };
  }
}
