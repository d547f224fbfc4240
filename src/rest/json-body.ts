import express, { type NextFunction, type Request, type RequestHandler, type Response } from 'express';

/** The media types a body already received in full is parsed from at once; other charsets go to body-parser. */
const PLAIN_JSON = /^application\/json\s*(;\s*charset="?utf-8"?\s*)?$/i;

/** Whitespace JSON allows before a value (RFC 8259). */
const LEADING_WHITESPACE = /^[\x20\x09\x0a\x0d]*/;

/**
 * The JSON body reader of the API: body-parser's rules, with a shorter way for the common case, a
 * small `application/json` body in UTF-8, uncompressed, of a declared length within `limit`.
 *
 * body-parser attaches five listeners to each request, decodes through a charset decoder, watches for
 * the response finishing, and removes it all again: for a single-item stat that was as much work as the
 * rest of its routing. Here:
 * - a body received in full already (usually: authentication awaits first, and the body came with the
 *   headers) is taken from the request's buffer and parsed at once;
 * - one still arriving is collected with three listeners and parsed at its end.
 * Either way with body-parser's rules (strict: an object or an array; an empty body is `{}`; a byte order
 * mark is dropped) and its errors (`entity.parse.failed`, `request.aborted`, status 400). Anything else
 * (a compressed body, another charset, no declared length, one over `limit`) goes to body-parser, which
 * keeps its own answers for those cases.
 */
export function jsonBody(limit: number): RequestHandler {
  const parser = express.json({ limit, strict: true, type: () => true });
  return (req: Request, res: Response, next: NextFunction): void => {
    const encoding = req.headers['content-encoding'];
    const declared = Number(req.headers['content-length'] ?? Number.NaN);
    const plain =
      declared > 0 &&
      declared <= limit &&
      (encoding === undefined || encoding.toLowerCase() === 'identity') &&
      PLAIN_JSON.test(req.headers['content-type'] ?? '') &&
      req.readableFlowing === null &&
      !req.readableEnded;
    if (!plain) return void parser(req, res, next);
    const parse = (body: Buffer) => {
      try {
        req.body = parseStrictJson(body.toString('utf8'));
      } catch {
        return next(bodyError('the request body is not valid JSON', 'entity.parse.failed'));
      }
      next();
    };
    if (req.complete) return parse(takeBuffered(req));
    collect(req, (error, body) => (error !== undefined ? next(error) : parse(body!)));
  };
}

/** What the request's buffer holds, once the request is complete: all of its body. */
function takeBuffered(req: Request): Buffer {
  const chunks: Buffer[] = [];
  for (let chunk = req.read() as Buffer | null; chunk !== null; chunk = req.read() as Buffer | null) chunks.push(chunk);
  return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
}

/** The rest of a body still arriving; a request closed or failed before its end is `request.aborted`, as in body-parser. */
function collect(req: Request, done: (error: unknown, body?: Buffer) => void): void {
  const chunks: Buffer[] = [];
  const onData = (chunk: Buffer) => void chunks.push(chunk);
  const onEnd = () => finish(undefined, chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks));
  const onAbort = () => finish(bodyError('the request was aborted', 'request.aborted'));
  const finish = (error: unknown, body?: Buffer) => {
    req.removeListener('data', onData);
    req.removeListener('end', onEnd);
    req.removeListener('error', onAbort);
    req.removeListener('close', onAbort);
    done(error, body);
  };
  req.on('data', onData);
  req.on('end', onEnd);
  req.on('error', onAbort);
  req.on('close', onAbort);
}

/** An error shaped like body-parser's (`type`, `status`), which the app's error handling already maps. */
function bodyError(message: string, type: 'entity.parse.failed' | 'request.aborted'): Error {
  return Object.assign(new Error(message), { type, status: 400, statusCode: 400, expose: true });
}

/** body-parser's strict JSON: a leading byte order mark dropped, `{}` for nothing, otherwise an object or an array. */
export function parseStrictJson(text: string): unknown {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  if (body.length === 0) return {};
  const first = body[0] === '{' || body[0] === '[' ? body[0] : body.charAt(LEADING_WHITESPACE.exec(body)![0].length);
  if (first !== '{' && first !== '[') throw new SyntaxError('a JSON body must be an object or an array');
  return JSON.parse(body) as unknown;
}
