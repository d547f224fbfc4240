import type { DatabaseHandle } from '../database-handle';
import { parsePostgresUrl, redactPostgresUrl, serverName } from '../postgres/multi-host-url';
import { openPostgres, type PostgresOptions } from '../postgres/postgres-database';
import { ReplicaRouter, type ReplicaRouterOptions } from './replica-router';

export interface RoutedPostgresOptions extends PostgresOptions {
  /** Streaming standbys of the primary, one server each; read-only requests go there. */
  readonly readUrls: readonly string[];
  readonly maxReplicaLagMs: number;
  readonly replicaWaitMs: number;
  readonly onEvent?: ReplicaRouterOptions['onEvent'];
}

/**
 * The primary (one server, or the writable one of several) and a pool per read replica, with the
 * routing that sends read-only requests to the replicas and hands out consistency tokens after writes.
 * With no replica the routing still gives the tokens, so that a client can carry them to instances
 * that have replicas.
 */
export function openRoutedPostgres(options: RoutedPostgresOptions): DatabaseHandle {
  const primary = openPostgres(options);
  const replicas = options.readUrls.map((url) => ({ server: replicaName(url), handle: openPostgres({ ...options, url }) }));
  const router = new ReplicaRouter({
    primary,
    replicas,
    maxLagMs: options.maxReplicaLagMs,
    waitMs: options.replicaWaitMs,
    checkEveryMs: 500,
    ...(options.onEvent !== undefined ? { onEvent: options.onEvent } : {}),
  });
  return {
    db: primary.db,
    dialect: primary.dialect,
    executeScript: (session, script) => primary.executeScript(session, script),
    ping: () => primary.ping(),
    poolStats: () => primary.poolStats(),
    routing: router,
    async close() {
      router.close();
      await Promise.all(replicas.map((r) => r.handle.close()));
      await primary.close();
    },
  };
}

function replicaName(url: string): string {
  try {
    const parsed = parsePostgresUrl(url);
    const database = /^[^?#]*?:\/\/[^/?#]*(\/[^?#]*)/.exec(url)?.[1] ?? '';
    return `${parsed.servers.map(serverName).join(',')}${database}`;
  } catch {
    return redactPostgresUrl(url);
  }
}
