import { SrmClient, type Credentials } from '@replicat/sdk';
import { CliError, ExitCode } from '../exit-codes';
import { commaList } from '../option-values';
import type { Session } from '../session';
import { seDirectory, type RegisteredSe } from './replica-choice';
import { SrmEndpoints } from './srm-endpoints';
import type { SrmAccess } from './srm-access';

/**
 * The SRMs of one get or put: their endpoints (--srm, REPLICAT_SRM, the config file), one client per
 * SRM made on first use, and the catalog's SE registry. The SRM forwards the caller's credentials to the
 * catalog, so it takes what travels in an `authorization` header — a token or a password; a user with
 * only a certificate or proxy gets a short-lived catalog token for the transfer.
 */
export class SrmConnections {
  readonly endpoints: SrmEndpoints;
  readonly #session: Session;
  readonly #clients = new Map<string, SrmClient>();
  #credentials: Promise<Credentials> | undefined;

  constructor(session: Session, srmOptions: readonly string[]) {
    this.#session = session;
    const { path, file } = session.config();
    const configured = file.srm === undefined ? [] : typeof file.srm === 'string' ? [file.srm] : Object.entries(file.srm).map(([se, url]) => `${se}=${url}`);
    this.endpoints = SrmEndpoints.parse([
      { values: srmOptions, where: '--srm' },
      { values: commaList(session.io.env.REPLICAT_SRM), where: 'REPLICAT_SRM' },
      { values: configured, where: `${path} srm` },
    ]);
  }

  /** The registry's SEs, for placing SURLs and reading their status. */
  async directory() {
    const ses: RegisteredSe[] = await this.#session.client().storageElements.list();
    return { ses, directory: seDirectory(ses) };
  }

  /** The client of one SRM (credentials settled first by `ready`). */
  srm(url: string): SrmAccess {
    const client = this.#clients.get(url);
    if (client === undefined) throw new Error(`SRM ${url} used before ready()`);
    return client;
  }

  /** Makes the clients of these SRMs, with credentials the SRM can forward. */
  async ready(urls: Iterable<string>): Promise<void> {
    const credentials = await this.#forwardable();
    const connection = this.#session.connection();
    for (const url of urls) {
      if (this.#clients.has(url)) continue;
      this.#clients.set(
        url,
        new SrmClient({
          baseUrl: url,
          credentials,
          ...(connection.ca !== undefined ? { ca: connection.ca } : {}),
          ...(connection.timeoutMs !== undefined ? { timeoutMs: connection.timeoutMs } : {}),
          headers: { 'user-agent': `replicat-cli (${this.#session.tool})` },
        }),
      );
    }
  }

  async close(): Promise<void> {
    await Promise.all([...this.#clients.values()].map((c) => c.close()));
  }

  #forwardable(): Promise<Credentials> {
    this.#credentials ??= (async () => {
      const credentials = this.#session.connection().credentials ?? { type: 'none' as const };
      if (credentials.type !== 'x509') return credentials;
      try {
        const issued = await this.#session.client().tokens.issue({ ttlSeconds: 24 * 3600 });
        this.#session.debug(() => `a catalog token for ${issued.user} (until ${issued.expires}) is what the SRM will forward`);
        return { type: 'bearer' as const, token: issued.token };
      } catch (error) {
        throw new CliError(
          `the SRM takes a token or password (it forwards them to the catalog), and the catalog issued no token for your certificate: ${(error as Error).message}; set REPLICAT_TOKEN`,
          ExitCode.Unreachable,
        );
      }
    })();
    return this.#credentials;
  }
}
