import { createHash } from 'node:crypto';
import { ReplicatClient, Unauthenticated } from '@replicat/sdk';
import { CatalogUnavailable, type SrmCaller } from './srm-catalog';

export interface CatalogCallersOptions {
  /** The catalog's root, e.g. `https://catalog.example.org:8443`. */
  readonly baseUrl: string;
  /** CA certificates (PEM) for the catalog's certificate. */
  readonly ca?: string | readonly string[];
  /** How long an answer of the catalog is reused for the same credentials. Default 60 s. */
  readonly ttlMs?: number;
  /** Credentials remembered at most; the oldest are forgotten first. Default 10,000. */
  readonly maxEntries?: number;
  readonly now?: () => number;
}

/**
 * Who calls the SRM, as the catalog knows them: the caller's `authorization` header (bearer token, Basic)
 * is shown to the catalog's `GET /api/v1/whoami`, and the DN it answers owns the caller's SRM requests. The
 * catalog refusing the credentials (401) refuses the SRM call; the catalog not answering is
 * `CatalogUnavailable` (503). Answers are remembered briefly by a hash of the header: every SRM operation
 * that touches the catalog passes the header on again, so a revoked token loses nothing but the right to
 * look at its own requests a minute later.
 *
 * ```ts
 * const callers = new CatalogCallers({ baseUrl: 'http://127.0.0.1:8080' });
 * createSrmApp({ service, identify: (req) => callers.identify(req.get('authorization')), logger });
 * ```
 */
export class CatalogCallers {
  readonly #options: CatalogCallersOptions;
  readonly #known = new Map<string, { readonly caller: SrmCaller; readonly until: number }>();
  readonly #now: () => number;

  constructor(options: CatalogCallersOptions) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
  }

  async identify(authorization: string | undefined): Promise<SrmCaller> {
    const key = createHash('sha256').update(authorization ?? '').digest('base64url');
    const now = this.#now();
    const known = this.#known.get(key);
    if (known !== undefined && known.until > now) return known.caller;
    const client = new ReplicatClient({
      baseUrl: this.#options.baseUrl,
      ...(this.#options.ca !== undefined ? { ca: this.#options.ca } : {}),
      ...(authorization !== undefined ? { headers: { authorization } } : {}),
      timeoutMs: 10_000,
      retry: false,
    });
    let dn: string;
    try {
      dn = (await client.whoami()).dn;
    } catch (error) {
      if (error instanceof Unauthenticated) throw error;
      throw new CatalogUnavailable(error instanceof Error ? error.message : String(error), { cause: error });
    } finally {
      await client.close();
    }
    const caller: SrmCaller = { id: dn, ...(authorization !== undefined ? { authorization } : {}) };
    this.#known.delete(key);
    this.#known.set(key, { caller, until: now + (this.#options.ttlMs ?? 60_000) });
    for (const oldest of this.#known.keys()) {
      if (this.#known.size <= (this.#options.maxEntries ?? 10_000)) break;
      this.#known.delete(oldest);
    }
    return caller;
  }
}
