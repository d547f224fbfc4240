import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../package-root';
import type { ServiceInfo } from './operation';

/**
 * replicat's version from package.json, and the schema version: the number of the newest migration
 * shipped, written `N.0.0` (migrations are forward-only, so the number names the schema).
 */
export function readServiceInfo(): ServiceInfo {
  const root = packageRoot();
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version?: unknown };
  const numbers = readdirSync(join(root, 'migrations')).flatMap((file) => {
    const match = /^(\d+)_.*\.sql$/.exec(file);
    return match ? [Number(match[1])] : [];
  });
  return {
    version: typeof pkg.version === 'string' ? pkg.version : '0.0.0',
    schemaVersion: `${Math.max(0, ...numbers)}.0.0`,
  };
}
