import type { Express } from 'express';
import request from 'supertest';
import type { Identity } from '../../src/core/context';
import type { StorageSettings } from '../../src/core/storage/storage-settings';
import { startTestCatalog, TEST_IDENTITY, TEST_LIMITS, type TestCatalog } from '../support/test-catalog';

export const ADMIN: Identity = { dn: '/DC=org/DC=example/CN=Site Admin', group: 'admins', groups: [], admin: true };
export const BOB: Identity = { dn: '/DC=org/DC=example/CN=Bob', group: 'others', groups: [] };

/**
 * A test catalog whose requests act as the test user, or as `x-test-as: admin` / `bob`: the registry is
 * changed by an administrator and read by everyone.
 */
export async function startStorageCatalog(limits: Partial<typeof TEST_LIMITS> = {}, storage?: StorageSettings): Promise<TestCatalog> {
  return startTestCatalog(limits, {
    identify: (req) => {
      const as = req.get('x-test-as');
      return as === 'admin' ? ADMIN : as === 'bob' ? BOB : TEST_IDENTITY;
    },
    ...(storage !== undefined ? { storage } : {}),
  });
}

export function asAdmin(app: Express) {
  return {
    post: (path: string, body: unknown) => request(app).post(path).set('x-test-as', 'admin').send(body as object),
    patch: (path: string, body: unknown) => request(app).patch(path).set('x-test-as', 'admin').send(body as object),
    delete: (path: string) => request(app).delete(path).set('x-test-as', 'admin'),
  };
}

/** An SE as most tests want it: online disk, https and root, one SURL prefix on its host. */
export function seItem(name: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    name,
    host: name,
    surlPrefixes: [`srm://${name}/dpm/`],
    protocols: [
      { scheme: 'https', turlTemplate: `https://${name}:8443/data{path}` },
      { scheme: 'root', turlTemplate: `root://${name}:1094/{path}` },
    ],
    ...extra,
  };
}
