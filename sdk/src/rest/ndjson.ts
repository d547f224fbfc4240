import { HttpError, NetworkError } from '../errors';
import type { OpenStream } from './rest-transport';

/**
 * The objects of an NDJSON body, one per line, read as they arrive so that a listing of millions of
 * entries holds one chunk in memory. The service ends every line with a newline, so a last line
 * without one means the stream was cut (the service destroys the connection when it fails mid-way),
 * and that is an error, never a silently short listing.
 */
export async function* readNdjson<T>(open: OpenStream): AsyncGenerator<T, void, undefined> {
  const { body, attempt, requestId } = open;
  const ids = requestId !== undefined ? { requestId } : {};
  if (body === undefined) {
    attempt.dispose();
    return;
  }
  const reader = body.getReader();
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let pending = '';
  let line = 0;
  try {
    for (;;) {
      const chunk = await reader.read().catch((error: unknown) => {
        throw attempt.explain() ?? new NetworkError('the listing stream broke off', { cause: error, ...ids });
      });
      if (chunk.done) break;
      attempt.touch();
      const lines = (pending + decoder.decode(chunk.value, { stream: true })).split('\n');
      pending = lines.pop() ?? '';
      for (const text of lines) {
        line++;
        if (text.trim() !== '') yield parseLine<T>(text, line, ids);
      }
    }
    pending += decoder.decode();
    if (pending.trim() !== '') throw new NetworkError(`the listing stream ended in the middle of line ${line + 1}`, ids);
  } finally {
    attempt.dispose();
    // Stopping early (break in a for await) must close the connection, not leave it streaming.
    await reader.cancel().catch(() => undefined);
  }
}

function parseLine<T>(text: string, line: number, ids: { requestId?: string }): T {
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new HttpError(`line ${line} of the listing is not JSON`, ids);
  }
}
