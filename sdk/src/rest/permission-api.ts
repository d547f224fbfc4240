import type { CheckPermissionItem, GetPermissionItem, PermissionCheckResult, PermissionResult, SetPermissionItem } from '../contract';
import { byLfn, type BulkOptions, type Calls } from './calls';

/** Permissions: owner, group, base rights and ACL of entries. */
export class PermissionsApi {
  readonly #calls: Calls;
  constructor(calls: Calls) {
    this.#calls = calls;
  }

  /** The permission of entries (needs getMetadata on each). */
  get(items: readonly (string | GetPermissionItem)[], options: BulkOptions = {}): Promise<PermissionResult[]> {
    const all = byLfn<GetPermissionItem>(items, (lfn) => ({ lfn }));
    return this.#calls.bulk(all, 'read', options, (chunk, init) => this.#calls.api.POST('/api/v1/permissions/get', { body: { items: chunk }, ...init }));
  }

  /** Replaces, adds or removes base rights and ACL entries (`mode`, default replace). */
  set(items: readonly SetPermissionItem[], options: BulkOptions = {}): Promise<PermissionResult[]> {
    return this.#calls.bulk(items, 'write', options, (chunk, init) => this.#calls.api.POST('/api/v1/permissions/set', { body: { items: chunk }, ...init }));
  }

  /** Which of the given rights the caller holds on each entry. */
  check(items: readonly CheckPermissionItem[], options: BulkOptions = {}): Promise<PermissionCheckResult[]> {
    return this.#calls.bulk(items, 'read', options, (chunk, init) => this.#calls.api.POST('/api/v1/permissions/check', { body: { items: chunk }, ...init }));
  }
}
