import { Adler32 } from '../../sdk/src';

describe('Adler32', () => {
  it('computes adler32 as grid storage reports it', () => {
    expect(new Adler32().update(Buffer.from('Wikipedia')).hex()).toBe('11e60398');
    expect(new Adler32().hex()).toBe('00000001');
  });

  it('gives the same sum whatever the chunks, past the length where its sums must be reduced', () => {
    const big = Buffer.alloc(100_000, 0xff);
    const split = new Adler32().update(big.subarray(0, 7)).update(big.subarray(7));
    expect(split.hex()).toBe(new Adler32().update(big).hex());
    expect(new Adler32().update(big).hex()).toBe('149a302c');
  });
});
