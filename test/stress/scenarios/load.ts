import { join } from 'node:path';
import type { AttributeDefinition } from '@replicat/sdk';
import type { CatalogClient } from '../catalog-client';
import { checkInvariants } from '../invariants';
import { verifyLedgers } from '../ledger';
import { failuresByCode, runLoad, summarize, type LoadReport } from '../load';
import { rssFigures, rssGrowthProblem, type Scenario, type ScenarioContext, type ScenarioResult } from '../scenario';
import { adminToken, SdkCatalogClient } from '../sdk-catalog-client';
import { ADMIN_PASSWORD, RssSampler, ServiceProcess } from '../service-process';

const ROOT = '/stress';

export const loadScenario: Scenario = {
  name: 'load',
  describe: 'concurrent clients, a mix of bulk writes and reads; every acknowledged write verified afterwards',
  async run(context) {
    const url = await context.freshDatabase('stress_load');
    const service = await ServiceProcess.start({ name: 'load', dir: context.dir, env: { DATABASE_URL: url, REPLICAT_DB_POOL: '20' } });
    let client: CatalogClient | undefined;
    try {
      client = await clientOf([service.url]);
      const rss = new RssSampler(service);
      context.say(`${context.options.clients} clients for ${context.options.seconds} s against ${service.url}`);
      const shared = client;
      const load = await runLoad({
        clients: context.options.clients,
        seconds: context.options.seconds,
        root: ROOT,
        clientFor: () => shared,
        ackLog: join(context.dir, 'load-acknowledged.jsonl'),
      });
      rss.stop();
      return await judge(context, url, load, [service], rss.samples);
    } finally {
      await client?.close();
      await service.stop();
    }
  },
};

export const twoInstancesScenario: Scenario = {
  name: 'two-instances',
  describe: 'the same load spread over two service instances on one database, each request to the other instance than the last',
  async run(context) {
    const url = await context.freshDatabase('stress_two');
    const [a, b] = await Promise.all(
      ['instance-a', 'instance-b'].map((name) => ServiceProcess.start({ name, dir: context.dir, env: { DATABASE_URL: url, REPLICAT_DB_POOL: '10' } })),
    );
    let client: CatalogClient | undefined;
    try {
      // A write on one instance and the read after it on the other: nothing may live in one process only.
      client = await clientOf([a!.url, b!.url]);
      const shared = client;
      const rssA = new RssSampler(a!);
      const rssB = new RssSampler(b!);
      context.say(`${context.options.clients} clients for ${context.options.seconds} s alternating between ${a!.url} and ${b!.url}`);
      const load = await runLoad({
        clients: context.options.clients,
        seconds: context.options.seconds,
        root: ROOT,
        clientFor: () => shared,
        ackLog: join(context.dir, 'two-instances-acknowledged.jsonl'),
      });
      rssA.stop();
      rssB.stop();
      const result = await judge(context, url, load, [a!, b!], rssA.samples);
      const b2 = rssFigures(rssB.samples);
      return { figures: { ...result.figures, rssPeakMbB: b2.rssPeakMb ?? 0, rssTrendMbPerMinB: b2.rssTrendMbPerMin ?? 0 }, problems: result.problems };
    } finally {
      await client?.close();
      await Promise.all([a!.stop(), b!.stop()]);
    }
  },
};

export const STRESS_SCHEMA: readonly AttributeDefinition[] = [
  { name: 'stress_run', type: 'int' },
  { name: 'stress_tag', type: 'string' },
];

/**
 * The load's client, through the SDK, as the admin, on one service or spread over several instances
 * (each request to the next one); with the schema the metadata calls use.
 */
export async function clientOf(endpoints: readonly string[]): Promise<CatalogClient> {
  const credentials = { type: 'bearer', token: await adminToken(endpoints[0]!, ADMIN_PASSWORD) } as const;
  const client = new SdkCatalogClient({ endpoints, credentials, timeoutMs: 60_000 });
  await client.createSchema('stress', STRESS_SCHEMA);
  return client;
}

/**
 * The verdict on a load run without faults: no failed request, no failed item, no read that missed an
 * acknowledged write, the database agreeing with every ledger and with the invariants, no crash, no
 * logged error, and no RSS growth trend.
 */
export async function judge(
  context: ScenarioContext,
  url: string,
  load: LoadReport,
  services: readonly ServiceProcess[],
  rss: readonly { seconds: number; mb: number }[],
  allowedFailures: (code: string) => boolean = () => false,
): Promise<ScenarioResult> {
  const problems: string[] = [];
  const table = summarize(load.samples);
  for (const row of table) context.say(`  ${row.op.padEnd(14)} ${String(row.requests).padStart(7)} requests ${String(row.failed).padStart(5)} failed  p50 ${row.p50} ms  p99 ${row.p99} ms  max ${row.max} ms`);
  const all = table[table.length - 1]!;
  for (const [code, count] of failuresByCode(load.samples)) {
    if (!allowedFailures(code)) problems.push(`${count} requests failed with ${code}`);
  }
  for (const [code, count] of load.itemErrors) {
    if (!allowedFailures(`item ${code}`)) problems.push(`${count} items failed with ${code}`);
  }
  problems.push(...load.inconsistencies.slice(0, 20));
  const verify = await verifyLedgers(url, ROOT, load.ledgers);
  problems.push(...verify.problems.slice(0, 20));
  if (verify.problems.length > 20) problems.push(`... and ${verify.problems.length - 20} more ledger problems`);
  const invariants = await checkInvariants(url);
  problems.push(...invariants.violations);
  for (const service of services) {
    if (!service.running) problems.push(`${service.name} is not running any more: ${service.stderr.slice(-500)}`);
    for (const line of service.errorLines()) {
      if (!allowedFailures(`log ${line.msg}`)) problems.push(`${service.name} logged an error: ${line.msg} ${JSON.stringify(line).slice(0, 300)}`);
    }
  }
  const growth = rssGrowthProblem(rss);
  if (growth !== undefined) problems.push(growth);
  const acknowledged = load.ledgers.reduce((a, l) => a + l.acknowledgedWrites, 0);
  const uncertain = load.ledgers.reduce((a, l) => a + l.uncertainWrites, 0);
  const seconds = context.options.seconds;
  return {
    figures: {
      requests: all.requests,
      perSecond: Math.round(all.requests / seconds),
      failedRequests: all.failed,
      p50ms: all.p50,
      p99ms: all.p99,
      maxMs: all.max,
      acknowledgedWrites: acknowledged,
      uncertainWrites: uncertain,
      filesChecked: verify.checked,
      entries: invariants.entries,
      replicas: invariants.replicas,
      ...rssFigures(rss),
    },
    problems,
  };
}
