import type { Group, GroupResult, MembershipChange, MembershipResult, NewGroup, NewUser, Token, TokenInfo, TokenRequest, User, UserChanges, UserResult } from '../contract';
import type { BulkOptions, Calls } from './calls';
import type { CallOptions } from './rest-transport';

/** Local users (administrators; a user may read themself and change their own password). */
export class UsersApi {
  readonly #calls: Calls;
  constructor(calls: Calls) {
    this.#calls = calls;
  }

  async list(options: CallOptions = {}): Promise<User[]> {
    const answer = await this.#calls.read((init) => this.#calls.api.GET('/api/v1/users', init), options);
    return answer.users;
  }

  create(items: readonly NewUser[], options: BulkOptions = {}): Promise<UserResult[]> {
    return this.#calls.bulk(items, 'write', options, (chunk, init) => this.#calls.api.POST('/api/v1/users', { body: { items: chunk }, ...init }));
  }

  get(name: string, options: CallOptions = {}): Promise<User> {
    return this.#calls.read((init) => this.#calls.api.GET('/api/v1/users/{name}', { params: { path: { name } }, ...init }), options);
  }

  /** Changes a user; disabling them or changing their password revokes their tokens. */
  update(name: string, changes: UserChanges, options: CallOptions = {}): Promise<User> {
    return this.#calls.write((init) => this.#calls.api.PATCH('/api/v1/users/{name}', { params: { path: { name } }, body: changes, ...init }), options);
  }

  delete(name: string, options: CallOptions = {}): Promise<void> {
    return this.#calls.writeEmpty((init) => this.#calls.api.DELETE('/api/v1/users/{name}', { params: { path: { name } }, ...init }), options);
  }
}

/** Local groups and their members (administrators). */
export class GroupsApi {
  readonly #calls: Calls;
  constructor(calls: Calls) {
    this.#calls = calls;
  }

  async list(options: CallOptions = {}): Promise<Group[]> {
    const answer = await this.#calls.read((init) => this.#calls.api.GET('/api/v1/groups', init), options);
    return answer.groups;
  }

  /** Creates groups; bare strings are names. */
  create(items: readonly (string | NewGroup)[], options: BulkOptions = {}): Promise<GroupResult[]> {
    const all = items.map((item): NewGroup => (typeof item === 'string' ? { name: item } : item));
    return this.#calls.bulk(all, 'write', options, (chunk, init) => this.#calls.api.POST('/api/v1/groups', { body: { items: chunk }, ...init }));
  }

  /** Adds users to a group, or removes them (`remove: true`). */
  changeMembers(group: string, items: readonly MembershipChange[], options: BulkOptions = {}): Promise<MembershipResult[]> {
    return this.#calls.bulk(items, 'write', options, (chunk, init) =>
      this.#calls.api.POST('/api/v1/groups/{name}/members', { params: { path: { name: group } }, body: { items: chunk }, ...init }),
    );
  }

  addMembers(group: string, users: readonly string[], options: BulkOptions = {}): Promise<MembershipResult[]> {
    return this.changeMembers(group, users.map((user) => ({ user })), options);
  }

  removeMembers(group: string, users: readonly string[], options: BulkOptions = {}): Promise<MembershipResult[]> {
    return this.changeMembers(group, users.map((user) => ({ user, remove: true })), options);
  }
}

/** Bearer tokens for the calling local account. */
export class TokensApi {
  readonly #calls: Calls;
  constructor(calls: Calls) {
    this.#calls = calls;
  }

  /**
   * A new token (shown once): use it as `{ type: 'bearer', token }` credentials. The client must log
   * in with a password or certificate: a bearer token cannot issue tokens.
   */
  issue(request: TokenRequest = {}, options: CallOptions = {}): Promise<Token> {
    return this.#calls.write((init) => this.#calls.api.POST('/api/v1/tokens', { body: request, ...init }), options);
  }

  /** The caller's live tokens (never the secrets); admins may name a `user`, or ask for `all`. */
  async list(query: { readonly user?: string; readonly all?: boolean } = {}, options: CallOptions = {}): Promise<TokenInfo[]> {
    const answer = await this.#calls.read((init) => this.#calls.api.GET('/api/v1/tokens', { params: { query }, ...init }), options);
    return answer.tokens;
  }

  /** Revokes one token by its id (the caller's own, or anyone's for an admin). */
  revoke(id: string, options: CallOptions = {}): Promise<void> {
    return this.#calls.writeEmpty((init) => this.#calls.api.DELETE('/api/v1/tokens/{id}', { params: { path: { id } }, ...init }), options);
  }
}
