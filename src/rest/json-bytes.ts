/**
 * JSON text written straight into a Buffer as UTF-8, for answers of a million lines (an NDJSON directory
 * listing). Built as strings, each line was some twenty intermediate strings, then a joined chunk, then
 * that chunk encoded again into bytes by the socket write: most of what the service allocated, and
 * collected, per entry. Here the bytes are written once, and nothing is allocated but the chunk.
 */
export class JsonBytes {
  readonly #capacity: number;
  #buffer: Buffer;
  #length = 0;

  /** `capacity`: bytes of a fresh chunk; one grows when a line does not fit. */
  constructor(capacity: number) {
    this.#capacity = capacity;
    this.#buffer = Buffer.allocUnsafeSlow(capacity);
  }

  /** Bytes written and not taken yet. */
  get length(): number {
    return this.#length;
  }

  /**
   * Text known to be ASCII with nothing to escape, written as it is: the fixed parts of a line, GUIDs,
   * numbers, ISO times. Anything else must go through `string`.
   */
  ascii(text: string): void {
    this.#reserve(text.length);
    const buffer = this.#buffer;
    let at = this.#length;
    for (let i = 0; i < text.length; i++) buffer[at++] = text.charCodeAt(i);
    this.#length = at;
  }

  /** `text` as a JSON string, quotes and escapes exactly as `JSON.stringify` writes them. */
  string(text: string): void {
    this.#reserve(text.length + 2);
    const buffer = this.#buffer;
    let at = this.#length;
    buffer[at++] = 0x22;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      // Quote, backslash, control characters and anything beyond ASCII take the general way.
      if (c < 0x20 || c === 0x22 || c === 0x5c || c >= 0x80) {
        this.#utf8(JSON.stringify(text));
        return;
      }
      buffer[at++] = c;
    }
    buffer[at++] = 0x22;
    this.#length = at;
  }

  /** The bytes written so far; the next ones go to a fresh chunk, since the socket may still hold this one. */
  take(): Buffer {
    const taken = this.#buffer.subarray(0, this.#length);
    this.#buffer = Buffer.allocUnsafeSlow(this.#capacity);
    this.#length = 0;
    return taken;
  }

  /** Any text as UTF-8, as `Buffer.from(text, 'utf8')` encodes it (a lone surrogate becomes U+FFFD). */
  #utf8(text: string): void {
    this.#reserve(text.length * 3);
    const buffer = this.#buffer;
    let at = this.#length;
    for (let i = 0; i < text.length; i++) {
      let c = text.charCodeAt(i);
      if (c < 0x80) {
        buffer[at++] = c;
        continue;
      }
      if (c < 0x800) {
        buffer[at++] = 0xc0 | (c >> 6);
        buffer[at++] = 0x80 | (c & 0x3f);
        continue;
      }
      if (c >= 0xd800 && c <= 0xdfff) {
        const low = i + 1 < text.length ? text.charCodeAt(i + 1) : 0;
        if (c <= 0xdbff && low >= 0xdc00 && low <= 0xdfff) {
          c = 0x10000 + ((c - 0xd800) << 10) + (low - 0xdc00);
          i++;
          buffer[at++] = 0xf0 | (c >> 18);
          buffer[at++] = 0x80 | ((c >> 12) & 0x3f);
          buffer[at++] = 0x80 | ((c >> 6) & 0x3f);
          buffer[at++] = 0x80 | (c & 0x3f);
          continue;
        }
        c = 0xfffd;
      }
      buffer[at++] = 0xe0 | (c >> 12);
      buffer[at++] = 0x80 | ((c >> 6) & 0x3f);
      buffer[at++] = 0x80 | (c & 0x3f);
    }
    this.#length = at;
  }

  /** Room for `bytes` more: a line longer than what is left moves the chunk to a larger buffer. */
  #reserve(bytes: number): void {
    if (this.#length + bytes <= this.#buffer.length) return;
    const larger = Buffer.allocUnsafeSlow(Math.max(this.#buffer.length * 2, this.#length + bytes));
    this.#buffer.copy(larger, 0, 0, this.#length);
    this.#buffer = larger;
  }
}
