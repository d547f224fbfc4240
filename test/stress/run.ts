#!/usr/bin/env node
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../../src/package-root';
import { PostgresInstance } from './postgres-instance';
import { createDatabase, type Scenario, type ScenarioResult, type StressOptions } from './scenario';
import { authorizationScenario } from './scenarios/authorization';
import { databaseFaultsScenario } from './scenarios/database-faults';
import { hostileInputScenario } from './scenarios/hostile-input';
import { loadScenario, twoInstancesScenario } from './scenarios/load';
import { drainScenario, killScenario } from './scenarios/process-faults';

const SCENARIOS: readonly Scenario[] = [
  loadScenario,
  databaseFaultsScenario,
  killScenario,
  drainScenario,
  twoInstancesScenario,
  hostileInputScenario,
  authorizationScenario,
];

const USAGE = `usage: npm run stress -- [options]

Runs the production-readiness scenarios against the built service (dist/src/main.js) on a PostgreSQL
server of its own (initdb in a temporary directory; as root it runs as the postgres user). Each
scenario prints its figures; the run exits 1 if any scenario found a problem.

options:
  --scenarios a,b     only these (${SCENARIOS.map((s) => s.name).join(', ')})
  --seconds N         load duration of load, database-faults and two-instances (default 300)
  --clients N         concurrent load clients (default 64)
  --fuzz N            hostile requests (default 10000)
  --kill-rounds N     SIGKILL rounds (default 5)
  --bulk N            items per bulk in the kill and SIGTERM scenarios (default 10000)
  --pg-port N         port of the suite's own PostgreSQL (default 55432)
  --ci                the short version CI runs: 30 s of load, 2 kill rounds
  -h, --help          this text
environment: STRESS_SEED replays a hostile-input run; PG_BIN names PostgreSQL's bin directory.`;

function parseArguments(argv: readonly string[]): { options: StressOptions; scenarios: Scenario[]; pgPort: number } {
  const value = (name: string): string | undefined => {
    const i = argv.indexOf(name);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const number = (name: string, fallback: number): number => {
    const raw = value(name);
    if (raw === undefined) return fallback;
    const n = Number(raw);
    if (!Number.isInteger(n) || n <= 0) throw new Error(`${name} needs a positive integer, not ${JSON.stringify(raw)}`);
    return n;
  };
  const ci = argv.includes('--ci');
  const names = value('--scenarios')?.split(',') ?? SCENARIOS.map((s) => s.name);
  const unknown = names.filter((n) => !SCENARIOS.some((s) => s.name === n));
  if (unknown.length > 0) throw new Error(`unknown scenario ${unknown.join(', ')}`);
  return {
    options: {
      seconds: number('--seconds', ci ? 30 : 300),
      clients: number('--clients', 64),
      fuzzRequests: number('--fuzz', 10_000),
      killRounds: number('--kill-rounds', ci ? 2 : 5),
      bulkItems: number('--bulk', 10_000),
      short: ci,
    },
    scenarios: SCENARIOS.filter((s) => names.includes(s.name)),
    pgPort: number('--pg-port', 55432),
  };
}

async function main(): Promise<number> {
  const argv = process.argv.slice(2);
  if (argv.includes('-h') || argv.includes('--help')) {
    console.log(USAGE);
    return 0;
  }
  const { options, scenarios, pgPort } = parseArguments(argv);
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const runDir = join(packageRoot(), 'var', 'stress', stamp);
  mkdirSync(runDir, { recursive: true });
  console.log(`== replicat stress: ${scenarios.map((s) => s.name).join(', ')}; logs in ${runDir}`);
  console.log(`   ${options.clients} clients, ${options.seconds} s of load, ${options.fuzzRequests} hostile requests, ${options.killRounds} kill rounds of ${options.bulkItems}-item bulks`);
  const postgres = await PostgresInstance.create(pgPort);
  console.log(`   own PostgreSQL on 127.0.0.1:${pgPort} in ${postgres.dir}`);
  const outcomes: { name: string; seconds: number; result: ScenarioResult }[] = [];
  try {
    for (const scenario of scenarios) {
      console.log(`\n== ${scenario.name}: ${scenario.describe}`);
      const dir = join(runDir, scenario.name);
      mkdirSync(dir, { recursive: true });
      const started = Date.now();
      let result: ScenarioResult;
      try {
        result = await scenario.run({
          options,
          dir,
          postgres,
          freshDatabase: (name) => createDatabase(postgres, name),
          say: (line) => console.log(`   ${line}`),
        });
      } catch (error) {
        result = { figures: {}, problems: [`crashed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`] };
      }
      const seconds = Math.round((Date.now() - started) / 1000);
      outcomes.push({ name: scenario.name, seconds, result });
      console.log(`   figures: ${Object.entries(result.figures).map(([k, v]) => `${k}=${v}`).join(', ')}`);
      for (const problem of result.problems) console.log(`   PROBLEM: ${problem}`);
      console.log(`   ${result.problems.length === 0 ? 'PASS' : 'FAIL'} ${scenario.name} (${seconds} s)`);
    }
  } finally {
    await postgres.destroy();
  }
  writeFileSync(join(runDir, 'results.json'), `${JSON.stringify({ date: new Date().toISOString(), options, outcomes }, null, 2)}\n`);
  const failed = outcomes.filter((o) => o.result.problems.length > 0);
  console.log(`\n== results (${join(runDir, 'results.json')})`);
  for (const o of outcomes) console.log(`   ${o.result.problems.length === 0 ? 'PASS' : 'FAIL'}  ${o.name.padEnd(16)} ${o.seconds} s`);
  console.log(`stress: ${outcomes.length - failed.length} passed, ${failed.length} failed`);
  return failed.length === 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`stress: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(2);
  },
);
