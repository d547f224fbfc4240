/**
 * A fast parser for PostgreSQL `timestamptz` text in UTC (`2026-11-26 05:26:44.619512+00`), the form the
 * server sends when the session time zone is UTC. Bulk answers carry two timestamps per row, and the
 * general parser's regular expressions were the largest single cost of reading 10,000 rows.
 * Anything else (infinity, BC, other offsets) goes to the general parser.
 */
export function makeTimestampParser(general: (text: string) => unknown): (text: string) => unknown {
  // Rows written by one transaction share their timestamps (now() is the transaction's start), so a
  // bulk answer repeats the same text thousands of times: remember the last one.
  let lastText = '';
  let lastMs = 0;
  return (text) => {
    if (text === lastText) return new Date(lastMs);
    const parsed = parseUtc(text, general);
    if (parsed instanceof Date) {
      lastText = text;
      lastMs = parsed.getTime();
    }
    return parsed;
  };
}

function parseUtc(text: string, general: (text: string) => unknown): unknown {
  // YYYY-MM-DD HH:MM:SS[.f{1,6}]+00
  if (text.length < 22 || !text.endsWith('+00') || text.charCodeAt(4) !== 45 || text.charCodeAt(10) !== 32) {
    return general(text);
  }
  const year = digits(text, 0, 4);
  const month = digits(text, 5, 7);
  const day = digits(text, 8, 10);
  const hour = digits(text, 11, 13);
  const minute = digits(text, 14, 16);
  const second = digits(text, 17, 19);
  let ms = 0;
  const end = text.length - 3;
  if (end > 19) {
    if (text.charCodeAt(19) !== 46) return general(text);
    // Milliseconds: the first three fraction digits, as many as there are, scaled up.
    const stop = Math.min(end, 23);
    ms = digits(text, 20, stop);
    for (let k = stop; k < 23; k++) ms *= 10;
  }
  if (year < 0 || month < 0 || day < 0 || hour < 0 || minute < 0 || second < 0 || ms < 0) return general(text);
  return new Date(Date.UTC(year, month - 1, day, hour, minute, second, ms));
}

function digits(text: string, from: number, to: number): number {
  let value = 0;
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return -1;
    value = value * 10 + c;
  }
  return value;
}
