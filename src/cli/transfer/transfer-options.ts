import { UsageError } from '../exit-codes';
import { commaList } from '../option-values';

/** The TURL schemes get and put can move bytes over (the SDK's SrmClient speaks HTTP). */
export const TRANSFER_PROTOCOLS: readonly string[] = ['https', 'http'];

/** `--protocol` of get and put: schemes this client speaks, best first; none given, all of them. */
export function chooseProtocols(given: readonly string[]): string[] {
  const protocols = commaList(...given);
  const unusable = protocols.filter((p) => !TRANSFER_PROTOCOLS.includes(p));
  if (unusable.length > 0) throw new UsageError(`--protocol ${unusable.join(',')}: this client speaks ${TRANSFER_PROTOCOLS.join(', ')}`);
  return protocols.length > 0 ? protocols : [...TRANSFER_PROTOCOLS];
}
