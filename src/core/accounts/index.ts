// Local accounts: users, groups, memberships and bearer tokens.
export type { Account, Group } from './account';
export { localAccountDn } from './account';
export { createUsers, listUsers, getUser, updateUser, deleteUser, type NewUser, type UserChanges } from './manage-users';
export { createGroups, listGroups, changeMembers, type MembershipChange, type Membership } from './manage-groups';
export { issueToken, type IssuedToken } from './issue-token';
export { listTokens, revokeToken, type TokenInfo } from './manage-tokens';
export { bootstrapAdmin } from './bootstrap-admin';
export { readAccounts, accountForLogin, accountOfToken, type AccountRecord } from './read-accounts';
export { verifyPassword, burnPasswordCheck } from './password-hash';
export { hashBearerToken } from './bearer-token';
