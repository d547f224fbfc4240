import { TextDecoder } from 'node:util';
import type { Request } from 'express';
import { InvalidArgument, LimitExceeded } from '../core/errors';

/** Longest name accepted, in UTF-16 code units (as the contract's Lfn maxLength). */
export const MAX_NAME_LENGTH = 4096;

export interface RankBodyLimits {
  /** Names in one request; one more stops reading at once. */
  readonly maxNames: number;
  /** Bytes of the body; past that reading stops at once. */
  readonly maxBytes: number;
}

export interface RankBody {
  readonly names: string[];
  readonly protocols?: string[];
}

/** Thrown for a body that is not of a type this route reads: answered 415. */
export class UnsupportedBody extends Error {}

/**
 * Reads a rank request body as it arrives, never holding the raw body: `application/json`
 * (`{"lfns": [...], "protocols"?: [...]}`, strict JSON, unknown fields refused) or `text/plain` (one name a
 * line; blank lines and `#` comments skipped). Memory is bounded by the names kept (at most `maxNames`
 * of at most MAX_NAME_LENGTH characters); a body past `maxBytes` or `maxNames` stops being read at once.
 * The generic JSON path would build the whole 40 MB document and then validate a million-item array,
 * which is what this route exists to avoid.
 */
export async function readRankBody(req: Request, limits: RankBodyLimits): Promise<RankBody> {
  const type = (req.get('content-type') ?? '').toLowerCase();
  const encoding = (req.get('content-encoding') ?? 'identity').toLowerCase();
  if (encoding !== 'identity') throw new UnsupportedBody(`unsupported content-encoding ${encoding}`);
  const charset = /;\s*charset=("?)([^";]+)\1/.exec(type)?.[2];
  if (charset !== undefined && !['utf-8', 'utf8', 'us-ascii'].includes(charset)) throw new UnsupportedBody(`unsupported charset ${charset}`);
  let sink: BodySink;
  if (/^application\/([a-z.+-]*\+)?json\s*(;|$)/.test(type)) sink = new JsonRankBody(limits.maxNames);
  else if (/^text\/plain\s*(;|$)/.test(type)) sink = new TextRankBody(limits.maxNames);
  else throw new UnsupportedBody('the body must be application/json ({"lfns": [...]}) or text/plain (one name a line)');

  const decoder = new TextDecoder('utf-8', { fatal: true });
  let bytes = 0;
  try {
    for await (const chunk of req as AsyncIterable<Buffer>) {
      bytes += chunk.length;
      if (bytes > limits.maxBytes) throw new LimitExceeded(`the request body is larger than ${limits.maxBytes} bytes`);
      sink.write(decode(decoder, chunk, true));
    }
    sink.write(decode(decoder, undefined, false));
  } catch (error) {
    // Stop reading what remains: the answer goes out and the connection closes.
    req.unpipe();
    req.pause();
    throw error;
  }
  return sink.end();
}

interface BodySink {
  write(text: string): void;
  end(): RankBody;
}

function decode(decoder: TextDecoder, chunk: Buffer | undefined, stream: boolean): string {
  try {
    return decoder.decode(chunk, { stream });
  } catch {
    throw new InvalidArgument('the request body is not valid UTF-8');
  }
}

class TextRankBody implements BodySink {
  readonly #names: string[] = [];
  readonly #maxNames: number;
  #rest = '';

  constructor(maxNames: number) {
    this.#maxNames = maxNames;
  }

  write(text: string): void {
    const lines = (this.#rest + text).split('\n');
    this.#rest = lines.pop()!;
    if (this.#rest.length > MAX_NAME_LENGTH) throw new InvalidArgument(`a name is longer than ${MAX_NAME_LENGTH} characters`);
    for (const line of lines) this.#take(line);
  }

  end(): RankBody {
    this.#take(this.#rest);
    this.#rest = '';
    return { names: this.#names };
  }

  #take(raw: string): void {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    const name = line.trim();
    if (name === '' || name.startsWith('#')) return;
    if (name.length > MAX_NAME_LENGTH) throw new InvalidArgument(`a name is longer than ${MAX_NAME_LENGTH} characters`);
    if (this.#names.length >= this.#maxNames) throw new LimitExceeded(`too many names (the limit is ${this.#maxNames} per rank request)`);
    this.#names.push(name);
  }
}

type Token =
  | { readonly kind: '{' | '}' | '[' | ']' | ':' | ',' }
  | { readonly kind: 'string'; readonly value: string }
  | { readonly kind: 'literal' };

type Field = 'lfns' | 'protocols';
type GrammarState = 'top' | 'first-key' | 'key' | 'colon' | 'value' | 'first-item' | 'item' | 'after-item' | 'after-value' | 'end';

const ESCAPES: Readonly<Record<string, string>> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };
const CONTROL = /[\u0000-\u001f]/;
const MAX_PROTOCOLS = 32;

/**
 * A strict JSON reader for exactly `{"lfns": [string...], "protocols": [string...]}`, fed text as it
 * arrives. Strings are scanned with indexOf between quotes and escapes, so a 40 MB body costs a pass of
 * native searches rather than a JavaScript step per character.
 */
class JsonRankBody implements BodySink {
  readonly #maxNames: number;
  #text = '';
  #pos = 0;
  #inString = false;
  /** Where the next backslash of #text is at or after #pos (#text.length: none); -1 when not looked for yet. */
  #backslash = -1;
  #parts: string[] = [];
  #length = 0;
  #state: GrammarState = 'top';
  #field: Field | undefined;
  readonly #seen = new Set<Field>();
  #names: string[] | undefined;
  #protocols: string[] | undefined;

  constructor(maxNames: number) {
    this.#maxNames = maxNames;
  }

  write(text: string): void {
    this.#text = this.#text.slice(this.#pos) + text;
    this.#pos = 0;
    this.#backslash = -1;
    const s = this.#text;
    while (this.#pos < s.length) {
      if (this.#inString) {
        if (!this.#scanString(s)) return;
        continue;
      }
      const c = s.charCodeAt(this.#pos);
      // space, tab, line feed, carriage return
      if (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d) {
        this.#pos += 1;
        continue;
      }
      const ch = s[this.#pos]!;
      this.#pos += 1;
      switch (ch) {
        case '{':
        case '}':
        case '[':
        case ']':
        case ':':
        case ',':
          this.#token({ kind: ch });
          break;
        case '"':
          this.#inString = true;
          this.#parts = [];
          this.#length = 0;
          break;
        default:
          if (/[-0-9tfn]/.test(ch)) this.#token({ kind: 'literal' });
          else throw new InvalidArgument('the request body is not valid JSON');
      }
    }
  }

  end(): RankBody {
    if (this.#inString || this.#state !== 'end' || this.#pos < this.#text.length) throw new InvalidArgument('the request body is not complete JSON');
    if (this.#names === undefined) throw new InvalidArgument('the request body does not match the API: / missing field "lfns"');
    return { names: this.#names, ...(this.#protocols !== undefined ? { protocols: this.#protocols } : {}) };
  }

  /** Consumes string text up to its closing quote; false when the chunk ended inside it. */
  #scanString(s: string): boolean {
    const quote = s.indexOf('"', this.#pos);
    // Searched again only once passed: most bodies hold no backslash, and looking for one from every
    // string to the end of the text made reading quadratic in the chunk size (a 100,000-name body: 110–175 ms, now 45).
    if (this.#backslash < this.#pos) {
      const next = s.indexOf('\\', this.#pos);
      this.#backslash = next < 0 ? s.length : next;
    }
    const backslash = this.#backslash < s.length ? this.#backslash : -1;
    const stop = quote < 0 ? backslash : backslash < 0 ? quote : Math.min(quote, backslash);
    const run = s.slice(this.#pos, stop < 0 ? s.length : stop);
    if (CONTROL.test(run)) throw new InvalidArgument('the request body is not valid JSON (a control character inside a string)');
    this.#append(run);
    if (stop < 0) {
      this.#pos = s.length;
      return false;
    }
    this.#pos = stop;
    if (stop === quote) {
      this.#pos += 1;
      this.#inString = false;
      const value = this.#parts.length === 1 ? this.#parts[0]! : this.#parts.join('');
      this.#parts = [];
      this.#token({ kind: 'string', value });
      return true;
    }
    // An escape: wait for all of it to arrive.
    const kind = s[stop + 1];
    if (kind === undefined) return false;
    if (kind === 'u') {
      if (stop + 6 > s.length) return false;
      const hex = s.slice(stop + 2, stop + 6);
      if (!/^[0-9a-fA-F]{4}$/.test(hex)) throw new InvalidArgument('the request body is not valid JSON (a bad \\u escape)');
      this.#append(String.fromCharCode(parseInt(hex, 16)));
      this.#pos = stop + 6;
      return true;
    }
    const escaped = ESCAPES[kind];
    if (escaped === undefined) throw new InvalidArgument('the request body is not valid JSON (a bad escape)');
    this.#append(escaped);
    this.#pos = stop + 2;
    return true;
  }

  #append(text: string): void {
    if (text === '') return;
    this.#length += text.length;
    if (this.#length > MAX_NAME_LENGTH) throw new InvalidArgument(`a string in the request body is longer than ${MAX_NAME_LENGTH} characters`);
    this.#parts.push(text);
  }

  #token(token: Token): void {
    const unexpected = () => new InvalidArgument('the request body is not valid JSON');
    switch (this.#state) {
      case 'top':
        if (token.kind !== '{') throw new InvalidArgument('the request body must be a JSON object {"lfns": [...]}');
        this.#state = 'first-key';
        return;
      case 'first-key':
      case 'key':
        if (token.kind === '}' && this.#state === 'first-key') return void (this.#state = 'end');
        if (token.kind !== 'string') throw unexpected();
        if (token.value !== 'lfns' && token.value !== 'protocols') {
          throw new InvalidArgument(`the request body does not match the API: / unknown field ${JSON.stringify(token.value)}`);
        }
        if (this.#seen.has(token.value)) throw new InvalidArgument(`the request body names ${token.value} twice`);
        this.#seen.add(token.value);
        this.#field = token.value;
        this.#state = 'colon';
        return;
      case 'colon':
        if (token.kind !== ':') throw unexpected();
        this.#state = 'value';
        return;
      case 'value':
        if (token.kind !== '[') throw new InvalidArgument(`the request body does not match the API: /${this.#field} must be a list of strings`);
        if (this.#field === 'lfns') this.#names = [];
        else this.#protocols = [];
        this.#state = 'first-item';
        return;
      case 'first-item':
      case 'item':
        if (token.kind === ']' && this.#state === 'first-item') return void (this.#state = 'after-value');
        if (token.kind !== 'string') throw new InvalidArgument(`the request body does not match the API: /${this.#field} must be a list of strings`);
        this.#item(token.value);
        this.#state = 'after-item';
        return;
      case 'after-item':
        if (token.kind === ',') return void (this.#state = 'item');
        if (token.kind === ']') return void (this.#state = 'after-value');
        throw unexpected();
      case 'after-value':
        if (token.kind === ',') return void (this.#state = 'key');
        if (token.kind === '}') return void (this.#state = 'end');
        throw unexpected();
      case 'end':
        throw new InvalidArgument('the request body has data after the JSON object');
    }
  }

  #item(value: string): void {
    if (this.#field === 'lfns') {
      const names = this.#names!;
      if (names.length >= this.#maxNames) throw new LimitExceeded(`too many names (the limit is ${this.#maxNames} per rank request)`);
      names.push(value);
      return;
    }
    const protocols = this.#protocols!;
    if (protocols.length >= MAX_PROTOCOLS) throw new InvalidArgument(`at most ${MAX_PROTOCOLS} protocols`);
    protocols.push(value);
  }
}
