import type { CliCommand } from './command-spec';
import { groupAdd, groupLs, groupMembers, passwd, userAdd, userLs, userRm, userSet } from './commands/accounts';
import { getattr, setattr } from './commands/attributes';
import { chkperm } from './commands/chkperm';
import { chmod } from './commands/chmod';
import { chown } from './commands/chown';
import { create } from './commands/create';
import { get } from './commands/get';
import { getacl } from './commands/getacl';
import { getreplica } from './commands/getreplica';
import { getguid, getlfn } from './commands/guids';
import { importCommand } from './commands/import';
import { listse } from './commands/listse';
import { ls } from './commands/ls';
import { mkdir } from './commands/mkdir';
import { mv } from './commands/mv';
import { put } from './commands/put';
import { query } from './commands/query';
import { addreplica, rmreplica, setmaster } from './commands/replica-changes';
import { rm, rmdir } from './commands/rm';
import { seLs } from './commands/se';
import { setacl } from './commands/setacl';
import { stat } from './commands/stat';
import { symlink } from './commands/symlink';
import { whoami } from './commands/whoami';

/** Every command, in the order `replicat --help` lists them. Tools named glite-* are package.json bins; `se ls` is `replicat se ls`. */
export const COMMANDS: readonly CliCommand[] = [
  ls,
  mkdir,
  rmdir,
  rm,
  mv,
  stat,
  create,
  symlink,
  chmod,
  chkperm,
  getacl,
  setacl,
  chown,
  getreplica,
  addreplica,
  rmreplica,
  setmaster,
  getguid,
  getlfn,
  setattr,
  getattr,
  query,
  listse,
  importCommand,
  get,
  put,
  whoami,
  seLs,
  userLs,
  userAdd,
  userSet,
  userRm,
  passwd,
  groupLs,
  groupAdd,
  groupMembers,
];

/** The command groups (`replicat se ls`): a name of COMMANDS with a space is a subcommand of one of these. */
export const COMMAND_GROUPS: Readonly<Record<string, string>> = {
  se: 'the storage element registry (ls)',
  user: 'local user accounts (ls, add, set, rm; admins)',
  group: 'local groups (ls, add, members; admins)',
};
