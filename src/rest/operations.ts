import type { Request, Response } from 'express';
import * as core from '../core';
import type { CatalogContext } from '../core/context';
import { encodeAttributeValues, encodeEntry, encodeReplica, encodeResults, encodeSeReplica } from './encode';
import { writeNdjson } from './ndjson';

/**
 * What a route does once the request is authenticated and valid against the contract: call core,
 * encode. A handler returns the JSON body, or undefined when it has written the response itself.
 */
export type RestHandler = (ctx: CatalogContext, req: Request, res: Response) => Promise<unknown>;

type Bulk<I, T> = (ctx: CatalogContext, items: readonly I[]) => Promise<core.Result<T>[]>;

function bulk<I, T>(operation: Bulk<I, T>, encode: (value: T) => Record<string, unknown>): RestHandler {
  return async (ctx, req) => encodeResults(await operation(ctx, (req.body as { items: I[] }).items), encode);
}

const entry = (e: core.Entry) => ({ entry: encodeEntry(e) });
const replica = (r: core.Replica) => ({ replica: encodeReplica(r) });
const nothing = () => ({});

function queryString(req: Request, name: string): string | undefined {
  const value = (req.query as Record<string, unknown>)[name];
  return typeof value === 'string' ? value : undefined;
}

function queryNumber(req: Request, name: string): number | undefined {
  const value = (req.query as Record<string, unknown>)[name];
  return typeof value === 'number' ? value : undefined;
}

function pathName(req: Request): string {
  return String(req.params.name ?? '');
}

function wantsNdjson(req: Request): boolean {
  return req.accepts(['application/json', 'application/x-ndjson']) === 'application/x-ndjson';
}

interface QueryBody {
  readonly query: string;
  readonly under?: string;
  readonly inherit?: boolean;
  readonly kind?: 'directory' | 'file' | 'symlink';
  readonly limit?: number;
  readonly cursor?: string;
  readonly count?: boolean;
}

/** Handlers by operationId of `openapi/openapi.yaml`; the router refuses to start if one is missing. */
export const REST_HANDLERS: Readonly<Record<string, RestHandler>> = {
  createDirectories: bulk(core.makeDirectories, entry),
  createFiles: bulk(core.createFiles, entry),
  createSymlinks: bulk(core.createSymlinks, entry),
  statEntries: bulk(core.statEntries, entry),
  moveEntries: bulk(core.moveEntries, entry),
  removeEntries: bulk(core.removeEntries, nothing),
  addReplicas: bulk(core.addReplicas, replica),
  removeReplicas: bulk(core.removeReplicas, nothing),
  setMasterReplicas: bulk(core.setMasterReplicas, replica),
  listReplicas: bulk(core.listReplicas, (f) => ({ guid: f.guid, replicas: f.replicas.map(encodeReplica) })),
  lookupGuids: bulk(core.lookupGuids, (g) => ({ guid: g.guid, lfn: g.lfn })),
  setAttributes: bulk(core.setAttributes, nothing),
  getAttributes: bulk(core.getAttributes, (attributes) => ({ attributes: encodeAttributeValues(attributes) })),
  clearAttributes: bulk(core.clearAttributes, nothing),
  listAttributes: bulk(core.listAttributes, (attributes) => ({ attributes })),

  async listSchemas(ctx) {
    return { schemas: await core.listSchemas(ctx) };
  },

  async createSchema(ctx, req, res) {
    const body = req.body as { name: string; attributes?: core.NewSchema['attributes'] };
    const schema = await core.createSchema(ctx, { name: body.name, attributes: body.attributes ?? [] });
    res.status(201);
    return schema;
  },

  async describeSchema(ctx, req) {
    return core.describeSchema(ctx, pathName(req));
  },

  async dropSchema(ctx, req, res) {
    await core.dropSchema(ctx, pathName(req), { force: (req.query as { force?: boolean }).force === true });
    res.status(204).end();
    return undefined;
  },

  async addSchemaAttributes(ctx, req) {
    return core.addSchemaAttributes(ctx, pathName(req), (req.body as { attributes: core.NewSchema['attributes'] }).attributes);
  },

  async removeSchemaAttributes(ctx, req) {
    const body = req.body as { names: string[]; force?: boolean };
    return core.removeSchemaAttributes(ctx, pathName(req), body.names, { force: body.force === true });
  },

  async queryEntries(ctx, req, res) {
    const body = req.body as QueryBody;
    const request: core.QueryRequest = { query: body.query, under: body.under, inherit: body.inherit, kind: body.kind };
    if (body.count === true) return { count: await core.countEntries(ctx, request) };
    if (wantsNdjson(req)) {
      await writeNdjson(res, core.streamEntries(ctx, request), encodeEntry);
      return undefined;
    }
    const page = await core.queryEntries(ctx, request, { limit: body.limit, cursor: body.cursor });
    return { entries: page.items.map(encodeEntry), next: page.next };
  },

  async listDirectory(ctx, req, res) {
    const lfn = queryString(req, 'lfn') ?? '';
    if (req.accepts(['application/json', 'application/x-ndjson']) === 'application/x-ndjson') {
      const entries = core.streamDirectory(ctx, lfn);
      await writeNdjson(res, entries, encodeEntry);
      return undefined;
    }
    const limit = queryNumber(req, 'limit');
    const cursor = queryString(req, 'cursor');
    const page = await core.listDirectory(ctx, lfn, { ...(limit !== undefined ? { limit } : {}), ...(cursor !== undefined ? { cursor } : {}) });
    return { entries: page.items.map(encodeEntry), next: page.next };
  },

  async listSeReplicas(ctx, req) {
    const limit = queryNumber(req, 'limit');
    const cursor = queryString(req, 'cursor');
    const page = await core.listSeReplicas(ctx, queryString(req, 'se') ?? '', {
      ...(limit !== undefined ? { limit } : {}),
      ...(cursor !== undefined ? { cursor } : {}),
    });
    return { replicas: page.items.map(encodeSeReplica), next: page.next };
  },
};
