import cluster, { type Worker } from 'node:cluster';
import type { Logger } from 'pino';
import { aggregateWorkerMetrics, joinMetricsAggregation } from './ops/cluster-metrics';

/**
 * Runs `serve` in `workers` processes sharing one port (Node cluster): the service is stateless, so
 * processes are interchangeable, and one JavaScript thread per core is how Node uses more than one.
 * The primary only forks, replaces a worker that dies, passes SIGTERM/SIGINT on, then waits for the
 * workers to drain their requests; and sums the workers' metrics for /metrics (ops/cluster-metrics.ts).
 * With one worker there is no primary: `serve` runs in place. A worker's log lines carry its `worker` id.
 *
 * ```ts
 * await serveInWorkers(config.workers, logger, (log) => serve(config, log));
 * ```
 */
export async function serveInWorkers(workers: number, logger: Logger, serve: (logger: Logger) => Promise<void>): Promise<void> {
  if (workers <= 1) return serve(logger);
  if (cluster.isWorker) {
    joinMetricsAggregation();
    return serve(logger.child({ worker: cluster.worker!.id }));
  }
  aggregateWorkerMetrics();
  let stopping = false;
  const fork = (): Worker => cluster.fork();
  cluster.on('exit', (worker, code, signal) => {
    if (stopping) {
      if (Object.keys(cluster.workers ?? {}).length === 0) process.exit(0);
      return;
    }
    logger.error({ pid: worker.process.pid, code, signal }, 'a worker died; starting another');
    // A worker that cannot start at all (bad configuration, no database) would die again at once.
    if (code === 2) {
      logger.error('the worker refused its configuration; stopping');
      process.exit(2);
    }
    setTimeout(fork, 500);
  });
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal, workers: Object.keys(cluster.workers ?? {}).length }, 'stopping the workers');
    for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill(signal);
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  logger.info({ workers }, `starting ${workers} workers`);
  for (let i = 0; i < workers; i++) fork();
}
