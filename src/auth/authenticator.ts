import type { Request } from 'express';
import type { Logger } from 'pino';
import type { AuthConfig, LocalIdentityConfig } from '../config';
import {
  accountForLogin,
  accountOfToken,
  burnPasswordCheck,
  hashBearerToken,
  localAccountDn,
  readAccounts,
  verifyPassword,
  type AccountRecord,
} from '../core/accounts';
import type { AuthenticationMethod, Identity } from '../core/context';
import type { Db } from '../db/schema';
import { parseAuthorization } from './authorization-header';
import { BearerTokenCache } from './bearer-token-cache';
import { clientAddress } from './client-address';
import { LoginThrottle, type LoginThrottleSettings } from './login-throttle';
import { NotAuthenticated, type AcceptedMethod } from './not-authenticated';
import { PasswordCheckSlots } from './password-check-slots';
import { headerChain, tlsPeerChain } from './peer-certificates';
import { RefreshingSnapshot } from './refreshing-snapshot';
import { TrustedPeers } from './trusted-peers';
import { VerifiedPasswords } from './verified-passwords';
import { AttributeCertificateRejected, vomsAttributes } from './voms/voms-attributes';
import { loadVomsDirectory, type VomsTrustSnapshot } from './voms/voms-directory';
import { loadCaDirectory, type TrustSnapshot } from './x509/ca-directory';
import { ChainRejected, validateChain } from './x509/chain-validator';

const DEFAULT_LOGIN_THROTTLE: LoginThrottleSettings = { userAddressFailures: 5, addressFailures: 30, userFailures: 50, maxBackoffSeconds: 900 };

export interface AuthenticatorOptions {
  readonly db: Db;
  readonly config: AuthConfig;
  /** Who anonymous requests act as, when anonymous access is allowed. */
  readonly anonymous: LocalIdentityConfig;
  /** Whether an HTTPS port takes client certificates (for the accepted methods named in 401s). */
  readonly tls: boolean;
  readonly logger: Logger;
  /** For tests: the clock certificates are checked against. */
  readonly now?: () => Date;
}

/**
 * Decides who is calling, with exactly one method per request, in this order:
 * 1. a client certificate chain on the TLS connection (X.509, proxies, VOMS);
 * 2. the client-certificate header, only from a trusted front end (ignored and logged from others);
 * 3. `Authorization: Basic` or `Bearer` (local accounts);
 * 4. anonymous, if allowed; otherwise 401.
 * Credentials that are presented and fail are a 401, never a fall-through to a weaker method.
 *
 * ```ts
 * const auth = new Authenticator({ db, config: config.auth, anonymous: config.identity, tls: true, logger });
 * createRestApp({ ..., identify: (req) => auth.identify(req) });
 * ```
 */
export class Authenticator {
  readonly #options: AuthenticatorOptions;
  readonly #ca: RefreshingSnapshot<TrustSnapshot> | undefined;
  readonly #voms: RefreshingSnapshot<VomsTrustSnapshot> | undefined;
  readonly #trustedPeers: TrustedPeers;
  readonly #tokens: BearerTokenCache;
  readonly #passwords: VerifiedPasswords;
  /** Identities of recent Basic logins, by the keyed hash of their credentials: bounded as bearer tokens are. */
  readonly #recentLogins: BearerTokenCache;
  readonly #throttle: LoginThrottle;
  readonly #passwordChecks: PasswordCheckSlots;
  readonly methods: readonly AcceptedMethod[];

  constructor(options: AuthenticatorOptions) {
    this.#options = options;
    const { x509 } = options.config;
    const { logger } = options;
    this.#ca = x509.certDir === undefined ? undefined : new RefreshingSnapshot('CA directory', () => loadCaDirectory(x509.certDir!, logger), x509.refreshSeconds, logger);
    this.#voms = x509.vomsDir === undefined ? undefined : new RefreshingSnapshot('VOMS directory', () => loadVomsDirectory(x509.vomsDir!, logger), x509.refreshSeconds, logger);
    this.#trustedPeers = new TrustedPeers(options.config.trustedProxies);
    this.#tokens = new BearerTokenCache(options.config.tokenCacheMs ?? 0);
    this.#passwords = new VerifiedPasswords((options.config.passwordCacheSeconds ?? 0) * 1000);
    this.#recentLogins = new BearerTokenCache(Math.min(options.config.tokenCacheMs ?? 0, (options.config.passwordCacheSeconds ?? 0) * 1000));
    this.#throttle = new LoginThrottle(options.config.loginThrottle ?? DEFAULT_LOGIN_THROTTLE);
    const checks = options.config.passwordChecks ?? { concurrency: 3, queue: 64 };
    this.#passwordChecks = new PasswordCheckSlots(checks.concurrency, checks.queue);
    const certificates = this.#ca !== undefined && (options.tls || options.config.trustedProxies.length > 0);
    this.methods = certificates ? ['x509', 'basic', 'bearer'] : ['basic', 'bearer'];
  }

  async identify(req: Request): Promise<Identity> {
    const peer = req.socket.remoteAddress;
    try {
      const tlsChain = tlsPeerChain(req.socket);
      if (tlsChain !== undefined) return await this.#fromCertificates(tlsChain);
      const header = req.headers[this.#options.config.clientCertHeader];
      if (typeof header === 'string' && header !== '') {
        if (this.#trustedPeers.includes(peer)) return await this.#fromCertificates(headerChain(header));
        this.#options.logger.warn({ peer, header: this.#options.config.clientCertHeader }, 'ignoring a client certificate header from a peer that is not a trusted proxy');
      }
      const authorization = req.headers.authorization;
      if (authorization !== undefined) return await this.#fromAuthorization(authorization, req);
    } catch (error) {
      if (error instanceof NotAuthenticated) this.#options.logger.warn({ peer, reason: error.message }, 'authentication failed');
      throw error;
    }
    if (this.#options.config.allowAnonymous) {
      const { dn, group } = this.#options.anonymous;
      return { dn, group, groups: group === '' ? [] : [group], admin: false, method: 'anonymous' };
    }
    throw this.#refuse('no credentials');
  }

  /**
   * Accounts changed (a user disabled or deleted, a password or memberships changed): identities
   * remembered for bearer tokens are dropped, so the change applies from the next request on.
   */
  accountsChanged(): void {
    this.#tokens.forget();
    this.#recentLogins.forget();
    this.#passwords.forget();
  }

  /** Password hashes (scrypt) computed or waited for since start: what remembered passwords save. */
  get passwordChecks(): number {
    return this.#passwordChecks.started;
  }

  /** Stops re-reading the CA and VOMS directories. */
  close(): void {
    this.#ca?.close();
    this.#voms?.close();
  }

  async #fromCertificates(chain: readonly Buffer[]): Promise<Identity> {
    if (this.#ca === undefined) throw this.#refuse('client certificates are not accepted: no CA directory (X509_CERT_DIR) is configured');
    const now = this.#options.now?.() ?? new Date();
    const caTrust = this.#ca.current;
    let validated;
    let voms;
    try {
      validated = validateChain(chain, caTrust, now, { clientAuth: true, allowProxies: true });
      voms = vomsAttributes(validated, { vomsTrust: this.#voms?.current, caTrust, targets: this.#options.config.x509.vomsTargets, now });
    } catch (error) {
      if (error instanceof ChainRejected || error instanceof AttributeCertificateRejected) throw this.#refuse(`certificate refused: ${error.message}`);
      throw error;
    }
    const dn = validated.endEntity.subjectDn;
    const [account] = await readAccounts(this.#options.db, { dn });
    if (account?.disabled) throw this.#refuse(`the account of ${dn} is disabled`);
    const fqans = voms?.fqans ?? [];
    return this.#identity(dn, [...fqans, ...(account?.groups ?? [])], 'x509', account, { fqans, limited: validated.limited });
  }

  async #fromAuthorization(header: string, req: Request): Promise<Identity> {
    const credentials = parseAuthorization(header);
    switch (credentials.scheme) {
      case 'basic':
        return this.#fromPassword(credentials.user, credentials.password, clientAddress(req, this.#trustedPeers));
      case 'bearer': {
        const hash = hashBearerToken(credentials.token);
        const now = this.#options.now?.() ?? new Date();
        const remembered = this.#tokens.identity(hash, now.getTime());
        if (remembered !== undefined) return remembered;
        const generation = this.#tokens.generation;
        const account = await accountOfToken(this.#options.db, hash, now);
        if (account === undefined || account.disabled) throw this.#refuse('invalid or expired bearer token');
        const identity = this.#identity(account.dn ?? localAccountDn(account.name), account.groups, 'bearer', account);
        this.#tokens.remember(hash, identity, account.tokenExpires.getTime(), now.getTime(), generation);
        return identity;
      }
      case 'unsupported':
        throw this.#refuse('unsupported Authorization scheme');
      case 'malformed':
        throw this.#refuse('malformed Authorization header');
    }
  }

  /**
   * In this order, so that nothing costly happens for a caller who must wait: the address's wait, a
   * login seen within the token cache's TTL (no statement, as for bearer tokens), the account row (one
   * statement), a remembered password, the account-wide wait, then scrypt in a slot.
   */
  async #fromPassword(user: string, password: string, address: string): Promise<Identity> {
    const now = (this.#options.now?.() ?? new Date()).getTime();
    this.#throttle.checkAddress(user, address, now);
    const key = this.#passwords.keyOf(user, password);
    const recent = this.#recentLogins.identity(key, now);
    if (recent !== undefined) return recent;
    const loginGeneration = this.#recentLogins.generation;
    const generation = this.#passwords.generation;
    const account = await accountForLogin(this.#options.db, user);
    if (account !== undefined && this.#passwords.vouches(key, account, now)) return this.#rememberLogin(key, account, now, loginGeneration);
    this.#throttle.checkUser(user, address, now);
    const stored = account?.passwordHash;
    const verified =
      stored == null
        ? await this.#passwordChecks.run(() => burnPasswordCheck(password)).then(() => false)
        : await this.#passwordChecks.run(() => verifyPassword(password, stored));
    if (!verified || account === undefined || account.disabled) {
      this.#throttle.failed(user, address, now);
      throw this.#refuse('wrong user name or password');
    }
    this.#throttle.succeeded(user, address);
    this.#passwords.remember(key, account, now, generation);
    return this.#rememberLogin(key, account, now, loginGeneration);
  }

  #rememberLogin(key: string, account: AccountRecord, now: number, generation: number): Identity {
    const identity = this.#passwordIdentity(account);
    this.#recentLogins.remember(key, identity, Number.POSITIVE_INFINITY, now, generation);
    return identity;
  }

  #passwordIdentity(account: AccountRecord): Identity {
    return this.#identity(account.dn ?? localAccountDn(account.name), account.groups, 'basic', account);
  }

  #identity(
    dn: string,
    groups: readonly string[],
    method: AuthenticationMethod,
    account: AccountRecord | undefined,
    x509: { fqans: readonly string[]; limited: boolean } = { fqans: [], limited: false },
  ): Identity {
    return {
      dn,
      group: groups[0] ?? '',
      groups,
      admin: account?.admin ?? false,
      method,
      ...(account !== undefined ? { account: account.name } : {}),
      ...(method === 'x509' ? { fqans: x509.fqans, limited: x509.limited } : {}),
    };
  }

  #refuse(reason: string): NotAuthenticated {
    return new NotAuthenticated(reason, this.methods);
  }
}
