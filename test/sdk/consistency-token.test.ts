import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ReplicatClient } from '../../sdk/src';
import { ConsistencyToken } from '../../sdk/src/rest/consistency-token';

describe('the SDK carries the consistency token by itself', () => {
  let server: Server;
  const seen: IncomingHttpHeaders[] = [];
  /** The token the next answer carries. */
  let answerWith: string | undefined;

  beforeAll(async () => {
    server = createServer((req, res) => {
      seen.push(req.headers);
      req.resume();
      req.on('end', () => {
        res.writeHead(200, { 'content-type': 'application/json', ...(answerWith !== undefined ? { 'replicat-consistency': answerWith } : {}) });
        res.end(JSON.stringify({ results: [{ ok: true, entry: { lfn: '/a', kind: 'directory' } }] }));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('sends the newest token a write answered with on the requests after it', async () => {
    const client = new ReplicatClient({ baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, maxItems: 100, maxBodyBytes: 1e6 });
    try {
      answerWith = undefined;
      await client.entries.stat(['/a']);
      expect(seen.at(-1)!['replicat-consistency']).toBeUndefined();
      answerWith = '1/A0';
      await client.directories.create(['/a']);
      answerWith = '0/FFFFFFFF'; // an older position (another instance's answer): the newer one is kept
      await client.directories.create(['/a']);
      answerWith = undefined;
      await client.entries.stat(['/a']);
      expect(seen.at(-1)!['replicat-consistency']).toBe('1/A0');
      expect(client.consistencyToken).toBe('1/A0');
    } finally {
      await client.close();
    }
  });

  it('compares positions as numbers, not as text', () => {
    const token = new ConsistencyToken();
    token.note('0/9');
    token.note('0/10');
    token.note('not a position');
    expect(token.current).toBe('0/10');
  });
});
