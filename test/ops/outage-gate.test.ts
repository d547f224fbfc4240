import { setTimeout as sleep } from 'node:timers/promises';
import { Unavailable } from '../../src/core/errors';
import { OutageGate } from '../../src/db/postgres/outage-gate';

const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' });

describe('the outage gate of the PostgreSQL pool', () => {
  it('stays open for failures that say nothing about reaching the server', () => {
    const gate = new OutageGate({ url: 'postgres://postgres@127.0.0.1:1/x', probeEveryMs: 50, probeTimeoutMs: 50 });
    for (const code of ['57014', '23505', '40001', '42P01']) gate.observe(Object.assign(new Error('statement failed'), { code }));
    gate.observe(new Error('timeout exceeded when trying to connect')); // a full pool, not a dead server
    expect(() => gate.check()).not.toThrow();
    gate.close();
  });

  it('fails checkouts at once after a connection failure, until a probe reaches the server', async () => {
    const gate = new OutageGate({ url: 'postgres://postgres@127.0.0.1:1/x', probeEveryMs: 50, probeTimeoutMs: 200 });
    gate.observe(refused);
    expect(() => gate.check()).toThrow(Unavailable);
    expect(() => gate.check()).toThrow(/the database is unavailable \(connect ECONNREFUSED/);
    await sleep(300);
    expect(gate.down).toBe(true); // nothing listens on port 1
    gate.close();
  });

  const onPostgres = process.env.DATABASE_URL ? it : it.skip;
  onPostgres('opens again by itself when the server answers', async () => {
    const gate = new OutageGate({ url: process.env.DATABASE_URL!, probeEveryMs: 50, probeTimeoutMs: 2000 });
    gate.observe(Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' }));
    expect(gate.down).toBe(true);
    for (let i = 0; i < 100 && gate.down; i++) await sleep(50);
    expect(gate.down).toBe(false);
    expect(() => gate.check()).not.toThrow();
    gate.close();
  });
});
