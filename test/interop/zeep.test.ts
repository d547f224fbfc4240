import { execFile, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startSoapService, type SoapTestService } from '../soap/soap-harness';

// Debian's Python, where python3-zeep installs; a pyenv or venv python3 on PATH would not see it.
const PYTHON = '/usr/bin/python3';
const zeepCheck = spawnSync(PYTHON, ['-c', 'import zeep'], { encoding: 'utf8' });
const hasZeep = zeepCheck.status === 0;
if (!hasZeep) {
  console.warn(`SKIPPED: the zeep interop scenario needs python3-zeep (apt-get install python3-zeep); ${PYTHON} -c "import zeep" failed`);
}

(hasZeep ? describe : describe.skip)('an independent client: python3-zeep', () => {
  let svc: SoapTestService;
  beforeAll(async () => {
    svc = await startSoapService();
  });
  afterAll(async () => svc?.close());

  it('runs the Fireman scenario (mkdir, create, getFileCatalogEntry, readDir paging, listReplicas, listSEbyLFN, faults)', async () => {
    const run = promisify(execFile);
    const { stdout } = await run(PYTHON, [join(__dirname, 'zeep_scenario.py'), svc.baseUrl], { timeout: 60_000 }).catch((error: { stdout?: string; stderr?: string }) => {
      throw new Error(`zeep scenario failed:\n${error.stdout ?? ''}\n${error.stderr ?? ''}`);
    });
    expect(stdout).toContain('zeep scenario passed');
  });
});
