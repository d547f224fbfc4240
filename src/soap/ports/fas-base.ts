import * as core from '../../core';
import { PermissionDenied } from '../../core/errors';
import { changeAll, readAll } from '../all-or-nothing';
import { decodeItems, decodeOptionalPerm, decodePermissionEntry, type PermissionValue } from '../decode-types';
import { permissionEntry } from '../encode-types';
import type { OperationDefinition } from '../operation';
import { itemArray } from '../xml-writer';

const STRINGS = 'impl:ArrayOf_soapenc_string';

/** Fireman's Permission onto core's allow-only replacement; nil parts stay as they are (wsdl/README.md). */
function toAllowItem(lfn: string, p: PermissionValue): core.AllowPermissionItem {
  const base: { owner?: string[]; group?: string[]; other?: string[] } = {};
  if (p.userPerm !== null) base.owner = p.userPerm;
  if (p.groupPerm !== null) base.group = p.groupPerm;
  if (p.otherPerm !== null) base.other = p.otherPerm;
  return {
    lfn,
    ...(p.userName !== null ? { owner: p.userName } : {}),
    ...(p.groupName !== null ? { group: p.groupName } : {}),
    ...(Object.keys(base).length > 0 ? { base } : {}),
    acl: p.acl.map((e) => ({ principal: e.principal, kind: core.principalKindOf(e.principal), allow: e.rights })),
  };
}

/** FASBase: setPermission, getPermission, checkPermission (fireman-interface.md §5.2). */
export const fasBaseOperations: OperationDefinition[] = [
  {
    name: 'setPermission',
    parts: [{ name: 'permissions', type: 'impl:ArrayOf_tns1_PermissionEntry' }],
    returns: null,
    faults: true,
    async run({ ctx, parts }) {
      const items = decodeItems(parts, 'permissions', decodePermissionEntry).map((e) => toAllowItem(e.item, e.permission));
      await changeAll(ctx, core.replaceAllowPermissions, items, (i) => i.lfn);
      return undefined;
    },
  },
  {
    name: 'getPermission',
    parts: [{ name: 'items', type: STRINGS }],
    returns: 'impl:ArrayOf_tns1_PermissionEntry',
    faults: true,
    async run({ ctx, parts }) {
      const lfns = parts.strings('items');
      const found = await readAll(ctx, core.getPermissions, lfns.map((lfn) => ({ lfn })), (i) => i.lfn);
      return { content: itemArray(found, (p, i) => permissionEntry(lfns[i]!, p)) };
    },
  },
  {
    name: 'checkPermission',
    parts: [
      { name: 'items', type: STRINGS },
      { name: 'perm', type: 'tns1:Perm' },
    ],
    returns: null,
    faults: true,
    async run({ ctx, parts }) {
      const rights = decodeOptionalPerm(parts.element('perm'));
      if (rights === null) throw new core.InvalidArgument('missing argument: perm');
      const lfns = parts.strings('items');
      const checks = await readAll(ctx, core.checkPermissions, lfns.map((lfn) => ({ lfn, rights })), (i) => i.lfn);
      const index = checks.findIndex((c) => c.denied.length > 0);
      if (index >= 0) {
        const denied = checks[index]!.denied.join(', ');
        throw new PermissionDenied(`item ${index + 1} of ${lfns.length} (${lfns[index]}): permission denied: ${denied} on ${checks[index]!.lfn}`);
      }
      return undefined;
    },
  },
];
