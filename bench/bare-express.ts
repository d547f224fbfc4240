/**
 * The bare-HTTP baseline of the stat scenario: express answering a fixed JSON body of the size of a
 * stat answer, with nothing behind it. `node dist/bench/bare-express.js PORT BYTES`
 */
import express from 'express';

const port = Number(process.argv[2]);
const bytes = Number(process.argv[3]);
const body = JSON.stringify({ results: [{ ok: true, entry: { lfn: 'x'.repeat(Math.max(1, bytes - 40)) } }] });
const app = express();
app.disable('x-powered-by');
app.set('etag', false);
app.post('/api/v1/entries/stat', (_req, res) => {
  res.type('application/json').send(body);
});
app.listen(port, '127.0.0.1', () => process.send?.('ready'));
