import { parentPort, workerData } from 'node:worker_threads';
import { PGlite, types } from '@electric-sql/pglite';
import { serializeError, type Statement, type StatementResult, type WorkerAnswer, type WorkerOptions, type WorkerRequest } from './pglite-protocol';

/**
 * The worker thread that owns PGlite (see `pglite-session.ts`). PGlite's WebAssembly runs
 * synchronously: here it blocks only this thread, and the service's thread can stop it by terminating
 * the worker.
 */
async function serve(): Promise<void> {
  const port = parentPort;
  if (port === null) throw new Error('pglite-worker.js runs as a worker thread');
  const options = workerData as WorkerOptions;
  const send = (answer: WorkerAnswer) => port.postMessage(answer);
  let pglite: PGlite;
  try {
    pglite = await PGlite.create({
      ...(options.dataDir !== undefined ? { dataDir: options.dataDir } : {}),
      // Sizes are bytes below 2^53; parsing int8 as a number keeps the domain types free of strings.
      parsers: { [types.INT8]: (value: string) => Number(value) },
    });
  } catch (error) {
    send({ kind: 'open-failed', error: serializeError(error) });
    return;
  }
  port.on('message', (request: WorkerRequest) => {
    run(pglite, request).then(
      (result) => {
        send({ kind: 'done', id: request.id, ...result });
        if (request.kind === 'close') port.close();
      },
      (error: unknown) => send({ kind: 'failed', id: request.id, error: serializeError(error) }),
    );
  });
  send({ kind: 'opened' });
}

async function run(pglite: PGlite, statement: Statement): Promise<StatementResult> {
  switch (statement.kind) {
    case 'query': {
      const result = await pglite.query(statement.sql, statement.parameters as unknown[]);
      return { rows: result.rows, affectedRows: result.affectedRows };
    }
    case 'exec': {
      const results = await pglite.exec(statement.sql);
      return { rows: results.at(-1)?.rows ?? [], affectedRows: undefined };
    }
    case 'close':
      await pglite.close();
      return { rows: [], affectedRows: undefined };
  }
}

void serve();
