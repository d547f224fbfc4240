import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { ErrorCode } from '../core/errors';
import type { DatabaseHandle, PoolStats } from '../db/database-handle';
import type { DistributionState, ReplicaState } from '../db/read-routing';
import { askPrimaryForMetrics, offerMetrics } from './cluster-metrics';

/** Which door a request came in by: the REST API, the SOAP ports, or the service's own endpoints. */
export type Face = 'rest' | 'soap' | 'ops';

export interface ServiceMetricsOptions {
  readonly database: DatabaseHandle;
  /**
   * Process metrics (RSS, heap, event loop lag, GC). They install process-wide observers, so only the
   * running service turns them on, not every app a test builds.
   */
  readonly processMetrics?: boolean;
  /**
   * The cluster worker id when this process is one of `serve --workers N`: render() then answers for
   * all workers, summed by the primary (cluster-metrics.ts), and the process metrics carry a `worker`
   * label instead of being summed.
   */
  readonly clusterWorker?: number;
}

/**
 * The Prometheus metrics of one service instance, in a registry of its own (two apps in one process,
 * as in tests, do not collide). Labels are bounded sets: operation names come from the OpenAPI document
 * and the WSDL ports, never from what a client sent.
 *
 * ```ts
 * const metrics = new ServiceMetrics({ database });
 * metrics.observeRequest({ face: 'rest', operation: 'createFiles', status: 200, seconds: 0.012, items: 1000 });
 * res.type(metrics.contentType).send(await metrics.render());
 * ```
 */
export class ServiceMetrics {
  readonly registry = new Registry();
  readonly #requests: Counter<'face' | 'operation' | 'status'>;
  readonly #duration: Histogram<'face' | 'operation'>;
  readonly #bulkItems: Histogram<'face' | 'operation'>;
  readonly #itemErrors: Counter<'face' | 'operation' | 'code'>;
  readonly #requestFailures: Counter<'face' | 'operation' | 'code'>;
  /** Requests in flight by face, counted here and handed to the gauge when scraped (see `requestStarted`). */
  readonly #inFlightCounts = new Map<Face, number>();
  readonly #audit: Counter<'action'>;
  readonly #databaseUp: Gauge;
  readonly #render: () => Promise<string>;

  constructor(options: ServiceMetricsOptions) {
    const registers = [this.registry];
    this.#requests = new Counter({
      name: 'replicat_requests_total',
      help: 'Requests answered, by face (rest, soap, ops), operation and HTTP status',
      labelNames: ['face', 'operation', 'status'],
      registers,
    });
    this.#duration = new Histogram({
      name: 'replicat_request_duration_seconds',
      help: 'Time from the request arriving to the last byte of the answer, by face and operation',
      labelNames: ['face', 'operation'],
      buckets: [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 120],
      registers,
    });
    this.#bulkItems = new Histogram({
      name: 'replicat_bulk_items',
      help: 'Items in one bulk request, by face and operation',
      labelNames: ['face', 'operation'],
      buckets: [1, 10, 100, 500, 1000, 2500, 5000, 10_000, 50_000],
      registers,
    });
    this.#itemErrors = new Counter({
      name: 'replicat_item_errors_total',
      help: 'Items of bulk requests that failed on their own, by face, operation and error code',
      labelNames: ['face', 'operation', 'code'],
      registers,
    });
    this.#requestFailures = new Counter({
      name: 'replicat_request_failures_total',
      help: 'Requests that failed as a whole (problem+json or SOAP fault), by face, operation and error code',
      labelNames: ['face', 'operation', 'code'],
      registers,
    });
    const inFlight = this.#inFlightCounts;
    new Gauge({
      name: 'replicat_requests_in_flight',
      help: 'Requests being served now, by face',
      labelNames: ['face'],
      registers,
      collect() {
        for (const [face, count] of inFlight) this.set({ face }, count);
      },
    });
    this.#audit = new Counter({
      name: 'replicat_audit_events_total',
      help: 'Audit log records written, by action (permission changes, admin bypasses, refusals)',
      labelNames: ['action'],
      registers,
    });
    this.#databaseUp = new Gauge({
      name: 'replicat_database_up',
      help: '1 when the last database check (readiness probe or request) succeeded, 0 when the database was unreachable',
      registers,
      // Over cluster workers: down as soon as one of them found the database unreachable.
      aggregator: 'min',
    });
    this.#databaseUp.set(1);
    // Pool gauges, like the counters, are summed over cluster workers: the connections of the whole service.
    const pool = options.database.poolStats?.bind(options.database);
    if (pool !== undefined) {
      const gauge = (name: string, help: string, read: (stats: PoolStats) => number) =>
        new Gauge({
          name,
          help,
          registers,
          collect() {
            this.set(read(pool()));
          },
        });
      gauge('replicat_db_pool_max', 'Largest number of PostgreSQL connections the pool opens (REPLICAT_DB_POOL; with --workers N, N times that)', (s) => s.max);
      gauge('replicat_db_pool_connections', 'PostgreSQL connections open now, busy or idle', (s) => s.total);
      gauge('replicat_db_pool_idle', 'PostgreSQL connections open and idle', (s) => s.idle);
      gauge('replicat_db_pool_waiting', 'Queries waiting for a free connection', (s) => s.waiting);
    }
    const routing = options.database.routing;
    if (routing !== undefined) distributionMetrics(registers, () => routing.describe());
    const worker = options.clusterWorker;
    const processRegistry = worker === undefined ? this.registry : new Registry();
    if (options.processMetrics === true) collectDefaultMetrics({ register: processRegistry });
    if (worker === undefined) {
      this.#render = () => this.registry.metrics();
    } else {
      processRegistry.setDefaultLabels({ worker: String(worker) });
      offerMetrics([this.registry, processRegistry]);
      this.#render = () => askPrimaryForMetrics();
    }
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  /** The Prometheus text: this instance's, or in cluster mode the whole cluster's. */
  render(): Promise<string> {
    return this.#render();
  }

  requestStarted(face: Face): void {
    // A plain count per request; prom-client's labelled gauge hashes its labels on every change.
    this.#inFlightCounts.set(face, (this.#inFlightCounts.get(face) ?? 0) + 1);
  }

  observeRequest(outcome: RequestOutcome): void {
    const { face, operation } = outcome;
    this.#inFlightCounts.set(face, (this.#inFlightCounts.get(face) ?? 0) - 1);
    this.#requests.inc({ face, operation, status: String(outcome.status) });
    this.#duration.observe({ face, operation }, outcome.seconds);
    if (outcome.items !== undefined) this.#bulkItems.observe({ face, operation }, outcome.items);
    for (const [code, count] of outcome.itemErrors ?? []) this.#itemErrors.inc({ face, operation, code }, count);
    if (outcome.failure !== undefined) {
      this.#requestFailures.inc({ face, operation, code: outcome.failure });
      if (outcome.failure === 'Unavailable') this.#databaseUp.set(0);
    } else if (face !== 'ops' && typeof outcome.status === 'number' && outcome.status < 300) {
      this.#databaseUp.set(1);
    }
  }

  audited(action: string): void {
    // `admin-bypass:stat` and `admin-bypass:list` are one kind of event for counting.
    this.#audit.inc({ action: action.split(':')[0] ?? action });
  }

  databaseChecked(up: boolean): void {
    this.#databaseUp.set(up ? 1 : 0);
  }
}

/**
 * The primary and the read replicas: statements by role, where read-only requests went, and per
 * replica its state, lag and pool. The unlabelled `replicat_db_pool_*` gauges are the primary's pool.
 */
function distributionMetrics(registers: Registry[], describe: () => DistributionState): void {
  new Counter({
    name: 'replicat_db_statements_total',
    help: 'SQL statements sent, by role (primary, replica) and server',
    labelNames: ['role', 'server'],
    registers,
    collect() {
      const state = describe();
      this.reset();
      this.inc({ role: 'primary', server: state.primary.server }, state.primary.statements);
      for (const r of state.replicas) this.inc({ role: 'replica', server: r.server }, r.statements);
    },
  });
  new Counter({
    name: 'replicat_db_reads_total',
    help: 'Read-only requests by where they went: replica, or primary_no_replica, primary_lagging, primary_token_wait',
    labelNames: ['target'],
    registers,
    collect() {
      this.reset();
      for (const [target, count] of Object.entries(describe().reads)) this.inc({ target }, count);
    },
  });
  const perReplica = (name: string, help: string, aggregator: 'sum' | 'max' | 'min', read: (r: ReplicaState) => number | undefined) =>
    new Gauge({
      name,
      help,
      labelNames: ['replica'],
      registers,
      aggregator,
      collect() {
        this.reset();
        for (const r of describe().replicas) {
          const value = read(r);
          if (value !== undefined) this.set({ replica: r.server }, value);
        }
      },
    });
  perReplica('replicat_db_replica_up', '1 while the read replica serves reads within the allowed lag, else 0 (lagging, down, refused)', 'min', (r) => (r.state === 'up' ? 1 : 0));
  perReplica('replicat_db_replica_lag_seconds', "How far the replica's replay is behind the primary, as last measured", 'max', (r) => (r.lagMs === undefined ? undefined : r.lagMs / 1000));
  perReplica('replicat_db_replica_pool_connections', 'Connections to the replica open now, busy or idle', 'sum', (r) => r.pool.total);
  perReplica('replicat_db_replica_pool_idle', 'Connections to the replica open and idle', 'sum', (r) => r.pool.idle);
  perReplica('replicat_db_replica_pool_waiting', 'Queries waiting for a connection to the replica', 'sum', (r) => r.pool.waiting);
  perReplica('replicat_db_replica_pool_max', 'Largest number of connections the replica pool opens', 'sum', (r) => r.pool.max);
}

/** What one request came to, as the face that served it saw it. */
export interface RequestOutcome {
  readonly face: Face;
  /** The operationId (REST), `Port.operation` (SOAP), or the endpoint (`metrics`, `readyz`); `unknown` otherwise. */
  readonly operation: string;
  /** The HTTP status, or `aborted` when the answer was cut short (client gone, a stream failed midway). */
  readonly status: number | 'aborted';
  readonly seconds: number;
  /** Items in a bulk request. */
  readonly items?: number;
  /** Failed items of a bulk answer, by code. */
  readonly itemErrors?: ReadonlyMap<ErrorCode, number>;
  /** The code of a whole-request failure (problem+json or SOAP fault). */
  readonly failure?: ErrorCode;
}
