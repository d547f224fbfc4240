import { ReplicatError } from '@replicat/sdk';
import { defineCommand } from '../command-spec';
import { UsageError } from '../exit-codes';
import { commaList } from '../option-values';
import { readNewPassword } from '../secret-input';
import { reportResults } from '../targets';

/** `user set --admin yes|no`: a flag that can turn something off as well as on. */
function yesNo(option: string, text: string | undefined): boolean | undefined {
  if (text === undefined) return undefined;
  if (text === 'yes' || text === 'true') return true;
  if (text === 'no' || text === 'false') return false;
  throw new UsageError(`${option} ${text}: give yes or no`);
}

export const userLs = defineCommand<object>({
  name: 'user ls',
  tool: 'replicat user ls',
  summary: 'list local user accounts: name, admin, disabled, groups, DN (admins)',
  arguments: [],
  examples: ['replicat user ls', 'replicat user ls --json | jq -r .name'],
  async run(session) {
    const users = await session.client().users.list();
    if (session.json) {
      for (const user of users) await session.out.json(user);
      return;
    }
    const rows = users.map((u) => [u.name, [u.admin ? 'admin' : 'user', ...(u.disabled ? ['disabled'] : [])].join(','), u.groups.length > 0 ? u.groups.join(',') : '-', u.dn ?? '-']);
    const widths = [0, 1, 2].map((i) => Math.max(...rows.map((row) => row[i]!.length)));
    for (const row of rows) await session.out.line(row.map((cell, i) => (i < 3 ? cell.padEnd(widths[i]!) : cell)).join('  '));
  },
});

interface UserAddOptions {
  readonly admin?: boolean;
  readonly dn?: string;
  readonly groups?: string;
  readonly password?: boolean;
}

export const userAdd = defineCommand<UserAddOptions>({
  name: 'user add',
  tool: 'replicat user add',
  summary: 'create a local user account (admins)',
  description:
    'With --password, the password is read from the terminal (twice, not echoed) or the first line of stdin, never ' +
    'from the command line. Without it the account logs in only by its certificate (--dn) or a token an admin issues.',
  arguments: [['<name>', 'the account name']],
  examples: ["printf '%s\\n' 'a long passphrase' | replicat user add --password --groups vo alice", "replicat user add --dn '/DC=org/DC=example/CN=Bob' bob"],
  configure: (command) =>
    command
      .option('--password', 'ask for a password (terminal) or read it from stdin')
      .option('--dn <dn>', 'the certificate DN that logs in as this user')
      .option('--groups <names>', 'groups to join, comma-separated')
      .option('--admin', 'an administrator'),
  async run(session, [name], options) {
    const password = options.password === true ? await readNewPassword(session, name!) : undefined;
    const results = await session.client().users.create([
      {
        name: name!,
        ...(password !== undefined ? { password } : {}),
        ...(options.dn !== undefined ? { dn: options.dn } : {}),
        ...(options.admin === true ? { admin: true } : {}),
        ...(options.groups !== undefined ? { groups: commaList(options.groups) } : {}),
      },
    ]);
    await reportResults(session, [name!], results, () => session.debug(() => `created ${name}`));
  },
});

interface UserSetOptions {
  readonly admin?: string;
  readonly disabled?: string;
  readonly dn?: string;
  readonly groups?: string;
}

export const userSet = defineCommand<UserSetOptions>({
  name: 'user set',
  tool: 'replicat user set',
  summary: 'change a local user: admin, disabled, DN, groups (admins; disabling revokes their tokens)',
  arguments: [['<name>', 'the account name']],
  examples: ['replicat user set --disabled yes alice', "replicat user set --groups vo,prod --dn '' alice"],
  configure: (command) =>
    command
      .option('--admin <yes|no>', 'make or unmake an administrator')
      .option('--disabled <yes|no>', 'disable (revoking their tokens) or enable the account')
      .option('--dn <dn>', "the certificate DN that logs in as this user ('' for none)")
      .option('--groups <names>', "the user's groups, comma-separated, replacing the old ones ('' for none)"),
  async run(session, [name], options) {
    const admin = yesNo('--admin', options.admin);
    const disabled = yesNo('--disabled', options.disabled);
    const changes = {
      ...(admin !== undefined ? { admin } : {}),
      ...(disabled !== undefined ? { disabled } : {}),
      ...(options.dn !== undefined ? { dn: options.dn === '' ? null : options.dn } : {}),
      ...(options.groups !== undefined ? { groups: commaList(options.groups) } : {}),
    };
    if (Object.keys(changes).length === 0) throw new UsageError('nothing to change: give --admin, --disabled, --dn or --groups (passwd changes passwords)');
    const user = await session.client().users.update(name!, changes);
    if (session.json) await session.out.json(user);
  },
});

export const userRm = defineCommand<object>({
  name: 'user rm',
  tool: 'replicat user rm',
  summary: 'delete local user accounts (admins)',
  arguments: [['<name...>', 'account names']],
  examples: ['replicat user rm alice bob'],
  async run(session, names) {
    for (const name of names) {
      try {
        await session.client().users.delete(name);
        session.debug(() => `deleted ${name}`);
      } catch (error) {
        if (!(error instanceof ReplicatError) || !['NotExists', 'PermissionDenied', 'InvalidArgument', 'Conflict'].includes(error.code)) throw error;
        await session.fail(name, { code: error.code, message: error.message });
      }
    }
  },
});

export const passwd = defineCommand<object>({
  name: 'passwd',
  tool: 'replicat passwd',
  summary: "change your password (an admin may give a user's name to set theirs)",
  description:
    'The new password is read from the terminal (twice, not echoed) or the first line of stdin. It must follow the ' +
    "service's password rule (at least 8 characters); changing it revokes the account's tokens.",
  arguments: [['[user]', 'whose password (default: yours, the account of your credentials)']],
  examples: ['replicat passwd', "printf '%s\\n' 'a long passphrase' | replicat passwd alice"],
  async run(session, [user]) {
    const client = session.client();
    const name = user ?? (await client.whoami()).account;
    if (name === undefined) throw new UsageError('your credentials are not a local account (a certificate?): give the user whose password to set');
    const password = await readNewPassword(session, name);
    await client.users.update(name, { password });
    if (session.verbosity >= 0 && !session.json) await session.err.line(`${session.tool}: password of ${name} changed`);
  },
});

export const groupLs = defineCommand<object>({
  name: 'group ls',
  tool: 'replicat group ls',
  summary: 'list local groups and their members (admins)',
  arguments: [],
  examples: ['replicat group ls'],
  async run(session) {
    const groups = await session.client().groups.list();
    if (session.json) {
      for (const group of groups) await session.out.json(group);
      return;
    }
    const width = Math.max(0, ...groups.map((g) => g.name.length));
    for (const group of groups) await session.out.line(`${group.name.padEnd(width)}  ${group.members.length > 0 ? group.members.join(',') : '-'}`);
  },
});

export const groupAdd = defineCommand<object>({
  name: 'group add',
  tool: 'replicat group add',
  summary: 'create local groups (admins)',
  arguments: [['<name...>', 'group names']],
  examples: ['replicat group add vo prod'],
  async run(session, names) {
    const results = await session.client().groups.create(names);
    await reportResults(session, names, results);
  },
});

export const groupMembers = defineCommand<{ readonly remove?: boolean }>({
  name: 'group members',
  tool: 'replicat group members',
  summary: 'add users to a group, or remove them with --remove (admins)',
  arguments: [
    ['<group>', 'the group'],
    ['<user...>', 'account names'],
  ],
  examples: ['replicat group members vo alice bob', 'replicat group members --remove vo bob'],
  configure: (command) => command.option('--remove', 'remove the users from the group'),
  async run(session, [group, ...users], options) {
    const client = session.client().groups;
    const results = options.remove === true ? await client.removeMembers(group!, users) : await client.addMembers(group!, users);
    await reportResults(session, users, results);
  },
});
