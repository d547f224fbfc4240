import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { COMMANDS } from '../../src/cli/command-table';
import { STARTUP_MS, startCliService, type CliTestService } from './cli-harness';

let svc: CliTestService;
beforeAll(async () => {
  svc = await startCliService();
  expect((await svc.tool('glite-catalog-mkdir', ['-p', '/grid/vo'])).code).toBe(0);
}, STARTUP_MS);
afterAll(async () => svc.close());

const DEAD = 'http://127.0.0.1:9';
const glite = COMMANDS.filter((c) => c.tool.startsWith('glite-'));

describe('help and version', () => {
  it.each(COMMANDS.map((c) => c.name))('replicat %s --help shows usage, an example and the exit codes', async (name) => {
    const run = await svc.replicat([...name.split(' '), '--help']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(new RegExp(`^Usage: replicat ${name} `));
    expect(run.stdout).toContain('Examples:');
    expect(run.stdout).toContain('Exit status: 0 every item succeeded');
  });

  it.each(glite.map((c) => c.tool))('%s -h answers in its own name, with the common options', async (tool) => {
    const run = await svc.tool(tool, ['-h']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(new RegExp(`^Usage: ${tool} `));
    for (const option of ['-q, --quiet', '-v, --verbose', '-s, --service <url>', '-V, --version', '--json']) expect(run.stdout).toContain(option);
  });

  it('wraps help to 80 columns off a terminal and to the terminal width on one, not at the width it was written', async () => {
    const piped = await svc.tool('glite-catalog-ls', ['--help']);
    expect(Math.max(...piped.lines.filter((l) => !l.startsWith('  glite-')).map((l) => l.length))).toBeLessThanOrEqual(80);
    const wide = (await svc.replicat(['get', '--help'], { tty: true, columns: 200 })).lines;
    const narrow = (await svc.replicat(['get', '--help'], { tty: true, columns: 100 })).lines;
    expect(narrow.filter((l) => !l.startsWith('  replicat ') && l.length > 100)).toEqual([]);
    // A paragraph re-wrapped from hard breaks leaves short lines; wrapped once, a wide terminal holds it in fewer.
    expect(wide.length).toBeLessThan(narrow.length);
    expect(wide.some((l) => l.length > 120)).toBe(true);
  });

  it('lists every command under replicat --help, and prints the version with -V', async () => {
    const help = await svc.replicat(['--help']);
    for (const c of COMMANDS) expect(help.stdout).toContain(`  ${c.name.split(' ')[0]} `);
    const version = (JSON.parse(readFileSync(join(__dirname, '../../package.json'), 'utf8')) as { version: string }).version;
    expect(await svc.tool('glite-catalog-ls', ['-V'])).toMatchObject({ code: 0, stdout: `${version}\n` });
    expect(await svc.replicat(['-V'])).toMatchObject({ code: 0, stdout: `${version}\n` });
  });
});

describe('exit status', () => {
  it('is 2 for usage mistakes: unknown option, missing argument, unknown command, relative LFN', async () => {
    for (const run of [
      await svc.tool('glite-catalog-ls', ['--bogus', '/grid']),
      await svc.tool('glite-catalog-ls', []),
      await svc.replicat(['frobnicate']),
      await svc.replicat([]),
      await svc.tool('glite-catalog-rm', ['grid/vo']),
    ]) {
      expect(run.code).toBe(2);
      expect(run.stderr).not.toBe('');
    }
  });

  it('prefixes usage errors with the tool, as every other error line', async () => {
    expect((await svc.tool('glite-catalog-ls', ['--bogus', '/grid'])).stderr).toMatch(/^glite-catalog-ls: unknown option '--bogus'\n/);
    expect((await svc.tool('glite-catalog-ls', [])).stderr).toMatch(/^glite-catalog-ls: missing required argument 'lfn'\n/);
    expect((await svc.replicat(['ls', '--bogus', '/grid'])).stderr).toMatch(/^replicat ls: unknown option '--bogus'\n/);
    expect((await svc.replicat(['frobnicate'])).stderr).toMatch(/^replicat: unknown command 'frobnicate'\n/);
  });

  it('says in one line that an https:// URL points at a plain http port (exit 3)', async () => {
    const run = await svc.tool('glite-catalog-ls', ['-s', svc.baseUrl.replace('http:', 'https:'), '/grid']);
    expect(run.code).toBe(3);
    expect(run.stderr).toBe(`glite-catalog-ls: cannot reach the service: ${svc.baseUrl.replace('http:', 'https:')} does not speak TLS there: an https:// URL for a plain http port? (ERR_SSL_WRONG_VERSION_NUMBER)\n`);
  });

  it('is 3 when the service cannot be reached or the credentials cannot be read', async () => {
    const unreachable = await svc.tool('glite-catalog-mkdir', ['-s', DEAD, '/grid/x']);
    expect(unreachable.code).toBe(3);
    expect(unreachable.stderr).toMatch(/^glite-catalog-mkdir: cannot reach the service: /);
    const proxy = await svc.tool('glite-catalog-ls', ['/grid'], { env: { X509_USER_PROXY: join(svc.dir, 'no-proxy.pem') } });
    expect(proxy.code).toBe(3);
    expect(proxy.stderr).toMatch(/credentials: /);
  });

  it('is 1 when some items fail, 0 when none do, and -q silences the per-item lines', async () => {
    expect((await svc.tool('glite-catalog-mkdir', ['/grid/vo/a'])).code).toBe(0);
    const quiet = await svc.tool('glite-catalog-mkdir', ['-q', '/grid/vo/a', '/grid/vo/b']);
    expect(quiet).toMatchObject({ code: 1, stderr: '' });
  });

  it('prints one JSON line per item with --json, failures included', async () => {
    const run = await svc.tool('glite-catalog-mkdir', ['--json', '/grid/vo/a', '/grid/vo/c']);
    const lines = run.lines.map((l) => JSON.parse(l) as { item: string; ok: boolean; error?: { code: string } });
    expect(lines.map((l) => [l.item, l.ok, l.error?.code])).toEqual([
      ['/grid/vo/a', false, 'Exists'],
      ['/grid/vo/c', true, undefined],
    ]);
    expect(run.code).toBe(1);
  });
});

describe('where the service is', () => {
  const config = (content: object): string => {
    const path = join(svc.dir, `config-${Math.random().toString(36).slice(2)}.json`);
    writeFileSync(path, JSON.stringify(content));
    return path;
  };

  it('uses the config file when nothing else says', async () => {
    const run = await svc.tool('glite-catalog-ls', ['/grid'], { env: { REPLICAT_ENDPOINT: undefined, REPLICAT_CONFIG: config({ endpoint: svc.baseUrl }) } });
    expect(run).toMatchObject({ code: 0, lines: ['vo'] });
  });

  it('finds ~/.config/replicat/config.json in the home directory', async () => {
    const dir = join(svc.dir, '.config', 'replicat');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'config.json'), JSON.stringify({ endpoint: svc.baseUrl }));
    const run = await svc.tool('glite-catalog-ls', ['/grid'], { env: { REPLICAT_ENDPOINT: undefined, REPLICAT_CONFIG: undefined } });
    expect(run).toMatchObject({ code: 0, lines: ['vo'] });
  });

  it('prefers REPLICAT_ENDPOINT to the config file, and -s to both', async () => {
    const deadConfig = config({ endpoint: DEAD, services: { here: svc.baseUrl } });
    expect((await svc.tool('glite-catalog-ls', ['/grid'], { env: { REPLICAT_CONFIG: deadConfig } })).code).toBe(0);
    expect((await svc.tool('glite-catalog-ls', ['-s', svc.baseUrl, '/grid'], { env: { REPLICAT_ENDPOINT: DEAD, REPLICAT_CONFIG: deadConfig } })).code).toBe(0);
    expect((await svc.tool('glite-catalog-ls', ['-s', 'here', '/grid'], { env: { REPLICAT_ENDPOINT: DEAD, REPLICAT_CONFIG: deadConfig } })).code).toBe(0);
    expect((await svc.tool('glite-catalog-ls', ['-s', DEAD, '/grid'])).code).toBe(3);
  });

  it('is a usage error when there is no service, or the config file is broken', async () => {
    const none = await svc.tool('glite-catalog-ls', ['/grid'], { env: { REPLICAT_ENDPOINT: undefined } });
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/no service given: use -s URL, set REPLICAT_ENDPOINT/);
    const broken = join(svc.dir, 'broken.json');
    writeFileSync(broken, '{');
    expect((await svc.tool('glite-catalog-ls', ['/grid'], { env: { REPLICAT_ENDPOINT: undefined, REPLICAT_CONFIG: broken } })).code).toBe(2);
  });
});

describe('the bins', () => {
  it('name every gLite tool, each pointing at its built entry, and replicat at src/main', () => {
    const pkg = JSON.parse(readFileSync(join(__dirname, '../../package.json'), 'utf8')) as { bin: Record<string, string> };
    expect(pkg.bin.replicat).toBe('dist/src/main.js');
    expect(Object.keys(pkg.bin).filter((b) => b !== 'replicat').sort()).toEqual(glite.map((c) => c.tool).sort());
    for (const c of glite) {
      expect(pkg.bin[c.tool]).toBe(`dist/src/cli/bin/${c.tool}.js`);
      const source = join(__dirname, '../../src/cli/bin', `${c.tool}.ts`);
      expect(existsSync(source)).toBe(true);
      expect(readFileSync(source, 'utf8')).toContain(`runTool('${c.tool}', process.argv.slice(2), processIo())`);
    }
  });
});
