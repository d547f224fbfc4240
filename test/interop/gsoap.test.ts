import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { call, list, startSoapService, type SoapTestService } from '../soap/soap-harness';

const run = promisify(execFile);
const TOOLS = ['/usr/bin/wsdl2h', '/usr/bin/soapcpp2', '/usr/bin/g++', '/usr/include/stdsoap2.h'];
const missing = TOOLS.filter((tool) => !existsSync(tool));
if (missing.length > 0) {
  console.warn(`SKIPPED: the gSOAP interop test needs Debian's gsoap, libgsoap-dev and g++ (missing: ${missing.join(', ')})`);
}

(missing.length === 0 ? describe : describe.skip)('an independent client: gSOAP (wsdl2h + soapcpp2)', () => {
  let svc: SoapTestService;
  let out: string;

  beforeAll(async () => {
    out = mkdtempSync(join(tmpdir(), 'replicat-gsoap-'));
    // Generating and compiling the stubs is the slow part: a few tens of seconds.
    await run('bash', [join(__dirname, 'gsoap-build.sh'), out], { timeout: 240_000 }).catch((error: { stdout?: string; stderr?: string }) => {
      throw new Error(`gSOAP build failed:\n${error.stdout ?? ''}\n${error.stderr ?? ''}`);
    });
    svc = await startSoapService();
    const fireman = await svc.client('FiremanCatalog');
    await call(fireman, 'mkdir', { directories: list('/grid/vo'), createParents: true });
    const replica = (surl: string) => ({ masterReplica: false, creationTime: 0, modifyTime: 0, surl });
    await call(fireman, 'create', {
      entries: list({ lfn: '/grid/vo/input.dat', guid: null, surlStats: [replica('srm://se-a.example.org/f'), replica('srm://se-b.example.org/f')] }),
    });
  }, 300_000);
  afterAll(async () => {
    await svc?.close();
    if (out) rmSync(out, { recursive: true, force: true });
  });

  it('accepts every WSDL, and its generated StorageIndex client gets the SE list', async () => {
    const { stdout } = await run(join(out, 'gsoap-client'), [`${svc.baseUrl}/soap/StorageIndex`, '/grid/vo/input.dat']);
    expect(stdout.trim().split('\n')).toEqual(['se-a.example.org', 'se-b.example.org']);
  });

  it('sees a fault for an unknown LFN', async () => {
    const failed = await run(join(out, 'gsoap-client'), [`${svc.baseUrl}/soap/StorageIndex`, '/grid/vo/none']).then(
      () => null,
      (error: { code?: number; stderr?: string }) => error,
    );
    expect(failed?.code).toBe(2);
    expect(failed?.stderr).toContain('no such entry: /grid/vo/none');
  });
});
