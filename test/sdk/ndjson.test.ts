import { AttemptSignal } from '../../sdk/src/attempt-signal';
import { HttpError, NetworkError } from '../../sdk/src';
import { readNdjson } from '../../sdk/src/rest/ndjson';

/** A body delivered in the given pieces (bytes may split characters and lines anywhere). */
function body(pieces: readonly (string | Uint8Array)[], onCancel?: () => void): ReadableStream<Uint8Array> {
  let index = 0;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      const piece = pieces[index++];
      if (piece === undefined) controller.close();
      else controller.enqueue(typeof piece === 'string' ? new TextEncoder().encode(piece) : piece);
    },
    cancel: () => onCancel?.(),
  });
}

async function readAll(stream: ReadableStream<Uint8Array> | undefined): Promise<unknown[]> {
  const out: unknown[] = [];
  for await (const item of readNdjson({ body: stream, attempt: new AttemptSignal(5000, undefined), requestId: 'r' })) out.push(item);
  return out;
}

describe('NDJSON reading', () => {
  it('reassembles lines and multi-byte characters split across chunks', async () => {
    const text = '{"lfn":"/grid/\u00e9t\u00e9"}\n{"lfn":"/b"}\n';
    const bytes = new TextEncoder().encode(text);
    const pieces = [bytes.slice(0, 15), bytes.slice(15, 17), bytes.slice(17, 30), bytes.slice(30)];
    expect(await readAll(body(pieces))).toEqual([{ lfn: '/grid/\u00e9t\u00e9' }, { lfn: '/b' }]);
  });

  it('reads an empty answer as no entries', async () => {
    expect(await readAll(undefined)).toEqual([]);
    expect(await readAll(body([]))).toEqual([]);
  });

  it('refuses a stream cut in the middle of a line instead of returning a short listing', async () => {
    await expect(readAll(body(['{"a":1}\n{"a":']))).rejects.toBeInstanceOf(NetworkError);
  });

  it('refuses a line that is not JSON', async () => {
    await expect(readAll(body(['{"a":1}\nnot json\n']))).rejects.toBeInstanceOf(HttpError);
  });

  it('closes the stream when the reader stops early', async () => {
    let cancelled = false;
    const stream = body(['{"a":1}\n{"a":2}\n', '{"a":3}\n', '{"a":4}\n'], () => (cancelled = true));
    for await (const item of readNdjson({ body: stream, attempt: new AttemptSignal(5000, undefined), requestId: undefined })) {
      expect(item).toEqual({ a: 1 });
      break;
    }
    expect(cancelled).toBe(true);
  });
});
