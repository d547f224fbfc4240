import express, { type NextFunction, type Request, type RequestHandler, type Response } from 'express';

/** The media types a body already received in full is parsed from at once; other charsets go to body-parser. */
const PLAIN_JSON = /^application\/json\s*(;\s*charset="?utf-8"?\s*)?$/i;

/** Whitespace JSON allows before a value (RFC 8259). */
const LEADING_WHITESPACE = /^[\x20\x09\x0a\x0d]*/;

/**
 * The JSON body reader of the API: express's (`body-parser`), with a shortcut for the common case of a
 * small request that has already arrived in full.
 *
 * By the time a route reads the body, a small request's body has usually been received with its headers
 * (authentication awaits first, and Node's parser had the whole request in one read): it sits in the
 * request's buffer and the request is complete. body-parser still attaches five listeners, waits for
 * `end` through a charset decoder and removes them, about as much work as the rest of a single-item
 * stat's routing. Here such a body is taken from the buffer and parsed at once, with body-parser's rules
 * (strict: an object or an array; an empty body is `{}`; a byte order mark is dropped; a failure is an
 * `entity.parse.failed` error, status 400). Anything else (a compressed body, another charset, a body
 * still arriving, one over `limit`) goes to body-parser, which keeps its own answers for those cases.
 */
export function jsonBody(limit: number): RequestHandler {
  const parser = express.json({ limit, strict: true, type: () => true });
  return (req: Request, res: Response, next: NextFunction): void => {
    const received = req.readableLength;
    const complete = req.complete && !req.readableEnded && received > 0 && received <= limit;
    const encoding = req.headers['content-encoding'];
    if (!complete || (encoding !== undefined && encoding.toLowerCase() !== 'identity') || !PLAIN_JSON.test(req.headers['content-type'] ?? '')) {
      return void parser(req, res, next);
    }
    const chunks: Buffer[] = [];
    for (let chunk: Buffer | null = req.read() as Buffer | null; chunk !== null; chunk = req.read() as Buffer | null) chunks.push(chunk);
    const body = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
    try {
      req.body = parseStrictJson(body.toString('utf8'));
    } catch {
      return next(Object.assign(new Error('the request body is not valid JSON'), { type: 'entity.parse.failed', status: 400, statusCode: 400, expose: true }));
    }
    next();
  };
}

/** body-parser's strict JSON: a leading byte order mark dropped, `{}` for nothing, otherwise an object or an array. */
export function parseStrictJson(text: string): unknown {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  if (body.length === 0) return {};
  const first = body[0] === '{' || body[0] === '[' ? body[0] : body.charAt(LEADING_WHITESPACE.exec(body)![0].length);
  if (first !== '{' && first !== '[') throw new SyntaxError('a JSON body must be an object or an array');
  return JSON.parse(body) as unknown;
}
