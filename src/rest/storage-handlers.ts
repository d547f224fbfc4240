import type { Request } from 'express';
import * as storage from '../core/storage';
import { InvalidArgument } from '../core/errors';
import { encodeResults } from './encode';
import { sendProblem, toItemError, toProblem } from './problem';
import { readRankBody, UnsupportedBody, type RankBody } from './rank-body';
import { pathName } from './path-params';
import type { RestHandler } from './operations';

/** A storage element as the API shows it (openapi: StorageElement). */
export function encodeStorageElement(se: storage.StorageElement): Record<string, unknown> {
  return {
    name: se.name,
    host: se.host,
    surlPrefixes: se.surlPrefixes,
    status: se.status,
    nearline: se.nearline,
    protocols: se.protocols.map((p) => ({ scheme: p.scheme, turlTemplate: p.turlTemplate })),
    ctime: se.ctime.toISOString(),
    mtime: se.mtime.toISOString(),
  };
}

const DEFAULT_MAX_RANK_BODY_BYTES = 256 * 1024 * 1024;

/** Handlers of the storage operations (registry, StorageIndex, rank), merged into REST_HANDLERS. */
export const STORAGE_HANDLERS: Readonly<Record<string, RestHandler>> = {
  async listStorageElements(ctx) {
    return { storageElements: (await storage.listRegisteredStorageElements(ctx)).map(encodeStorageElement) };
  },
  async registerStorageElements(ctx, req) {
    const items = (req.body as { items: storage.StorageElementInput[] }).items;
    return encodeResults(await storage.registerStorageElements(ctx, items), (se) => ({ storageElement: encodeStorageElement(se) }));
  },
  async getStorageElement(ctx, req) {
    return encodeStorageElement(await storage.getStorageElement(ctx, pathName(req)));
  },
  async updateStorageElement(ctx, req) {
    return encodeStorageElement(await storage.updateStorageElement(ctx, pathName(req), req.body as storage.StorageElementChanges));
  },
  async removeStorageElement(ctx, req, res) {
    await storage.removeStorageElement(ctx, pathName(req));
    res.status(204).end();
    return undefined;
  },
  async storageIndexSes(ctx, req) {
    const items = (req.body as { items: storage.StorageElementsItem[] }).items;
    return encodeResults(await storage.storageElementsOfFiles(ctx, items), (f) => ({ guid: f.guid, ses: f.ses }));
  },
  async rankStorageElements(ctx, req, res) {
    let body: RankBody;
    try {
      body = await readRankBody(req, {
        maxNames: ctx.limits.maxRankNames ?? storage.DEFAULT_MAX_RANK_NAMES,
        maxBytes: ctx.limits.maxRankBodyBytes ?? DEFAULT_MAX_RANK_BODY_BYTES,
      });
    } catch (error) {
      // The rest of a refused body is not read: the connection closes after the answer.
      res.setHeader('connection', 'close');
      if (!(error instanceof UnsupportedBody)) throw error;
      sendProblem(res, toProblem('InvalidArgument', error.message, { status: 415 }));
      return undefined;
    }
    const fromQuery = queryProtocols(req);
    if (fromQuery !== undefined && body.protocols !== undefined) throw new InvalidArgument('give protocols in the body or in the query, not both');
    const ranking = await storage.rankStorageElements(ctx, { names: body.names, protocols: body.protocols ?? fromQuery });
    return encodeRanking(ranking);
  },
};

function queryProtocols(req: Request): string[] | undefined {
  const value = (req.query as Record<string, unknown>).protocols;
  if (typeof value !== 'string') return undefined;
  return value.split(',').map((p) => p.trim()).filter((p) => p !== '');
}

function encodeRanking(ranking: storage.Ranking): Record<string, unknown> {
  return {
    ses: ranking.ses.map((se) => ({
      se: se.se,
      host: se.host,
      registered: se.registered,
      status: se.status,
      nearline: se.nearline,
      files: se.files,
      bytes: se.bytes,
      fraction: se.fraction,
      protocols: se.protocols,
    })),
    files: ranking.files,
    missing: ranking.missing,
    invalid: ranking.invalid.map((i) => ({ name: i.name, error: toItemError(i.error) })),
  };
}
