import type { Config } from '../config';
import type { RunningService } from '../service';

/**
 * What the person who started the service needs, written to the terminal once and never to the log: where
 * it answers, its database, where the docs are, and the admin password when this start generated it.
 */
export function startBanner(service: Pick<RunningService, 'url' | 'tlsUrl' | 'generatedAdminPassword'>, config: Pick<Config, 'database'>): string {
  const database = config.database.kind === 'postgres' ? 'PostgreSQL (DATABASE_URL)' : `PGlite in ${config.database.dataDir ?? 'memory'}`;
  const lines = [
    '',
    `  replicat is ready: ${service.url}${service.tlsUrl !== undefined ? ` and ${service.tlsUrl}` : ''}`,
    `  database:  ${database}`,
    `  docs:      ${service.url}/docs  (REST, SOAP endpoints and WSDLs, examples)`,
  ];
  if (service.generatedAdminPassword !== undefined) {
    lines.push(
      `  admin password (generated, shown only now): ${service.generatedAdminPassword}`,
      '  use it as REPLICAT_USER=admin REPLICAT_PASSWORD=…, change it with `replicat passwd`, or set REPLICAT_ADMIN_PASSWORD',
    );
  }
  return `${lines.join('\n')}\n\n`;
}

