import pino from 'pino';
import { Authenticator } from '../../src/auth/authenticator';
import type { AuthConfig } from '../../src/config';
import { bootstrapAdmin } from '../../src/core/accounts';
import { STARTUP_MS, startCliService, type CliTestService } from './cli-harness';

const ADMIN_PASSWORD = 'correct horse battery';
const CONFIG: AuthConfig = {
  allowAnonymous: false,
  adminPassword: ADMIN_PASSWORD,
  x509: { certDir: undefined, vomsDir: undefined, refreshSeconds: 0, vomsTargets: [] },
  trustedProxies: [],
  clientCertHeader: 'ssl-client-escaped-cert',
  tokenCacheMs: 0,
};

let svc: CliTestService;
let auth: Authenticator | undefined;
beforeAll(async () => {
  svc = await startCliService({}, { identify: (req) => auth!.identify(req), accountsChanged: () => auth!.accountsChanged() });
  auth = new Authenticator({
    db: svc.catalog.database.db,
    config: CONFIG,
    anonymous: { dn: '/O=replicat/CN=anonymous', group: '' },
    tls: false,
    logger: pino({ level: 'silent' }),
  });
  await bootstrapAdmin(svc.catalog.database.db, ADMIN_PASSWORD);
}, STARTUP_MS);
afterAll(async () => {
  auth?.close();
  await svc.close();
});

const admin = { REPLICAT_USER: 'admin', REPLICAT_PASSWORD: ADMIN_PASSWORD };

describe('credentials', () => {
  it('says a wrong password was refused, not to set what is set (exit 3)', async () => {
    const run = await svc.replicat(['whoami'], { env: { REPLICAT_USER: 'admin', REPLICAT_PASSWORD: 'wrong password' } });
    expect(run.code).toBe(3);
    expect(run.stderr).toMatch(/^replicat whoami: the service refused the credentials of user admin \(REPLICAT_USER\/REPLICAT_PASSWORD\): /);
    expect(run.stderr).not.toContain('set X509_USER_PROXY');
    const none = await svc.replicat(['whoami']);
    expect(none.stderr).toContain('set X509_USER_PROXY, REPLICAT_TOKEN or REPLICAT_USER/REPLICAT_PASSWORD');
  });
});

describe('user, group and passwd', () => {
  it('creates users with a password from stdin, lists them, changes and deletes them', async () => {
    expect(await svc.replicat(['group', 'add', 'vo'], { env: admin })).toMatchObject({ code: 0, stderr: '' });
    const added = await svc.replicat(['user', 'add', '--password', '--groups', 'vo', 'alice'], { env: admin, stdin: 'alice passphrase\n' });
    expect(added).toMatchObject({ code: 0, stderr: '' });
    expect((await svc.replicat(['user', 'add', 'bob'], { env: admin })).code).toBe(0);
    const listed = await svc.replicat(['user', 'ls'], { env: admin });
    expect(listed.lines.map((l) => l.split(/ +/).slice(0, 3))).toEqual([
      ['admin', 'admin', '-'],
      ['alice', 'user', 'vo'],
      ['bob', 'user', '-'],
    ]);
    expect((await svc.replicat(['whoami'], { env: { REPLICAT_USER: 'alice', REPLICAT_PASSWORD: 'alice passphrase' } })).code).toBe(0);

    expect((await svc.replicat(['user', 'set', '--disabled', 'yes', 'bob'], { env: admin })).code).toBe(0);
    expect((await svc.replicat(['user', 'ls'], { env: admin })).lines[2]).toMatch(/^bob +user,disabled /);
    expect((await svc.replicat(['user', 'set', '--disabled', 'maybe', 'bob'], { env: admin })).code).toBe(2);
    expect((await svc.replicat(['user', 'set', 'bob'], { env: admin })).code).toBe(2);

    const removed = await svc.replicat(['user', 'rm', 'bob', 'nobody'], { env: admin });
    expect(removed.code).toBe(1);
    expect(removed.stderr).toMatch(/^replicat user rm: nobody: .*\(NotExists\)\n$/);
    expect((await svc.replicat(['user', 'ls'], { env: admin })).lines).toHaveLength(2);
  });

  it('manages group members and lists groups', async () => {
    expect((await svc.replicat(['group', 'add', 'prod'], { env: admin })).code).toBe(0);
    expect((await svc.replicat(['group', 'members', 'prod', 'alice'], { env: admin })).code).toBe(0);
    expect((await svc.replicat(['group', 'ls'], { env: admin })).lines).toEqual(['prod  alice', 'vo    alice']);
    expect((await svc.replicat(['group', 'members', '--remove', 'prod', 'alice'], { env: admin })).code).toBe(0);
    expect((await svc.replicat(['group', 'ls'], { env: admin })).lines).toEqual(['prod  -', 'vo    alice']);
  });

  it('changes your own password, and an admin changes anyone\'s; the password rule is the service\'s', async () => {
    const alice = { REPLICAT_USER: 'alice', REPLICAT_PASSWORD: 'alice passphrase' };
    expect(await svc.replicat(['passwd'], { env: alice, stdin: 'second passphrase\n' })).toMatchObject({ code: 0 });
    expect((await svc.replicat(['whoami'], { env: { ...alice, REPLICAT_PASSWORD: 'second passphrase' } })).code).toBe(0);
    const short = await svc.replicat(['passwd'], { env: { ...alice, REPLICAT_PASSWORD: 'second passphrase' }, stdin: 'short\n' });
    expect(short.code).toBe(1);
    expect(short.stderr).toMatch(/8 characters/);
    expect((await svc.replicat(['passwd', 'alice'], { env: admin, stdin: 'third passphrase\n' })).code).toBe(0);
    expect((await svc.replicat(['whoami'], { env: { ...alice, REPLICAT_PASSWORD: 'third passphrase' } })).code).toBe(0);
    // Not an admin: only their own.
    expect((await svc.replicat(['passwd', 'admin'], { env: { ...alice, REPLICAT_PASSWORD: 'third passphrase' }, stdin: 'hijacked password\n' })).code).toBe(1);
  });
});
