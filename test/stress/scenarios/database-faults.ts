import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { CatalogClient } from '../catalog-client';
import { runLoad } from '../load';
import type { Scenario } from '../scenario';
import { RssSampler, ServiceProcess } from '../service-process';
import { clientOf, judge } from './load';

/** The database timeouts the service runs with here; every answer during an outage must come within them. */
const STATEMENT_TIMEOUT_MS = 3000;
const CONNECT_TIMEOUT_MS = 2000;
/** Connect wait, then a statement and the client's read grace, then slack for a loaded machine. */
const ANSWER_BOUND_MS = CONNECT_TIMEOUT_MS + STATEMENT_TIMEOUT_MS + 2000 + 3000;
const OUTAGE_MS = 6000;
const RECOVERY_BOUND_MS = 10_000;

interface Probe {
  readonly at: number;
  readonly status: number;
  readonly ms: number;
}

interface Outage {
  readonly kind: 'restart' | 'pause';
  readonly from: number;
  /** When the database was back (start finished, or SIGCONT sent). */
  readonly to: number;
}

export const databaseFaultsScenario: Scenario = {
  name: 'database-faults',
  describe: `PostgreSQL stopped and started again, then paused (SIGSTOP) for ${OUTAGE_MS / 1000} s, under load`,
  async run(context) {
    const url = await context.freshDatabase('stress_faults');
    const service = await ServiceProcess.start({
      name: 'database-faults',
      dir: context.dir,
      env: {
        DATABASE_URL: url,
        REPLICAT_DB_POOL: '20',
        REPLICAT_DB_STATEMENT_TIMEOUT_MS: String(STATEMENT_TIMEOUT_MS),
        REPLICAT_DB_CONNECT_TIMEOUT_MS: String(CONNECT_TIMEOUT_MS),
      },
    });
    const seconds = Math.max(context.options.seconds, 40);
    // Enough clients to keep every connection of the pool busy when the database goes away, few enough
    // that on a small machine the answer times measure the service's timeouts, not its queue.
    const clients = Math.min(context.options.clients, 32);
    const probes: Probe[] = [];
    const outages: Outage[] = [];
    let probing = true;
    const prober = (async () => {
      while (probing) {
        const at = Date.now();
        let status = 0;
        try {
          status = (await fetch(`${service.url}/readyz`, { signal: AbortSignal.timeout(20_000) })).status;
        } catch {
          status = 0;
        }
        probes.push({ at, status, ms: Date.now() - at });
        await sleep(250);
      }
    })();
    let client: CatalogClient | undefined;
    try {
      client = await clientOf([service.url]);
      const shared = client;
      const rss = new RssSampler(service);
      const started = Date.now();
      const faults = (async () => {
        await sleep(seconds * 250);
        let from = Date.now();
        context.say('stopping PostgreSQL (fast shutdown)');
        await context.postgres.stop();
        await sleep(OUTAGE_MS);
        await context.postgres.start();
        outages.push({ kind: 'restart', from, to: Date.now() });
        context.say(`PostgreSQL is back after ${Date.now() - from} ms`);
        await sleep(Math.max(0, started + seconds * 600 - Date.now()));
        from = Date.now();
        context.say('pausing PostgreSQL (SIGSTOP to the postmaster and every backend)');
        context.postgres.pause();
        await sleep(OUTAGE_MS);
        context.postgres.resume();
        outages.push({ kind: 'pause', from, to: Date.now() });
        context.say(`PostgreSQL resumed after ${Date.now() - from} ms`);
      })();
      const load = await runLoad({
        clients,
        seconds,
        root: '/stress',
        clientFor: () => shared,
        ackLog: join(context.dir, 'database-faults-acknowledged.jsonl'),
      });
      await faults;
      rss.stop();
      probing = false;
      await prober;
      // During an outage, the only acceptable failure is a 503 Unavailable (and items failing with it).
      const allowed = (code: string) => code === '503 Unavailable' || code === 'item Unavailable' || code.startsWith('log ');
      context.say(`${clients} clients for ${seconds} s`);
      const result = await judge({ ...context, options: { ...context.options, seconds } }, url, load, [service], rss.samples, allowed);
      const problems = [...result.problems];
      const figures: Record<string, string | number> = { ...result.figures };
      const unavailable = load.samples.filter((s) => s.outcome === 'Unavailable');
      // Requests running into an outage must be answered within the timeouts; others may just be slow.
      const hit = load.samples.filter((s) => outages.some((o) => s.start + s.ms >= o.from && s.start <= o.to + 1000));
      const slowest = Math.max(0, ...hit.map((s) => s.ms));
      figures.outageRequestsMaxMs = slowest;
      if (slowest > ANSWER_BOUND_MS) problems.push(`a request caught in an outage took ${slowest} ms (bound ${ANSWER_BOUND_MS} ms): something waited past the timeouts`);
      const failedMs = unavailable.map((s) => s.ms).sort((a, b) => a - b);
      figures.unavailable503 = unavailable.length;
      figures.unavailableP50ms = failedMs[Math.floor(failedMs.length / 2)] ?? 0;
      figures.unavailableMaxMs = failedMs[failedMs.length - 1] ?? 0;
      for (const outage of outages) {
        const during = probes.filter((p) => p.at >= outage.from && p.at <= outage.to);
        const notReady = during.filter((p) => p.status === 503).length;
        if (notReady === 0) problems.push(`/readyz never said 503 during the ${outage.kind} (${during.length} probes)`);
        const ready = probes.find((p) => p.at >= outage.to && p.status === 200);
        const firstWrite = load.samples.find((s) => s.start >= outage.to && s.outcome === 'ok' && s.op === 'create');
        const readyAfter = ready ? ready.at + ready.ms - outage.to : Number.POSITIVE_INFINITY;
        const writeAfter = firstWrite ? firstWrite.start + firstWrite.ms - outage.to : Number.POSITIVE_INFINITY;
        figures[`${outage.kind}ReadyzNotReady`] = `${notReady}/${during.length} probes`;
        figures[`${outage.kind}RecoveredReadyzMs`] = readyAfter;
        figures[`${outage.kind}RecoveredWriteMs`] = writeAfter;
        if (readyAfter > RECOVERY_BOUND_MS) problems.push(`/readyz did not recover within ${RECOVERY_BOUND_MS} ms of the ${outage.kind} ending`);
        if (writeAfter > RECOVERY_BOUND_MS) problems.push(`no write succeeded within ${RECOVERY_BOUND_MS} ms of the ${outage.kind} ending`);
        const failedDuring = unavailable.filter((s) => s.start >= outage.from && s.start <= outage.to).length;
        figures[`${outage.kind}503s`] = failedDuring;
      }
      return { figures, problems };
    } finally {
      probing = false;
      await prober;
      context.postgres.resume();
      await client?.close();
      await service.stop();
    }
  },
};
