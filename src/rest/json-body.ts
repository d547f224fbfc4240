import { isUtf8 } from 'node:buffer';
import type { Readable, Transform } from 'node:stream';
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';
import type { NextFunction, Request, RequestHandler, Response } from 'express';

/** Whitespace JSON allows before a value (RFC 8259). */
const LEADING_WHITESPACE = /^[\x20\x09\x0a\x0d]*/;

/** The charsets a JSON body may declare: JSON between systems is UTF-8 (RFC 8259 §8.1). */
const UTF8 = new Set(['utf-8', 'utf8']);

/** What the error handler maps a body error to (body-parser's `type` names, which srm-app maps as well). */
export type BodyErrorType =
  | 'entity.too.large'
  | 'entity.parse.failed'
  | 'entity.not.utf8'
  | 'encoding.unsupported'
  | 'charset.unsupported'
  | 'request.aborted';

const STATUS: Readonly<Record<BodyErrorType, number>> = {
  'entity.too.large': 413,
  'entity.parse.failed': 400,
  'entity.not.utf8': 400,
  'encoding.unsupported': 415,
  'charset.unsupported': 415,
  'request.aborted': 400,
};

/** A body that cannot be read: shaped like body-parser's errors (`type`, `status`), which the faces already map. */
export class BodyError extends Error {
  readonly type: BodyErrorType;
  readonly status: number;
  readonly statusCode: number;
  readonly expose = true;

  constructor(type: BodyErrorType, message: string) {
    super(message);
    this.type = type;
    this.status = STATUS[type];
    this.statusCode = this.status;
  }
}

/**
 * The JSON body reader of the API, for every body: UTF-8 only (invalid bytes are refused, never replaced),
 * identity or gzip/deflate/br, strict (an object or an array; an empty body is `{}`; a byte order mark is
 * dropped). A body past `limit` bytes, declared or counted as it arrives (raw or inflated), stops being read
 * at once: the answer is 413 and the connection closes after it (see `closeUnreadBodies`), so that a client
 * streaming a chunked body cannot make the service read gigabytes it will never parse (body-parser reads the
 * rest of a refused body to its end).
 *
 * The common case, a small body received in full already (authentication awaits first, and the body came
 * with the headers), is taken from the request's buffer and parsed at once: no listeners, no decoder.
 */
export function jsonBody(limit: number): RequestHandler {
  return (req: Request, _res: Response, next: NextFunction): void => {
    const encoding = (req.headers['content-encoding'] ?? 'identity').toLowerCase();
    const charset = /;\s*charset\s*=\s*("?)([^";\s]+)\1/i.exec(req.headers['content-type'] ?? '')?.[2];
    if (charset !== undefined && !UTF8.has(charset.toLowerCase())) {
      return next(new BodyError('charset.unsupported', `unsupported charset ${charset}: JSON bodies are UTF-8`));
    }
    const declared = Number(req.headers['content-length'] ?? Number.NaN);
    // No declared length and not chunked: no body (as body-parser, which leaves req.body alone).
    if (Number.isNaN(declared) && req.headers['transfer-encoding'] === undefined) return next();
    if (declared > limit) return next(tooLarge(limit));
    const parse = (body: Buffer) => {
      if (body.length > limit) return next(tooLarge(limit));
      try {
        req.body = parseJsonBytes(body);
      } catch (error) {
        return next(error);
      }
      next();
    };
    if (encoding === 'identity') {
      if (req.complete && req.readableFlowing === null && !req.readableEnded) return parse(takeBuffered(req));
      return collect(req, undefined, limit, (error, body) => (error !== undefined ? next(error) : parse(body!)));
    }
    const inflate = inflater(encoding);
    if (inflate === undefined) return next(new BodyError('encoding.unsupported', `unsupported content-encoding ${encoding}`));
    collect(req, inflate, limit, (error, body) => (error !== undefined ? next(error) : parse(body!)));
  };
}

/** UTF-8 bytes as strict JSON; a BodyError for bytes that are not UTF-8 or text that is not JSON. */
export function parseJsonBytes(body: Buffer): unknown {
  if (!isUtf8(body)) throw new BodyError('entity.not.utf8', 'the request body is not valid UTF-8');
  try {
    return parseStrictJson(body.toString('utf8'));
  } catch {
    throw new BodyError('entity.parse.failed', 'the request body is not valid JSON');
  }
}

function tooLarge(limit: number): BodyError {
  return new BodyError('entity.too.large', `the request body is too large (the limit is ${limit} bytes)`);
}

function inflater(encoding: string): Transform | undefined {
  switch (encoding) {
    case 'gzip':
    case 'x-gzip':
      return createGunzip();
    case 'deflate':
      return createInflate();
    case 'br':
      return createBrotliDecompress();
    default:
      return undefined;
  }
}

/** What the request's buffer holds, once the request is complete: all of its body. */
function takeBuffered(req: Request): Buffer {
  const chunks: Buffer[] = [];
  for (let chunk = req.read() as Buffer | null; chunk !== null; chunk = req.read() as Buffer | null) chunks.push(chunk);
  return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
}

/**
 * The body as it arrives (from the request, or from `inflate` it is piped into), at most `limit` bytes
 * of it and of the request's own bytes. Past the limit, or on failure, reading stops where it is: the request
 * is unpiped and paused, and the rest is never read. A request closed before its end is `request.aborted`.
 */
function collect(req: Request, inflate: Transform | undefined, limit: number, done: (error: BodyError | undefined, body?: Buffer) => void): void {
  const source: Readable = inflate ?? req;
  const chunks: Buffer[] = [];
  let bytes = 0;
  let raw = 0;
  let finished = false;
  const onRaw = (chunk: Buffer) => {
    raw += chunk.length;
    if (raw > limit) finish(tooLarge(limit));
  };
  const onData = (chunk: Buffer) => {
    bytes += chunk.length;
    if (bytes > limit) return finish(tooLarge(limit));
    chunks.push(chunk);
  };
  const onEnd = () => finish(undefined, chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks));
  // A request closes after its end too, possibly before the inflater has given all it holds.
  const onAbort = () => {
    if (!req.complete) finish(new BodyError('request.aborted', 'the request was aborted'));
  };
  const onCorrupt = () => finish(new BodyError('entity.parse.failed', 'the request body could not be inflated'));
  const finish = (error: BodyError | undefined, body?: Buffer) => {
    if (finished) return;
    finished = true;
    source.removeListener('data', onData);
    source.removeListener('end', onEnd);
    req.removeListener('error', onAbort);
    req.removeListener('close', onAbort);
    if (inflate !== undefined) {
      req.removeListener('data', onRaw);
      req.unpipe(inflate);
      inflate.removeListener('error', onCorrupt);
      inflate.on('error', () => undefined);
      inflate.destroy();
    }
    if (error !== undefined) req.pause();
    done(error, body);
  };
  source.on('data', onData);
  source.on('end', onEnd);
  req.on('error', onAbort);
  req.on('close', onAbort);
  if (inflate !== undefined) {
    inflate.on('error', onCorrupt);
    req.on('data', onRaw);
    req.pipe(inflate);
  }
}

/** body-parser's strict JSON: a leading byte order mark dropped, `{}` for nothing, otherwise an object or an array. */
export function parseStrictJson(text: string): unknown {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  if (body.length === 0) return {};
  const first = body[0] === '{' || body[0] === '[' ? body[0] : body.charAt(LEADING_WHITESPACE.exec(body)![0].length);
  if (first !== '{' && first !== '[') throw new SyntaxError('a JSON body must be an object or an array');
  return JSON.parse(body) as unknown;
}

/**
 * Closes the connection of a request answered before its body was received in full (a refusal, a body past
 * a limit, an anonymous caller): Node would otherwise read the rest to its end to keep the connection, so a
 * client could make the service swallow gigabytes after its answer. The connection is closed once the
 * answer is flushed; `connection: close` tells the client so, where the answer did not say it already.
 */
export function closeUnreadBodies(req: Request, res: Response, next: NextFunction): void {
  const socket = req.socket;
  res.once('finish', () => {
    if (!req.complete) socket.destroy();
  });
  next();
}
