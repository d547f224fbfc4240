import { Readable } from 'node:stream';
import type { Request } from 'express';
import { readRankBody, UnsupportedBody, type RankBodyLimits } from '../../src/rest/rank-body';

const LIMITS: RankBodyLimits = { maxNames: 1000, maxBytes: 1 << 20 };

/** A request whose body arrives in the given chunks. */
function requestOf(chunks: readonly Buffer[], headers: Record<string, string> = { 'content-type': 'application/json' }): Request {
  const stream = Readable.from(chunks);
  return Object.assign(stream, { get: (name: string) => headers[name.toLowerCase()] }) as unknown as Request;
}

const read = (body: string | Buffer, limits = LIMITS, headers?: Record<string, string>) =>
  readRankBody(requestOf([Buffer.isBuffer(body) ? body : Buffer.from(body)], headers), limits);

describe('the streaming rank body reader', () => {
  const tricky = '{ "protocols" : ["root","https"],\n "lfns": ["/a/\\u00e9t\\u00E9", "/b/\\"q\\\\", "/c/é😀", "lfn:\\/d", "\\ud83d\\ude00", "" ] }';
  const expected = { names: ['/a/été', '/b/"q\\', '/c/é😀', 'lfn:/d', '😀', ''], protocols: ['root', 'https'] };

  it('reads the names and protocols of a JSON body', async () => {
    expect(await read(tricky)).toEqual(expected);
    expect(await read('{"lfns":[]}')).toEqual({ names: [] });
  });

  it('gives the same answer however the body is cut into chunks, even inside escapes and UTF-8 sequences', async () => {
    const bytes = Buffer.from(tricky);
    for (let cut = 1; cut < bytes.length; cut++) {
      const body = await readRankBody(requestOf([bytes.subarray(0, cut), bytes.subarray(cut)]), LIMITS);
      expect([cut, body]).toEqual([cut, expected]);
    }
    const oneByOne = [...bytes].map((b) => Buffer.from([b]));
    expect(await readRankBody(requestOf(oneByOne), LIMITS)).toEqual(expected);
  });

  it('reads plain names and rare escapes far apart as JSON.parse does, in chunks of any size', async () => {
    // The reader remembers where the next backslash is instead of searching for it from every string.
    const names = Array.from({ length: 300 }, (_, i) => (i % 97 === 50 ? `/e${i}/"\\\u0041\u00e9` : `/plain/f${i}`));
    const bytes = Buffer.from(JSON.stringify({ lfns: names }).replace('\u00e9', '\\u00e9'));
    for (const size of [1, 7, 64, 1000, bytes.length]) {
      const chunks = Array.from({ length: Math.ceil(bytes.length / size) }, (_, k) => bytes.subarray(k * size, (k + 1) * size));
      expect([size, (await readRankBody(requestOf(chunks), LIMITS)).names]).toEqual([size, names]);
    }
  });

  it('reads text bodies one name a line, skipping blank lines and comments', async () => {
    const body = await read('# job 42\n/a\r\n\n  lfn:/b  \nguid:6f1c8e0a-3c1d-4b7e-9b0a-2f4d5e6a7b8c', LIMITS, { 'content-type': 'text/plain; charset=utf-8' });
    expect(body).toEqual({ names: ['/a', 'lfn:/b', 'guid:6f1c8e0a-3c1d-4b7e-9b0a-2f4d5e6a7b8c'] });
  });

  it.each([
    ['{"lfns": ["/a"]', 'not complete JSON'],
    ['{"lfns": ["/a"]}}', 'after the JSON object'],
    ['{"lfns": ["/a"], }', 'not valid JSON'],
    ['{"lfns": ["/a",]}', 'must be a list of strings'],
    ['{"lfns": [null]}', 'must be a list of strings'],
    ['{"lfns": {"a": 1}}', 'must be a list of strings'],
    ['{"lfns": ["/a"], "extra": 1}', 'unknown field "extra"'],
    ['{"lfns": [], "lfns": []}', 'names lfns twice'],
    ['{"protocols": []}', 'missing field "lfns"'],
    ['{"lfns": ["\\x"]}', 'bad escape'],
    ['{"lfns": ["\\u12G4"]}', 'bad \\u escape'],
    ['{"lfns": ["a\tb"]}', 'control character'],
    ['"/a"', 'must be a JSON object'],
    ['', 'not complete JSON'],
  ])('refuses %s', async (body, message) => {
    await expect(read(body)).rejects.toMatchObject({ code: 'InvalidArgument', message: expect.stringContaining(message) });
  });

  it('refuses invalid UTF-8', async () => {
    await expect(read(Buffer.from([0x7b, 0x22, 0xff, 0x22, 0x7d]))).rejects.toMatchObject({ code: 'InvalidArgument', message: expect.stringContaining('UTF-8') });
  });

  it('stops at the name limit, the byte limit and the name length limit', async () => {
    const names = JSON.stringify({ lfns: Array.from({ length: 1001 }, (_, i) => `/n${i}`) });
    await expect(read(names)).rejects.toMatchObject({ code: 'LimitExceeded' });
    await expect(read('/a\n'.repeat(1001), LIMITS, { 'content-type': 'text/plain' })).rejects.toMatchObject({ code: 'LimitExceeded' });
    await expect(read(names, { maxNames: 5000, maxBytes: 1000 })).rejects.toMatchObject({ code: 'LimitExceeded', message: expect.stringContaining('1000 bytes') });
    await expect(read(JSON.stringify({ lfns: [`/${'x'.repeat(5000)}`] }))).rejects.toMatchObject({ code: 'InvalidArgument', message: expect.stringContaining('longer than') });
    await expect(read(`/${'x'.repeat(5000)}`, LIMITS, { 'content-type': 'text/plain' })).rejects.toMatchObject({ code: 'InvalidArgument' });
  });

  it('refuses other content types, encodings and charsets as unsupported', async () => {
    await expect(read('<names/>', LIMITS, { 'content-type': 'application/xml' })).rejects.toBeInstanceOf(UnsupportedBody);
    await expect(read('{}', LIMITS, { 'content-type': 'application/json', 'content-encoding': 'gzip' })).rejects.toBeInstanceOf(UnsupportedBody);
    await expect(read('{}', LIMITS, { 'content-type': 'application/json; charset=latin1' })).rejects.toBeInstanceOf(UnsupportedBody);
  });
});
