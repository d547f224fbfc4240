import { UsageError } from '../exit-codes';

/** The TURL schemes get and put can move bytes over (the SDK's SrmClient speaks HTTP). */
export const TRANSFER_PROTOCOLS: readonly string[] = ['https', 'http'];

/** commander's collector for an option given several times. */
export function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

export function positiveInteger(name: string, text: string): number {
  const n = Number(text);
  if (!Number.isSafeInteger(n) || n < 1) throw new UsageError(`${name} ${text}: give a whole number above 0`);
  return n;
}
