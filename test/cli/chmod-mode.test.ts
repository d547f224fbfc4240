import { parseChmodMode, type ChmodStep } from '../../src/cli/chmod-mode';
import { UsageError } from '../../src/cli/exit-codes';
import type { RightName } from '../../src/cli/rights-letters';

const ALL: RightName[] = ['permission', 'remove', 'read', 'write', 'list', 'execute', 'getMetadata', 'setMetadata'];

describe('chmod modes', () => {
  const table: [string, ChmodStep[]][] = [
    ['u+r', [{ mode: 'add', base: { owner: ['read'] } }]],
    ['g-w', [{ mode: 'remove', base: { group: ['write'] } }]],
    ['o=rl', [{ mode: 'replace', base: { other: ['read', 'list'] } }]],
    ['a=', [{ mode: 'replace', base: { owner: [], group: [], other: [] } }]],
    ['+x', [{ mode: 'add', base: { owner: ['execute'], group: ['execute'], other: ['execute'] } }]],
    ['u=pdrwlxgs', [{ mode: 'replace', base: { owner: ALL } }]],
    ['ug+rw', [{ mode: 'add', base: { owner: ['read', 'write'], group: ['read', 'write'] } }]],
    ['g+wr', [{ mode: 'add', base: { group: ['read', 'write'] } }]],
    ['u+r,g+l', [{ mode: 'add', base: { owner: ['read'], group: ['list'] } }]],
    ['u+r,u+w', [{ mode: 'add', base: { owner: ['read'] } }, { mode: 'add', base: { owner: ['write'] } }]],
    [
      'u=rw,go-w',
      [
        { mode: 'replace', base: { owner: ['read', 'write'] } },
        { mode: 'remove', base: { group: ['write'], other: ['write'] } },
      ],
    ],
    ['u+r-w', [{ mode: 'add', base: { owner: ['read'] } }, { mode: 'remove', base: { owner: ['write'] } }]],
    ['o-gs', [{ mode: 'remove', base: { other: ['getMetadata', 'setMetadata'] } }]],
    ['g=d', [{ mode: 'replace', base: { group: ['remove'] } }]],
    ['uuu+p', [{ mode: 'add', base: { owner: ['permission'] } }]],
  ];
  it.each(table)('%s', (mode, steps) => {
    expect(parseChmodMode(mode)).toEqual(steps);
  });

  it.each(['', 'u', 'u+q', 'z+r', 'u+r,', ',u+r', 'u r', '755', 'u+R'])('refuses %j as a usage error', (mode) => {
    expect(() => parseChmodMode(mode)).toThrow(UsageError);
  });
});
