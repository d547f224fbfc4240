import type { Request, Response } from 'express';
import * as core from '../core';
import * as accounts from '../core/accounts';
import type { CatalogContext } from '../core/context';
import type { FaceOptions } from '../face-options';
import { encodeAttributeValues, encodeEntry, encodeReplica, encodeResults, encodeSeReplica } from './encode';
import { writeEntryJson, entryJson, resultsJson, resultsText } from './json-text';
import { noteItems, noteResults } from '../ops/request-observer';
import { writeNdjson, writeNdjsonPages } from './ndjson';
import { pathName } from './path-params';
import { streamBulk, type StreamHandler } from './ndjson-bulk';
import { STORAGE_HANDLERS } from './storage-handlers';

/**
 * What a route does once the request is authenticated and valid against the contract: call core,
 * encode. A handler returns the JSON body, or undefined when it has written the response itself.
 */
export type RestHandler = (ctx: CatalogContext, req: Request, res: Response, face: RestFace) => Promise<unknown>;

/** What a handler may need of the face itself rather than of the request. */
export interface RestFace {
  readonly limits: FaceOptions['limits'];
}

type Bulk<I, T> = (ctx: CatalogContext, items: readonly I[]) => Promise<core.Result<T>[]>;

function bulk<I, T>(operation: Bulk<I, T>, encode: (value: T) => Record<string, unknown>): RestHandler {
  return async (ctx, req) => encodeResults(await operation(ctx, (req.body as { items: I[] }).items), encode);
}

/** A bulk operation whose results are written as JSON text (see json-text.ts): the hot paths. */
function bulkText<I, T>(operation: Bulk<I, T>, fields: (value: T) => string): RestHandler {
  return async (ctx, req, res) => {
    const results = await operation(ctx, (req.body as { items: I[] }).items);
    noteResults(res, { results }); // per-item error counts and refusals, as for answers sent as objects
    sendJsonText(res, resultsJson(results, fields));
    return undefined;
  };
}

/**
 * Writes an answer already encoded as JSON text, with the headers express's `res.send` would give it
 * (no ETag: the app turns them off). `send` also re-parses the content type to set its charset and
 * works out whether a conditional request is fresh, on every answer; these are POST answers.
 */
function sendJsonText(res: Response, text: string): void {
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  res.setHeader('Content-Length', Buffer.byteLength(text));
  if (res.req.method === 'HEAD') res.end();
  else res.end(text, 'utf8');
}

/** Items of a read-only bulk given to core at once: a bigger bulk is answered a slice at a time. */
const READ_SLICE_ITEMS = 10_000;

/**
 * `bulkText` for reads, whose items stand alone (no transaction joins them): a bulk larger than the
 * default limit (sites may allow 100,000 items) goes through core in slices, each encoded to text
 * before the next is read, so that only one slice's rows, entries and results are alive at a time.
 * The answer is the same as one call's.
 */
function readBulkText<I, T>(operation: Bulk<I, T>, fields: (value: T) => string): RestHandler {
  const whole = bulkText(operation, fields);
  return async (ctx, req, res, face) => {
    const items = (req.body as { items: I[] }).items;
    if (items.length <= READ_SLICE_ITEMS) return whole(ctx, req, res, face);
    noteItems(res, items.length);
    const parts: string[] = [];
    for (let from = 0; from < items.length; from += READ_SLICE_ITEMS) {
      const results = await operation(ctx, items.slice(from, from + READ_SLICE_ITEMS));
      noteResults(res, { results: results.filter((r) => !r.ok) });
      parts.push(resultsText(results, fields));
    }
    sendJsonText(res, `{"results":[${parts.join(',')}]}`);
    return undefined;
  };
}

const entryFields = (e: core.Entry) => `"entry":${entryJson(e)}`;
const replicaListFields = (f: core.FileReplicas) => `"guid":"${f.guid}","replicas":${f.replicasJson}`;
const replica = (r: core.Replica) => ({ replica: encodeReplica(r) });
const nothing = () => ({});
const user = (u: accounts.Account) => ({ user: encodeAccount(u) });

function encodeAccount(u: accounts.Account) {
  return { name: u.name, dn: u.dn, admin: u.admin, disabled: u.disabled, groups: u.groups, ctime: u.ctime.toISOString() };
}

function queryString(req: Request, name: string): string | undefined {
  const value = (req.query as Record<string, unknown>)[name];
  return typeof value === 'string' ? value : undefined;
}

function queryNumber(req: Request, name: string): number | undefined {
  const value = (req.query as Record<string, unknown>)[name];
  return typeof value === 'number' ? value : undefined;
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
  ...STORAGE_HANDLERS,
  createDirectories: bulkText(core.makeDirectories, entryFields),
  createFiles: bulkText(core.createFiles, entryFields),
  createSymlinks: bulkText(core.createSymlinks, entryFields),
  statEntries: readBulkText(core.statEntries, entryFields),
  moveEntries: bulkText(core.moveEntries, entryFields),
  removeEntries: bulk(core.removeEntries, nothing),
  addReplicas: bulk(core.addReplicas, replica),
  removeReplicas: bulk(core.removeReplicas, nothing),
  setMasterReplicas: bulk(core.setMasterReplicas, replica),
  listReplicas: readBulkText(core.listReplicas, replicaListFields),
  lookupGuids: bulk(core.lookupGuids, (g) => ({ guid: g.guid, lfn: g.lfn })),
  setAttributes: bulk(core.setAttributes, nothing),
  getAttributes: bulk(core.getAttributes, (attributes) => ({ attributes: encodeAttributeValues(attributes) })),
  clearAttributes: bulk(core.clearAttributes, nothing),
  listAttributes: bulk(core.listAttributes, (attributes) => ({ attributes })),
  dropMetadata: bulk(core.removeMetadataEntries, nothing),
  bindSchemas: bulk((ctx, items: readonly core.BindSchemaItem[]) => core.bindSchemas(ctx, items), nothing),
  unbindSchemas: bulk(core.unbindSchemas, nothing),
  getSchemaBindings: bulk(core.getSchemaBindings, (bindings) => ({ schemas: bindings.schemas, inherited: bindings.inherited })),

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
      await writeNdjson(res, core.streamEntries(ctx, request), entryJson);
      return undefined;
    }
    const page = await core.queryEntries(ctx, request, { limit: body.limit, cursor: body.cursor });
    return { entries: page.items.map(encodeEntry), next: page.next };
  },

  getPermissions: bulk(core.getPermissions, (p) => ({ permission: core.describePermission(p) })),
  setPermissions: bulk(core.setPermissions, (p) => ({ permission: core.describePermission(p) })),
  checkPermissions: bulk(core.checkPermissions, (c) => ({ lfn: c.lfn, granted: c.granted, denied: c.denied })),
  changeOwners: bulkText(core.changeOwners, entryFields),

  createUsers: bulk(accounts.createUsers, user),
  createGroups: bulk(accounts.createGroups, (group) => ({ group })),
  async listUsers(ctx) {
    return { users: (await accounts.listUsers(ctx)).map(encodeAccount) };
  },
  async getUser(ctx, req) {
    return encodeAccount(await accounts.getUser(ctx, pathName(req)));
  },
  async updateUser(ctx, req) {
    return encodeAccount(await accounts.updateUser(ctx, pathName(req), req.body as accounts.UserChanges));
  },
  async deleteUser(ctx, req, res) {
    await accounts.deleteUser(ctx, pathName(req));
    res.status(204).end();
    return undefined;
  },
  async listGroups(ctx) {
    return { groups: await accounts.listGroups(ctx) };
  },
  async changeGroupMembers(ctx, req) {
    const items = (req.body as { items: accounts.MembershipChange[] }).items;
    return encodeResults(await accounts.changeMembers(ctx, pathName(req), items), (m) => ({ user: m.user, member: m.member }));
  },
  async issueToken(ctx, req) {
    const issued = await accounts.issueToken(ctx, req.body as { ttlSeconds?: number; label?: string });
    return { token: issued.token, id: issued.id, user: issued.user, expires: issued.expires.toISOString(), ...(issued.label !== undefined ? { label: issued.label } : {}) };
  },
  async listTokens(ctx, req) {
    const user = queryString(req, 'user');
    const all = [true, 'true'].includes((req.query as Record<string, unknown>).all as boolean | string);
    const tokens = await accounts.listTokens(ctx, { ...(user !== undefined ? { user } : {}), all });
    return {
      tokens: tokens.map((t) => ({ id: t.id, user: t.user, created: t.created.toISOString(), expires: t.expires.toISOString(), ...(t.label !== undefined ? { label: t.label } : {}) })),
    };
  },
  async revokeToken(ctx, req, res) {
    await accounts.revokeToken(ctx, String(req.params.id));
    res.status(204).end();
    return undefined;
  },
  async getLimits(_ctx, _req, _res, face) {
    const { maxItems, maxBodyBytes, defaultPageSize, maxPageSize } = face.limits;
    return { maxItems, maxBodyBytes, defaultPageSize, maxPageSize };
  },
  async whoami(ctx) {
    const { dn, group, groups, fqans, method, admin, account, limited } = ctx.identity;
    return {
      dn,
      group,
      groups,
      ...(fqans !== undefined ? { fqans } : {}),
      method: method ?? 'fixed',
      admin: admin === true,
      ...(account !== undefined ? { account } : {}),
      ...(limited !== undefined ? { limited } : {}),
    };
  },

  async listDirectory(ctx, req, res) {
    const lfn = queryString(req, 'lfn') ?? '';
    if (req.accepts(['application/json', 'application/x-ndjson']) === 'application/x-ndjson') {
      await writeNdjsonPages(res, core.streamDirectoryPages(ctx, lfn), writeEntryJson);
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

/**
 * Operations that also take NDJSON bodies (`Content-Type: application/x-ndjson`, one item a line) and
 * answer one NDJSON result a line, for any number of items; `itemSchema` checks each line.
 */
export const REST_STREAM_HANDLERS: Readonly<Record<string, { readonly itemSchema: string; readonly handle: StreamHandler }>> = {
  listReplicas: { itemSchema: '#/components/schemas/FileRef', handle: streamBulk(core.listReplicas, replicaListFields) },
};
