import { UsageError } from './exit-codes';

/** commander's collector for an option given several times (`--se a --se b`). */
export function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** A whole number above 0 from an option's text, or a usage error naming the option. */
export function positiveInteger(name: string, text: string): number {
  const n = Number(text);
  if (!Number.isSafeInteger(n) || n < 1) throw new UsageError(`${name} ${text}: give a whole number above 0`);
  return n;
}

/** The items of comma-separated lists (`a,b`, options given several times, REPLICAT_SRM), blanks dropped. */
export function commaList(...texts: readonly (string | undefined)[]): string[] {
  return texts.flatMap((text) =>
    (text ?? '')
      .split(',')
      .map((item) => item.trim())
      .filter((item) => item !== ''),
  );
}
