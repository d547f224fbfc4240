import { chmodSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '../../src/config';
import { loadSrmConfig, loadStorageConfig, SRM_DEFAULT_PORT, STORAGE_DEFAULT_PORT } from '../../src/srm/srm-config';

const SECRET = 's'.repeat(32);

describe('replicat srm and storage settings', () => {
  let dir: string;
  beforeEach(() => {
    dir = realpathSync(mkdtempSync(join(tmpdir(), 'srm-config-')));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('takes defaults, SEs from REPLICAT_SRM_SES, and the catalog from REPLICAT_ENDPOINT', () => {
    const config = loadSrmConfig({}, { REPLICAT_SRM_SES: `se1=${dir}/a, se2 = ${dir}/b`, REPLICAT_ENDPOINT: 'https://catalog.example.org:8443/' });
    expect(config).toMatchObject({
      listen: { host: '0.0.0.0', port: SRM_DEFAULT_PORT, tls: undefined },
      catalog: { url: 'https://catalog.example.org:8443', ca: undefined, startupAuthorization: undefined },
      stagingDelayMs: 10_000,
      pinLifetimeMs: 1_800_000,
      maxPinLifetimeMs: 86_400_000,
      putLifetimeMs: 3_600_000,
      requestRetentionMs: 3_600_000,
      serveData: true,
      secret: { generated: true },
    });
    expect([...config.ses]).toEqual([
      ['se1', join(dir, 'a')],
      ['se2', join(dir, 'b')],
    ]);
    expect(loadSrmConfig({}, { REPLICAT_SRM_SES: `se1=${dir}/a` }).catalog.url).toBe('http://127.0.0.1:8080');
  });

  it('lets options win over variables, and reads durations in seconds', () => {
    const config = loadSrmConfig(
      { se: [`tape=${dir}/t`], port: '9446', catalog: 'http://catalog:8080', stagingDelay: '0.25', pinLifetime: '60', data: false },
      { REPLICAT_SRM_SES: `se1=${dir}/a`, REPLICAT_SRM_PORT: '1', REPLICAT_SRM_SECRET: SECRET, REPLICAT_SRM_PUT_LIFETIME_SECONDS: '30', REPLICAT_TOKEN: 't' },
    );
    expect(config).toMatchObject({ listen: { port: 9446 }, catalog: { url: 'http://catalog:8080', startupAuthorization: 'Bearer t' }, stagingDelayMs: 250, pinLifetimeMs: 60_000, putLifetimeMs: 30_000, serveData: false });
    expect([...config.ses.keys()]).toEqual(['tape']);
    expect(config.secret).toEqual({ generated: false, value: Buffer.from(SECRET) });
    expect(loadSrmConfig({}, { REPLICAT_SRM_SES: `se1=${dir}/a`, REPLICAT_SRM_DATA: 'false', REPLICAT_SRM_SECRET: SECRET }).serveData).toBe(false);
  });

  it('reads the secret from a file, and warns when others may read it', () => {
    const file = join(dir, 'secret');
    writeFileSync(file, `${SECRET}\n`);
    chmodSync(file, 0o644);
    const config = loadStorageConfig({ se: [`se1=${dir}/a`], secretFile: file }, {});
    expect(config).toMatchObject({ listen: { port: STORAGE_DEFAULT_PORT }, secret: { generated: false, value: Buffer.from(SECRET) } });
    expect(config.warnings).toEqual([expect.stringContaining('readable by others')]);
    chmodSync(file, 0o600);
    expect(loadStorageConfig({ se: [`se1=${dir}/a`] }, { REPLICAT_SRM_SECRET_FILE: file }).warnings).toEqual([]);
    expect(() => loadStorageConfig({ se: [`se1=${dir}/a`], secretFile: file }, { REPLICAT_SRM_SECRET: SECRET })).toThrow(/give the secret once/);
  });

  it('refuses what cannot work, naming the option or variable', () => {
    const se = `se1=${dir}/a`;
    const refusals: [Record<string, unknown>, Record<string, string>, RegExp][] = [
      [{ se: [se, `se1=${dir}/b`] }, {}, /se1 is given twice/],
      [{ se: [se, `se2=${dir}/a/inner`] }, {}, /se1 and se2 share a directory/],
      [{ se: ['bad name=/tmp/x'] }, {}, /not NAME=DIRECTORY|not a storage element name/],
      [{ se: ['-x=/tmp/x'] }, {}, /"-x" is not a storage element name/],
      [{}, { REPLICAT_SRM_SES: `${se},junk` }, /REPLICAT_SRM_SES: "junk" is not NAME=DIRECTORY/],
      [{ se: [se], stagingDelay: '-1' }, {}, /--staging-delay must be a number of seconds from 0/],
      [{ se: [se] }, { REPLICAT_SRM_PIN_LIFETIME_SECONDS: '1h' }, /REPLICAT_SRM_PIN_LIFETIME_SECONDS must be a number of seconds/],
      [{ se: [se] }, { REPLICAT_SRM_DATA: 'maybe' }, /REPLICAT_SRM_DATA must be true or false/],
      [{ se: [se], catalog: 'not a url' }, {}, /--catalog is not a URL/],
      [{ se: [se], catalog: 'http://user:pw@catalog' }, {}, /must not carry credentials/],
      [{ se: [se], tlsCert: join(dir, 'missing.pem') }, {}, /--tls-cert: .* does not exist/],
      [{ se: [se], catalogCa: join(dir) }, {}, /--catalog-ca: .* is not a file/],
    ];
    for (const [flags, env, message] of refusals) {
      expect(() => loadSrmConfig(flags, env)).toThrow(ConfigError);
      expect(() => loadSrmConfig(flags, env)).toThrow(message);
    }
    writeFileSync(join(dir, 'file'), 'x');
    expect(() => loadSrmConfig({ se: [`se1=${dir}/file`] }, {})).toThrow(/is not a directory/);
    writeFileSync(join(dir, 'cert.pem'), 'not a certificate');
    expect(() => loadSrmConfig({ se: [se], tlsCert: join(dir, 'cert.pem'), tlsKey: join(dir, 'cert.pem') }, {})).toThrow(/not a usable certificate and key/);
    expect(() => loadSrmConfig({ se: [se], tlsCert: join(dir, 'cert.pem') }, {})).toThrow(/HTTPS needs both --tls-cert and --tls-key/);
  });
});
