import express, { type NextFunction, type Request, type Response } from 'express';
import request from 'supertest';
import { ExactRoutes } from '../../src/rest/exact-routes';

/** An app registering routes the way createRestApp does: with express, and noted in ExactRoutes. */
function app() {
  const exact = new ExactRoutes();
  const served: string[] = [];
  const a = express();
  a.use(exact.middleware);
  const route = (method: 'get' | 'post', path: string, ...handlers: express.RequestHandler[]) => {
    a[method](path, ...handlers);
    exact.add(method, path, handlers);
  };
  const note = (name: string) => (req: Request, res: Response) => {
    // express's router sets req.route; the shortcut does not
    served.push(`${name} ${req.method} ${req.path} ${(req as { route?: unknown }).route === undefined ? 'exact' : 'express'}`);
    res.json({ name, params: req.params });
  };
  route('get', '/u/:name', note('user'));
  route('get', '/u/me', note('me')); // shadowed by /u/:name, as express would have it
  route('post', '/stat', (_req, _res, next) => next(), note('stat'));
  route('post', '/thrown', () => {
    throw new Error('thrown');
  });
  route('post', '/rejected', async () => {
    throw new Error('rejected');
  });
  route('post', '/passed', (_req, _res, next) => next(new Error('passed')));
  route('post', '/through', (_req, _res, next) => next());
  a.use((_req, res) => res.status(404).json({ name: 'not found' }));
  a.use((error: Error, _req: Request, res: Response, _next: NextFunction) => res.status(500).json({ error: error.message }));
  return { app: a, served };
}

describe('ExactRoutes', () => {
  it('serves exact spellings through the route’s handlers, in order', async () => {
    const { app: a, served } = app();
    expect((await request(a).post('/stat')).body).toEqual({ name: 'stat', params: {} });
    expect(served).toEqual(['stat POST /stat exact']);
  });

  it('leaves other spellings, methods and parameters to express, with the same answers', async () => {
    const { app: a, served } = app();
    expect((await request(a).post('/stat/')).body.name).toBe('stat');
    expect((await request(a).post('/STAT')).body.name).toBe('stat');
    expect((await request(a).get('/stat')).status).toBe(404);
    expect((await request(a).get('/u/alice')).body).toEqual({ name: 'user', params: { name: 'alice' } });
    expect(served).toEqual(['stat POST /stat/ express', 'stat POST /STAT express', 'user GET /u/alice express']);
  });

  it('never takes a request to a route that an earlier one would have matched first', async () => {
    const { app: a } = app();
    expect((await request(a).get('/u/me')).body).toEqual({ name: 'user', params: { name: 'me' } });
  });

  it('hands errors (thrown, rejected, passed to next) to the error handler, and falls through after the last handler', async () => {
    const { app: a } = app();
    for (const path of ['/thrown', '/rejected', '/passed']) {
      const res = await request(a).post(path);
      expect([res.status, res.body]).toEqual([500, { error: path.slice(1) }]);
    }
    expect((await request(a).post('/through')).body).toEqual({ name: 'not found' });
  });
});
