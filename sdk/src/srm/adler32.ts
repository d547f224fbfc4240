const MOD = 65521;
// The largest n such that 255·n·(n+1)/2 + (n+1)·(MOD−1) fits in 2^32−1 (zlib's NMAX): the sums may
// run that long between reductions.
const NMAX = 5552;

/**
 * Adler-32 (RFC 1950) computed over chunks as they arrive, as grid storage reports it: 8 lower-case hex
 * digits.
 *
 * ```ts
 * const sum = new Adler32(); sum.update(Buffer.from('Wikipedia')); sum.hex() // '11e60398'
 * ```
 */
export class Adler32 {
  #a = 1;
  #b = 0;

  update(chunk: Uint8Array): this {
    let a = this.#a;
    let b = this.#b;
    for (let start = 0; start < chunk.length; start += NMAX) {
      const end = Math.min(chunk.length, start + NMAX);
      for (let i = start; i < end; i++) {
        a += chunk[i]!;
        b += a;
      }
      a %= MOD;
      b %= MOD;
    }
    this.#a = a;
    this.#b = b;
    return this;
  }

  hex(): string {
    return ((this.#b * 65536 + this.#a) >>> 0).toString(16).padStart(8, '0');
  }
}
