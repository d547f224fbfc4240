import { formatPermission, parseAclSpec } from '../../src/cli/acl-text';
import { UsageError } from '../../src/cli/exit-codes';

describe('the ACL text form', () => {
  it('writes base rights and entries, getfacl-like', () => {
    expect(
      formatPermission({
        owner: '/DC=org/CN=Alice',
        group: 'vo',
        base: { owner: ['permission', 'remove', 'read', 'write', 'list', 'execute', 'getMetadata', 'setMetadata'], group: ['list', 'read'], other: [] },
        acl: [
          { principal: '/DC=org/CN=Bob', kind: 'user', allow: ['read', 'list'], deny: [], inherit: false },
          { principal: '/vo/prod', kind: 'group', allow: ['read', 'write', 'list'], deny: ['remove'], inherit: true },
        ],
      }),
    ).toEqual([
      '# owner: /DC=org/CN=Alice',
      '# group: vo',
      'user::pdrwlxgs',
      'group::rl',
      'other::-',
      'user:/DC=org/CN=Bob:rl',
      'inherit:group:/vo/prod:rwl!d',
    ]);
  });

  it('reads back what it writes', () => {
    expect(parseAclSpec('inherit:group:/vo/prod:rwl!d')).toEqual({
      kind: 'entry',
      entry: { principal: '/vo/prod', kind: 'group', allow: ['read', 'write', 'list'], deny: ['remove'], inherit: true },
    });
    expect(parseAclSpec('user::pdrwlxgs')).toMatchObject({ kind: 'base', who: 'owner' });
    expect(parseAclSpec('other::-')).toEqual({ kind: 'base', who: 'other', rights: [] });
    expect(parseAclSpec('g::rl')).toEqual({ kind: 'base', who: 'group', rights: ['read', 'list'] });
  });

  it('keeps colons inside a principal', () => {
    expect(parseAclSpec('user:/DC=org/CN=host:8443:rl')).toMatchObject({ entry: { principal: '/DC=org/CN=host:8443', allow: ['read', 'list'] } });
    expect(parseAclSpec('user:/DC=org/CN=Bob', true)).toMatchObject({ entry: { principal: '/DC=org/CN=Bob', allow: [] } });
  });

  it.each(['bob:rl', 'user:/DC=org/CN=Bob', 'other:x:r', 'inherit:user::r', 'user::r!w', 'user:/CN=B:rq'])('refuses %j', (text) => {
    expect(() => parseAclSpec(text)).toThrow(UsageError);
  });
});
