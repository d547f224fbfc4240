import { once } from 'node:events';
import type { Response } from 'express';

/**
 * Streams items as NDJSON, honouring back-pressure: the generator is pulled only as fast as the client
 * reads, so memory stays flat however long the listing. The first item is awaited before headers go
 * out, so an error up front (no such directory) still becomes a proper problem response.
 */
export async function writeNdjson<T>(res: Response, items: AsyncGenerator<T>, encode: (item: T) => unknown): Promise<void> {
  const first = await items.next();
  res.status(200).type('application/x-ndjson');
  res.setHeader('cache-control', 'no-store');
  if (first.done) {
    res.end();
    return;
  }
  let closed = false;
  res.on('close', () => (closed = true));
  const write = async (item: T): Promise<void> => {
    if (!res.write(`${JSON.stringify(encode(item))}\n`)) await Promise.race([once(res, 'drain'), once(res, 'close')]);
  };
  try {
    await write(first.value);
    for await (const item of items) {
      if (closed) break;
      await write(item);
    }
  } catch (error) {
    // Headers are gone: the only honest signal left is to cut the stream short, not end it cleanly.
    res.destroy(error instanceof Error ? error : new Error(String(error)));
    return;
  } finally {
    await items.return(undefined);
  }
  res.end();
}
