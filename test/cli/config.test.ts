import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { configPath, readConfigFile, resolveEndpoint } from '../../src/cli/cli-config';
import { UsageError } from '../../src/cli/exit-codes';

describe('where the service is', () => {
  const file = { endpoint: 'https://file.example.org:8443', services: { test: 'http://named.example.org:8080/' } };

  it('takes -s first, then REPLICAT_ENDPOINT, then the config file', () => {
    const env = { REPLICAT_ENDPOINT: 'http://env.example.org:8080' };
    expect(resolveEndpoint('https://flag.example.org', env, file, 'cfg')).toEqual({ url: 'https://flag.example.org', source: '-s' });
    expect(resolveEndpoint(undefined, env, file, 'cfg')).toEqual({ url: 'http://env.example.org:8080', source: 'REPLICAT_ENDPOINT' });
    expect(resolveEndpoint(undefined, {}, file, 'cfg')).toEqual({ url: 'https://file.example.org:8443', source: 'cfg' });
  });

  it('looks -s names up in the config file, and maps httpg:// to https://', () => {
    expect(resolveEndpoint('test', {}, file, 'cfg').url).toBe('http://named.example.org:8080');
    expect(resolveEndpoint('httpg://grid.example.org:8443/', {}, {}, 'cfg').url).toBe('https://grid.example.org:8443');
    expect(resolveEndpoint('http://h:1/api/v1', {}, {}, 'cfg').url).toBe('http://h:1');
    expect(() => resolveEndpoint('prod', {}, file, 'cfg')).toThrow(/no service of that name/);
  });

  it('says how to give a service when there is none', () => {
    expect(() => resolveEndpoint(undefined, {}, {}, '/home/u/.config/replicat/config.json')).toThrow(UsageError);
    expect(() => resolveEndpoint(undefined, { REPLICAT_ENDPOINT: 'ftp://x' }, {}, 'cfg')).toThrow(/not an http/);
  });

  it('finds the file by REPLICAT_CONFIG, XDG_CONFIG_HOME or the home directory', () => {
    expect(configPath({ REPLICAT_CONFIG: '/etc/r.json', XDG_CONFIG_HOME: '/x' }, '/home/u')).toBe('/etc/r.json');
    expect(configPath({ XDG_CONFIG_HOME: '/x' }, '/home/u')).toBe('/x/replicat/config.json');
    expect(configPath({}, '/home/u')).toBe('/home/u/.config/replicat/config.json');
  });

  it('reads the file, treating a missing one as empty and a malformed one as a usage error', () => {
    const dir = mkdtempSync(join(tmpdir(), 'replicat-config-'));
    expect(readConfigFile(join(dir, 'none.json'))).toEqual({});
    writeFileSync(join(dir, 'ok.json'), JSON.stringify({ ...file, timeoutSeconds: 5 }));
    expect(readConfigFile(join(dir, 'ok.json'))).toEqual({ ...file, timeoutSeconds: 5 });
    writeFileSync(join(dir, 'bad.json'), '{"endpoint": ');
    expect(() => readConfigFile(join(dir, 'bad.json'))).toThrow(/not JSON/);
    writeFileSync(join(dir, 'bad2.json'), '{"services": {"a": 1}}');
    expect(() => readConfigFile(join(dir, 'bad2.json'))).toThrow(/services/);
  });
});
