import type { NextFunction, Request, RequestHandler, Response } from 'express';

/**
 * The API's routes without path parameters, found by one map lookup instead of express's walk of the
 * router stack. Express tries every layer in turn until one matches (the service endpoints, SOAP, then
 * the API in document order) and allocates its matching records, closures and the route's own
 * dispatcher for each request, a visible share of a single-item request's time.
 *
 * Only exact spellings take this way (`POST /api/v1/entries/stat`); anything else (another case, a
 * trailing slash, HEAD, OPTIONS, a path with parameters) goes on to express, where every route stays
 * registered, so answers and 404/405s are those express would give. `add` refuses a route that an
 * earlier route of the same method would have matched first, so the shortcut never changes which
 * handler a request reaches.
 *
 * ```ts
 * const exact = new ExactRoutes();
 * app.use(exact.middleware);                                   // before the routes
 * app.post('/api/v1/files', ...handlers); exact.add('post', '/api/v1/files', handlers);
 * ```
 */
export class ExactRoutes {
  readonly #routes = new Map<string, readonly RequestHandler[]>();
  /** Every route registered so far, in express's order, to check that a shortcut keeps it. */
  readonly #earlier: { readonly method: string; readonly pattern: RegExp }[] = [];

  /** Notes a route registered with express (`:name` for parameters), in the order it was registered. */
  add(method: string, route: string, handlers: readonly RequestHandler[]): void {
    const verb = method.toUpperCase();
    if (!route.includes(':')) {
      const shadowing = this.#earlier.find((r) => r.method === verb && r.pattern.test(route));
      if (shadowing === undefined) this.#routes.set(`${verb} ${route}`, handlers);
    }
    this.#earlier.push({ method: verb, pattern: routePattern(route) });
  }

  readonly middleware = (req: Request, res: Response, next: NextFunction): void => {
    const handlers = this.#routes.get(`${req.method} ${req.path}`);
    if (handlers === undefined) return next();
    runHandlers(handlers, req, res, next);
  };
}

/** What express's route would match for a path template: case-insensitive, an optional trailing slash. */
function routePattern(route: string): RegExp {
  const source = route
    .split(/(:[A-Za-z0-9_]+)/)
    .map((part) => (part.startsWith(':') ? '[^/]+' : part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
    .join('');
  return new RegExp(`^${source}/?$`, 'i');
}

/**
 * Runs a route's handlers as express's route would: each calls `next()` to pass on; an error (given to
 * `next`, thrown, or a rejected promise) skips the rest and goes to the app's error handler.
 */
function runHandlers(handlers: readonly RequestHandler[], req: Request, res: Response, done: NextFunction): void {
  let index = 0;
  const next = (error?: unknown): void => {
    if (error !== undefined && error !== null) return done(error);
    const handler = handlers[index++];
    if (handler === undefined) return done();
    try {
      const returned: unknown = handler(req, res, next);
      if (returned instanceof Promise) returned.then(undefined, (rejection: unknown) => done(rejection ?? new Error('Rejected promise')));
    } catch (thrown) {
      done(thrown);
    }
  };
  next();
}
