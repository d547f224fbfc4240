/**
 * Natural order of names: runs of digits compare by their value, the rest by bytes, so run files list as
 * `f1, f2, f10, f1001, f10001` (GNU `ls -v`, `sort -V`), not `f1, f10, f10001, f1001, f2`. Equal values with
 * different zero padding (`f01`, `f1`) fall back to byte order, so the order is total.
 *
 * ```ts
 * names.sort(compareNatural);
 * ```
 */
export function compareNatural(a: string, b: string): number {
  const left = a.match(RUNS) ?? [];
  const right = b.match(RUNS) ?? [];
  for (let i = 0; i < Math.min(left.length, right.length); i++) {
    const x = left[i]!;
    const y = right[i]!;
    const order = isDigits(x) && isDigits(y) ? compareDigits(x, y) : compareBytes(x, y);
    if (order !== 0) return order;
  }
  return left.length - right.length || compareBytes(a, b);
}

/** Byte order of UTF-16 code units, as the service sorts names (the JavaScript default, made explicit). */
export function compareBytes(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

const RUNS = /\d+|\D+/g;

function isDigits(run: string): boolean {
  return run.charCodeAt(0) >= 48 && run.charCodeAt(0) <= 57;
}

function compareDigits(x: string, y: string): number {
  const a = x.replace(/^0+(?=\d)/, '');
  const b = y.replace(/^0+(?=\d)/, '');
  return a.length - b.length || compareBytes(a, b);
}
