import type { Request, Response } from 'express';
import type { CatalogContext, Identity } from './core/context';
import { InvalidArgument } from './core/errors';
import { parseWalPosition } from './db/routing/wal-position';
import { catalogContext, type FaceOptions } from './face-options';

/**
 * The header of read-your-writes: every successful write answer carries the WAL position of its commit,
 * and a read that sends it back is served only by a database that has replayed that far.
 */
export const CONSISTENCY_HEADER = 'replicat-consistency';

/** Whether an operation only reads the catalog (a replica may serve it) or changes it (the primary). */
export type Access = 'read' | 'write';

/**
 * The context a face's operation runs in, on the database its access calls for: a read-only operation on
 * a replica that has caught up with the caller's token (or the primary: see ReadRouting), anything else
 * on the primary, its successful answer stamped with a token. Faces declare each operation's access
 * once (rest/read-operations.ts, soap/read-operations.ts); core never chooses a database.
 *
 * ```ts
 * const ctx = await routedContext(options, 'read', identity, req, res);
 * ```
 */
export async function routedContext(options: FaceOptions, access: Access, identity: Identity, req: Request, res: Response, requestId?: string): Promise<CatalogContext> {
  const ctx = catalogContext(options, identity, requestId);
  const routing = options.database.routing;
  if (routing === undefined) return ctx;
  if (access === 'write') {
    stampConsistency(res, () => routing.writeToken());
    return ctx;
  }
  const sent = req.get(CONSISTENCY_HEADER);
  const after = sent === undefined || sent.trim() === '' ? undefined : parseWalPosition(sent);
  if (sent !== undefined && sent.trim() !== '' && after === undefined) {
    throw new InvalidArgument(`the ${CONSISTENCY_HEADER} header must be a WAL position as a write's answer gave it (such as 0/16B3748), not ${JSON.stringify(sent.slice(0, 40))}`);
  }
  const db = await routing.readSession(after);
  return db === ctx.db ? ctx : { ...ctx, db };
}

/**
 * Holds back the end of a successful answer until the token is read: the commit happened before the
 * handler wrote its answer, so a WAL position read now is at or past it. Answers that failed go as they are.
 */
function stampConsistency(res: Response, token: () => Promise<string | undefined>): void {
  const end = res.end.bind(res) as (...args: unknown[]) => Response;
  res.end = ((...args: unknown[]) => {
    if (res.headersSent || res.statusCode >= 300) return end(...args);
    token().then(
      (value) => {
        if (value !== undefined && !res.headersSent) res.setHeader(CONSISTENCY_HEADER, value);
        end(...args);
      },
      () => end(...args),
    );
    return res;
  }) as Response['end'];
}
