import cluster from 'node:cluster';
import { AggregatorRegistry, type Registry } from 'prom-client';

/*
 * /metrics of `serve --workers N`. Each worker counts in its own prom-client registry, and the port's
 * connections are spread over the workers, so a scrape answered from the worker's own registry would
 * see one worker's share, a different one each time. Instead the worker that receives the scrape asks
 * the primary, which collects every worker's registry over the cluster's IPC channel and sums them
 * (prom-client's AggregatorRegistry), and sends the text back.
 *
 * Why not a metrics port served by the primary: the scrape configuration stays the one of a single
 * process (same port, same /metrics, same TLS), nothing new listens, and the primary keeps doing
 * nothing but fork and forward signals. The price is one IPC round trip per scrape.
 *
 * How the values combine is each metric's `aggregator`: counters and histograms (requests, durations,
 * bulk sizes, item errors) are summed, which is what makes them per service; gauges say how they
 * combine where they are declared (metrics.ts). Process metrics (RSS, heap, event loop, GC) are not
 * combined at all: each worker labels them `worker="<cluster worker id>"`.
 */

const ASK = 'replicat:metrics-ask';
const TOTAL = 'replicat:metrics-total';

interface Ask {
  readonly type: typeof ASK;
  readonly id: number;
}

interface Total {
  readonly type: typeof TOTAL;
  readonly id: number;
  readonly text?: string;
  readonly error?: string;
}

function isMessage<T extends { type: string }>(message: unknown, type: T['type']): message is T {
  return typeof message === 'object' && message !== null && (message as { type?: unknown }).type === type;
}

/**
 * In the primary: answers each worker's ask with the sum over all workers. prom-client gives up on a
 * collection after 5 s (a worker that no longer answers); the scrape then fails with that reason
 * rather than report a partial sum, which Prometheus would take for counters going backwards.
 */
export function aggregateWorkerMetrics(): void {
  const aggregator = new AggregatorRegistry();
  cluster.on('message', (worker, message: unknown) => {
    if (!isMessage<Ask>(message, ASK)) return;
    const reply = (answer: Omit<Total, 'type' | 'id'>) => {
      if (worker.isConnected()) worker.send({ type: TOTAL, id: message.id, ...answer } satisfies Total);
    };
    aggregator.clusterMetrics().then(
      (text) => reply({ text }),
      (error: unknown) => reply({ error: error instanceof Error ? error.message : String(error) }),
    );
  });
}

/**
 * In a worker, before anything else: answers the primary's collections at once, with nothing until
 * offerMetrics() names the registries. A worker still starting (migrations, the database not there
 * yet) would otherwise leave every scrape waiting for it until the collection times out.
 */
export function joinMetricsAggregation(): void {
  AggregatorRegistry.setRegistries([]);
  // The constructor is what installs prom-client's listener for the primary's requests.
  void new AggregatorRegistry();
}

/** In a worker: these registries are what the primary collects from this process from now on. */
export function offerMetrics(registries: Registry[]): void {
  AggregatorRegistry.setRegistries(registries);
}

const answers = new Map<number, { resolve: (text: string) => void; reject: (error: Error) => void }>();
let nextAsk = 0;
let listening = false;

/** In a worker: the metrics of all workers, in Prometheus text, as the primary sums them. */
export function askPrimaryForMetrics(timeoutMs = 10_000): Promise<string> {
  const send = process.send?.bind(process);
  if (send === undefined || !cluster.isWorker) return Promise.reject(new Error('not a cluster worker'));
  if (!listening) {
    listening = true;
    process.on('message', (message: unknown) => {
      if (!isMessage<Total>(message, TOTAL)) return;
      const waiting = answers.get(message.id);
      answers.delete(message.id);
      if (message.text !== undefined) waiting?.resolve(message.text);
      else waiting?.reject(new Error(`the cluster's metrics could not be collected: ${message.error ?? 'no reason given'}`));
    });
  }
  const id = nextAsk++;
  return new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      answers.delete(id);
      reject(new Error(`the primary did not answer for the cluster's metrics within ${timeoutMs} ms`));
    }, timeoutMs);
    answers.set(id, {
      resolve: (text) => (clearTimeout(timer), resolve(text)),
      reject: (error) => (clearTimeout(timer), reject(error)),
    });
    send({ type: ASK, id } satisfies Ask);
  });
}
