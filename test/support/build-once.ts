import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

/**
 * jest's globalSetup: builds dist/ (and the SDK's dist/, which the built bins load) once before any test,
 * so the tests that spawn the built service, SRM, storage process or CLI bins run what the sources say —
 * and no two test files rebuild dist/ under each other's running processes.
 */
export default function buildOnce(): void {
  const root = join(__dirname, '../..');
  execFileSync('npx', ['tsc', '-p', 'sdk/tsconfig.json'], { cwd: root, stdio: 'inherit' });
  execFileSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { cwd: root, stdio: 'inherit' });
}
