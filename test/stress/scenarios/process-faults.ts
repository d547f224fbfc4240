import { randomUUID } from 'node:crypto';
import { appendFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { RequestFailure, type CatalogClient } from '../catalog-client';
import { checkInvariants } from '../invariants';
import { Ledger, verifyLedgers, type FileRecord } from '../ledger';
import type { Scenario } from '../scenario';
import { adminToken, SdkCatalogClient } from '../sdk-catalog-client';
import { ADMIN_PASSWORD, ServiceProcess } from '../service-process';

const CONCURRENT_BULKS = 4;

/** `count` new files in `dir`, with our GUIDs and two replicas each. */
function newFiles(dir: string, count: number, tag: string): FileRecord[] {
  return Array.from({ length: count }, (_, i) => ({
    guid: randomUUID(),
    lfn: `${dir}/${tag}-${i}`,
    state: 'present' as const,
    replicas: new Set([`srm://se1.kill.example${dir}/${tag}/${i}`, `srm://se2.kill.example${dir}/${tag}/${i}`]),
    maybeReplicas: new Set<string>(),
  }));
}

interface BulkOutcome {
  readonly files: FileRecord[];
  readonly ok: boolean;
  readonly failure?: string;
  readonly ms: number;
}

async function sendBulk(client: CatalogClient, files: FileRecord[]): Promise<BulkOutcome> {
  const started = Date.now();
  try {
    const results = await client.createFiles(files.map((f) => ({ lfn: f.lfn, guid: f.guid, size: 1, replicas: [...f.replicas].map((surl) => ({ surl })) })));
    const failed = results.flatMap((r) => (r.ok ? [] : [r.error]));
    const failure = failed.length > 0 ? `${failed.length} items failed, the first with ${failed[0]!.code}: ${failed[0]!.message}` : undefined;
    return { files, ok: failed.length === 0, ...(failure !== undefined ? { failure } : {}), ms: Date.now() - started };
  } catch (error) {
    if (!(error instanceof RequestFailure)) throw error;
    return { files, ok: false, failure: error.code, ms: Date.now() - started };
  }
}

/**
 * The SDK client of these scenarios: with chunking off (see SdkCatalogClient), each of their
 * 10,000-item bulks is one request, which is what "all or nothing per item when the process dies
 * mid-request" is about; split into several, a kill would fall between requests as often as in one.
 */
async function bulkClient(url: string): Promise<CatalogClient> {
  return new SdkCatalogClient({ endpoints: [url], credentials: { type: 'bearer', token: await adminToken(url, ADMIN_PASSWORD) }, timeoutMs: 120_000 });
}

export const killScenario: Scenario = {
  name: 'kill',
  describe: 'SIGKILL of the service in the middle of 10,000-item bulks, then a restart: every item wholly there or absent',
  async run(context) {
    const url = await context.freshDatabase('stress_kill');
    const ledger = new Ledger();
    const problems: string[] = [];
    let port: number | undefined;
    let bulkMs = 0;
    let present = 0;
    let absent = 0;
    let restartMs = 0;
    let cutByKill = 0;
    for (let round = 1; round <= context.options.killRounds; round++) {
      const service = await ServiceProcess.start({ name: 'kill', dir: context.dir, env: { DATABASE_URL: url, REPLICAT_DB_POOL: '10' }, ...(port ? { port } : {}) });
      port = service.port;
      let client: CatalogClient | undefined;
      try {
        client = await bulkClient(service.url);
        const bulkSender = client;
        const dir = `/kill/round${round}`;
        await client.mkdir([dir]);
        if (bulkMs === 0) {
          // How long the bulks take here, so that the kills land while they are being written.
          const warmUp = await Promise.all(Array.from({ length: CONCURRENT_BULKS }, (_, b) => sendBulk(bulkSender, newFiles(`${dir}`, context.options.bulkItems, `warm${b}`))));
          for (const outcome of warmUp) for (const f of outcome.files) ledger.add(outcome.ok ? f : { ...f, state: 'maybe-created' });
          bulkMs = Math.max(...warmUp.map((o) => o.ms));
          context.say(`${CONCURRENT_BULKS} concurrent ${context.options.bulkItems}-item bulks take ${bulkMs} ms here`);
        }
        const bulks = Array.from({ length: CONCURRENT_BULKS }, (_, b) => newFiles(dir, context.options.bulkItems, `b${b}`));
        const sent = bulks.map((files) => sendBulk(bulkSender, files));
        // Anywhere from the middle of the upload to just after the last answer; in odd rounds well before
        // the bulks' usual end, so that a short run (two rounds in CI) does not only kill an idle service.
        const delay = Math.floor(bulkMs * (0.3 + Math.random() * (round % 2 === 1 ? 0.4 : 0.9)));
        await sleep(delay);
        service.signal('SIGKILL');
        const exit = await service.exited();
        const outcomes = await Promise.all(sent);
        const completed = outcomes.filter((o) => o.ok).length;
        cutByKill += CONCURRENT_BULKS - completed;
        context.say(`round ${round}: SIGKILL after ${delay} ms (exit ${exit.signal}); ${completed}/${CONCURRENT_BULKS} bulks had been answered`);
        for (const outcome of outcomes) {
          for (const f of outcome.files) {
            if (!outcome.ok) f.state = 'maybe-created';
            ledger.add(f);
            if (outcome.ok) appendFileSync(join(context.dir, 'kill-acknowledged.jsonl'), `${JSON.stringify({ lfn: f.lfn, guid: f.guid })}\n`);
          }
          if (outcome.failure?.includes('items failed')) problems.push(`a bulk answered with failed items: ${outcome.failure}`);
        }
      } finally {
        if (service.running) service.signal('SIGKILL');
        await client?.close();
      }
      const restarted = Date.now();
      const again = await ServiceProcess.start({ name: 'kill', dir: context.dir, env: { DATABASE_URL: url }, port });
      restartMs = Date.now() - restarted;
      await again.stop();
    }
    if (cutByKill === 0) problems.push('every SIGKILL came after the bulks were answered: nothing was killed mid-bulk');
    const verify = await verifyLedgers(url, '/kill', [ledger]);
    problems.push(...verify.problems.slice(0, 20));
    const invariants = await checkInvariants(url);
    problems.push(...invariants.violations);
    const guidsPresent = await countPresent(url, ledger);
    for (const f of ledger.files.values()) if (f.state === 'maybe-created') (guidsPresent.has(f.guid) ? present++ : absent++);
    return {
      figures: {
        rounds: context.options.killRounds,
        itemsSent: ledger.files.size,
        bulksCutByKill: cutByKill,
        unacknowledgedItemsPresent: present,
        unacknowledgedItemsAbsent: absent,
        restartToReadyMs: restartMs,
        entries: invariants.entries,
        replicas: invariants.replicas,
      },
      problems,
    };
  },
};

async function countPresent(url: string, ledger: Ledger): Promise<Set<string>> {
  const pg = await import('pg');
  const client = new pg.default.Client({ connectionString: url });
  await client.connect();
  try {
    const guids = [...ledger.files.keys()];
    const { rows } = await client.query<{ guid: string }>('SELECT guid::text AS guid FROM entries WHERE guid = ANY($1::uuid[])', [guids]);
    return new Set(rows.map((r) => r.guid));
  } finally {
    await client.end();
  }
}

export const drainScenario: Scenario = {
  name: 'sigterm',
  describe: 'SIGTERM while 10,000-item bulks are in flight: they finish, new connections are refused, the process exits 0',
  async run(context) {
    const url = await context.freshDatabase('stress_drain');
    const service = await ServiceProcess.start({ name: 'sigterm', dir: context.dir, env: { DATABASE_URL: url, REPLICAT_DRAIN_TIMEOUT_MS: '60000' } });
    const problems: string[] = [];
    let client: CatalogClient | undefined;
    try {
      client = await bulkClient(service.url);
      const bulkSender = client;
      await client.mkdir(['/drain']);
      const bulks = Array.from({ length: CONCURRENT_BULKS }, (_, b) => newFiles('/drain', context.options.bulkItems, `b${b}`));
      const sent = bulks.map((files) => sendBulk(bulkSender, files));
      await sleep(500);
      const signalled = Date.now();
      service.signal('SIGTERM');
      // The listener closes when the service has handled the signal (its event loop may be busy parsing bulks).
      for (let i = 0; i < 100 && !service.kept.some((l) => l.msg.startsWith('stopped accepting connections')); i++) await sleep(50);
      // A new connection, not one of the pooled keep-alive ones (those are answered until swept).
      const refused = await new Promise<boolean>((resolve) => {
        const socket = connect(service.port, '127.0.0.1');
        socket.once('connect', () => (socket.destroy(), resolve(false)));
        socket.once('error', () => resolve(true));
      });
      if (!refused) problems.push('a new connection was accepted after SIGTERM');
      const outcomes = await Promise.all(sent);
      const exit = await service.exited();
      const exitMs = Date.now() - signalled;
      const answered = outcomes.filter((o) => o.ok).length;
      if (answered !== CONCURRENT_BULKS) problems.push(`only ${answered}/${CONCURRENT_BULKS} bulks in flight were answered: ${outcomes.map((o) => o.failure ?? 'ok').join(', ')}`);
      if (exit.code !== 0) problems.push(`the service exited with ${exit.code ?? exit.signal} instead of 0`);
      const ledger = new Ledger();
      for (const outcome of outcomes) for (const f of outcome.files) ledger.add(outcome.ok ? f : { ...f, state: 'maybe-created' });
      const verify = await verifyLedgers(url, '/drain', [ledger]);
      problems.push(...verify.problems.slice(0, 20));
      problems.push(...(await checkInvariants(url)).violations);
      const drainedLine = service.kept.find((l) => l.msg === 'drained; stopped');
      if (drainedLine === undefined) problems.push('no "drained; stopped" line in the log');
      return {
        figures: { bulksInFlight: CONCURRENT_BULKS, itemsPerBulk: context.options.bulkItems, answered, exitCode: String(exit.code), sigtermToExitMs: exitMs, slowestBulkMs: Math.max(...outcomes.map((o) => o.ms)) },
        problems,
      };
    } finally {
      await client?.close();
      await service.stop();
    }
  },
};
