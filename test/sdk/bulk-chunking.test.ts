import { IncompleteBulkError, ReplicatClient, Unavailable, type Entry } from '../../sdk/src';
import { planChunks } from '../../sdk/src/rest/bulk-chunks';
import { codesOf, startSdkService, type SdkTestService } from './sdk-harness';

let svc: SdkTestService;
beforeAll(async () => {
  svc = await startSdkService({ maxItems: 10_000 });
});
afterAll(async () => svc.close());

const posts = (path: string) => svc.requests.filter((r) => r === `POST ${path}`).length;

describe('planChunks', () => {
  it('cuts at the item limit', () => {
    expect(planChunks(Array(25_000).fill(10), { maxItems: 10_000, maxBodyBytes: 1e9 })).toEqual([
      { start: 0, end: 10_000 },
      { start: 10_000, end: 20_000 },
      { start: 20_000, end: 25_000 },
    ]);
  });

  it('cuts before the body would outgrow the byte limit', () => {
    // 100-byte items and a comma each: 9 fit in 1,000 bytes less the envelope.
    const chunks = planChunks(Array(20).fill(100), { maxItems: 10_000, maxBodyBytes: 1000 });
    expect(chunks.map((c) => c.end - c.start)).toEqual([9, 9, 2]);
  });

  it('still sends an item too large on its own, alone, for the service to refuse', () => {
    expect(planChunks([10, 5000, 10], { maxItems: 100, maxBodyBytes: 1000 })).toEqual([
      { start: 0, end: 1 },
      { start: 1, end: 2 },
      { start: 2, end: 3 },
    ]);
  });
});

describe('bulk calls over the service limit', () => {
  const lfns = Array.from({ length: 25_000 }, (_, i) => `/big/f${String(i).padStart(5, '0')}`);

  beforeAll(async () => {
    await svc.client().directories.create(['/big'], { parents: true });
  });

  it('asks the service its limit once and sends 25,000 items as 3 requests, results in item order', async () => {
    const client = svc.client();
    svc.requests.length = 0;
    const progress: number[] = [];
    const results = await client.files.create(
      lfns.map((lfn, i) => ({ lfn, size: i })),
      { onProgress: ({ done }) => progress.push(done) },
    );
    expect(svc.requests.filter((r) => r === 'GET /api/v1/limits')).toHaveLength(1);
    expect(posts('/api/v1/files')).toBe(3);
    expect(progress).toEqual([10_000, 20_000, 25_000]);
    expect(results).toHaveLength(25_000);
    results.forEach((r, i) => {
      if (!r.ok) throw new Error(`item ${i}: ${r.error.message}`);
      expect(r.entry.lfn).toBe(lfns[i]);
      expect(r.entry.size).toBe(i);
    });
  }, 240_000);

  it('keeps item order when chunks run concurrently, whatever order they are answered in', async () => {
    const client = svc.client({ maxItems: 1000 });
    svc.requests.length = 0;
    // Every 7th name does not exist, so the answer's order is visible in the results themselves.
    const asked = lfns.slice(0, 5000).map((lfn, i) => (i % 7 === 0 ? `${lfn}-missing` : lfn));
    const results = await client.entries.stat(asked, { concurrency: 4 });
    expect(posts('/api/v1/entries/stat')).toBe(5);
    results.forEach((r, i) => {
      if (i % 7 === 0) expect(r).toMatchObject({ ok: false, error: { code: 'NotExists' } });
      else expect(r).toMatchObject({ ok: true, entry: { lfn: asked[i] } });
    });
  });

  it('iterates the 25,000 entries of a directory in pages, and as one NDJSON stream, in name order', async () => {
    const client = svc.client();
    svc.requests.length = 0;
    const sizes: number[] = [];
    const paged: string[] = [];
    for await (const page of client.dir.list('/big', { pageSize: 1000 }).pages()) {
      sizes.push(page.items.length);
      paged.push(...page.items.map((e) => e.lfn));
    }
    expect(sizes).toEqual(Array(25).fill(1000));
    expect(paged).toEqual(lfns);

    svc.requests.length = 0;
    const streamed: Entry[] = [];
    for await (const entry of client.dir.list('/big')) streamed.push(entry);
    expect(svc.requests).toEqual(['GET /api/v1/directories/entries?lfn=%2Fbig']);
    expect(streamed.map((e) => e.lfn)).toEqual(lfns);
    expect(streamed[3]).toMatchObject({ kind: 'file', size: 3 });
  }, 180_000);

  it('continues a paged listing from a kept cursor', async () => {
    const client = svc.client();
    const first = await client.dir.list('/big', { pageSize: 10 }).pages().next();
    const next = first.value?.next;
    expect(typeof next).toBe('string');
    const rest = client.dir.list('/big', { pageSize: 10, startAfter: next ?? undefined });
    const page = await rest.pages().next();
    expect(page.value?.items.map((e) => e.lfn)).toEqual(lfns.slice(10, 20));
  });

  it('can be told the limit instead of asking, and cut by body size too', async () => {
    const client = svc.client({ maxItems: 100, maxBodyBytes: 4096 });
    svc.requests.length = 0;
    const results = await client.entries.stat(lfns.slice(0, 300));
    expect(codesOf(results)).toEqual(Array(300).fill('ok'));
    // About 22 bytes per `{"lfn":"/big/f00000"}` and its comma: 100 items would need ~2,300 bytes, so the
    // item limit cuts first here.
    expect(posts('/api/v1/entries/stat')).toBe(3);
    svc.requests.length = 0;
    await svc.client({ maxItems: 10_000, maxBodyBytes: 1024 }).entries.stat(lfns.slice(0, 300));
    expect(posts('/api/v1/entries/stat')).toBeGreaterThanOrEqual(7);
  });
});

describe('a bulk call that fails part-way', () => {
  /** A fetch that answers the first `good` requests from `results`, then 503 for ever. */
  function failingAfter(good: number): typeof fetch {
    let served = 0;
    return async (input) => {
      const request = input as Request;
      const { items } = (await request.json()) as { items: { lfn: string }[] };
      if (served++ >= good) return new Response(JSON.stringify({ type: '/docs/errors#Unavailable', title: 'x', status: 503, code: 'Unavailable', detail: 'down' }), { status: 503, headers: { 'content-type': 'application/problem+json', 'x-request-id': `r${served}` } });
      return Response.json({ results: items.map((i) => ({ ok: true, entry: { lfn: i.lfn } })) });
    };
  }

  const items = Array.from({ length: 25 }, (_, i) => ({ lfn: `/x/${i}` }));

  it('throws the error itself when nothing was applied', async () => {
    const client = new ReplicatClient({ baseUrl: 'http://127.0.0.1:1', fetch: failingAfter(0), maxItems: 10, maxBodyBytes: 1e6, retry: false });
    await expect(client.files.create(items)).rejects.toBeInstanceOf(Unavailable);
  });

  it('throws an IncompleteBulkError with the results of the requests that were answered', async () => {
    const client = new ReplicatClient({ baseUrl: 'http://127.0.0.1:1', fetch: failingAfter(2), maxItems: 10, maxBodyBytes: 1e6, retry: false });
    const error = await client.files.create(items).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(IncompleteBulkError);
    const incomplete = error as IncompleteBulkError;
    expect(incomplete.completed).toBe(20);
    expect(incomplete.results.slice(0, 20).every((r) => r !== undefined)).toBe(true);
    expect(incomplete.results.slice(20)).toEqual(Array(5).fill(undefined));
    expect(incomplete.cause).toBeInstanceOf(Unavailable);
    expect(incomplete.requestId).toBe('r3');
  });
});
