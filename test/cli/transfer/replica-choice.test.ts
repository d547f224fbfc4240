import { orderReplicas, seDirectory, type RegisteredSe } from '../../../src/cli/transfer/replica-choice';
import { SrmEndpoints } from '../../../src/cli/transfer/srm-endpoints';
import { UsageError } from '../../../src/cli/exit-codes';

const se = (name: string, more: Partial<RegisteredSe> = {}): RegisteredSe => ({
  name,
  host: `${name}.example.org`,
  surlPrefixes: [`srm://${name}.example.org/dpm/`],
  status: 'online',
  nearline: false,
  protocols: [{ scheme: 'https' }],
  ...more,
});

describe('orderReplicas: which replica get tries first', () => {
  const directory = seDirectory([se('disk1'), se('disk2'), se('tape', { nearline: true }), se('down', { status: 'offline' }), se('rootonly', { protocols: [{ scheme: 'root' }] }), se('nosrm')]);
  const rules = { preferredSes: [] as string[], protocols: ['https', 'http'], srmOf: (name: string) => (name === 'nosrm' ? undefined : `http://srm/${name}`) };
  const replica = (se: string, master = false) => ({ surl: `srm://${se}.example.org/dpm/f`, master });

  it('skips what cannot serve now, each with its reason', () => {
    const { candidates, skipped } = orderReplicas(
      [replica('down'), replica('rootonly'), replica('nosrm'), { surl: 'srm://elsewhere.org/f', master: false }, { surl: 'not a surl', master: false }, replica('disk1')],
      directory,
      rules,
    );
    expect(candidates.map((c) => c.se)).toEqual(['disk1']);
    expect(skipped.map((s) => s.reason)).toEqual([
      'storage element down is offline',
      'storage element rootonly offers none of https, http',
      'no SRM given for storage element nosrm (--srm nosrm=URL)',
      'on a storage element the registry does not know',
      'not a SURL',
    ]);
  });

  it('orders preferred SEs first, then disk before tape, then the master, then by SURL', () => {
    const replicas = [replica('tape', true), replica('disk2'), replica('disk1', true)];
    expect(orderReplicas(replicas, directory, rules).candidates.map((c) => c.se)).toEqual(['disk1', 'disk2', 'tape']);
    expect(orderReplicas(replicas, directory, { ...rules, preferredSes: ['tape', 'disk2'] }).candidates.map((c) => c.se)).toEqual(['tape', 'disk2', 'disk1']);
    expect(orderReplicas([replica('disk2'), replica('disk1')], directory, rules).candidates.map((c) => c.se)).toEqual(['disk1', 'disk2']);
  });
});

describe('SrmEndpoints: --srm, REPLICAT_SRM, the config file', () => {
  it('takes one URL for every SE, or SE=URL, from the first source that gives any', () => {
    const endpoints = SrmEndpoints.parse([
      { values: [], where: '--srm' },
      { values: ['http://srm.example.org:8446/', 'tape=https://tape.example.org/srm'], where: 'REPLICAT_SRM' },
      { values: ['http://ignored'], where: 'config' },
    ]);
    expect(endpoints.of('disk1')).toBe('http://srm.example.org:8446');
    expect(endpoints.of('tape')).toBe('https://tape.example.org/srm');
  });

  it('refuses missing, malformed and conflicting values', () => {
    expect(() => SrmEndpoints.parse([{ values: [], where: '--srm' }])).toThrow(UsageError);
    expect(() => SrmEndpoints.parse([{ values: ['ftp://x'], where: '--srm' }])).toThrow(/not an http/);
    expect(() => SrmEndpoints.parse([{ values: ['http://a', 'http://b'], where: '--srm' }])).toThrow(/two SRMs/);
    expect(() => SrmEndpoints.parse([{ values: ['se=http://a', 'se=http://b'], where: '--srm' }])).toThrow(/two SRMs for se/);
    expect(SrmEndpoints.parse([{ values: ['se=http://a'], where: '--srm' }]).of('other')).toBeUndefined();
  });
});
