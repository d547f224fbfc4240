import type { PlaceableSe } from '../../core/storage/storage-directory';
import { StorageDirectory } from '../../core/storage/storage-directory';

/** An SE as the registry lists it, with what choosing among replicas needs. */
export interface RegisteredSe extends PlaceableSe {
  readonly status: 'online' | 'readonly' | 'offline';
  readonly nearline: boolean;
  readonly protocols: readonly { readonly scheme: string }[];
}

/** One replica worth trying: its SURL, the SE it is on, and the SRM that serves that SE. */
export interface Candidate {
  readonly surl: string;
  readonly se: string;
  readonly srm: string;
}

/** A replica left out, and why (reported when no replica works). */
export interface Skipped {
  readonly surl: string;
  readonly reason: string;
}

export interface ChoiceRules {
  /** SE names to try first, in this order (`--se`); other SEs follow. */
  readonly preferredSes: readonly string[];
  /** Protocols the client can use (`--protocol`); an SE offering none of them is skipped. Empty: any. */
  readonly protocols: readonly string[];
  /** The SRM of an SE, or undefined when none is configured for it. */
  readonly srmOf: (se: string) => string | undefined;
}

/**
 * The order in which a file's replicas are tried, the way a grid client chooses: replicas on SEs that
 * cannot serve them now (offline, unregistered, no SRM known, no usable protocol) are skipped with a
 * reason; the rest go preferred SEs first, then disk before tape (nearline SEs make the job wait for
 * staging), then the master replica, then by SURL so that the same input always gives the same order.
 */
export function orderReplicas(
  replicas: readonly { readonly surl: string; readonly master: boolean }[],
  directory: StorageDirectory<RegisteredSe>,
  rules: ChoiceRules,
): { candidates: Candidate[]; skipped: Skipped[] } {
  const skipped: Skipped[] = [];
  const ranked: { candidate: Candidate; key: readonly number[] }[] = [];
  for (const replica of replicas) {
    let se: RegisteredSe | undefined;
    try {
      se = directory.locate(replica.surl);
    } catch {
      skipped.push({ surl: replica.surl, reason: 'not a SURL' });
      continue;
    }
    if (se === undefined) {
      skipped.push({ surl: replica.surl, reason: 'on a storage element the registry does not know' });
      continue;
    }
    if (se.status === 'offline') {
      skipped.push({ surl: replica.surl, reason: `storage element ${se.name} is offline` });
      continue;
    }
    if (rules.protocols.length > 0 && !se.protocols.some((p) => rules.protocols.includes(p.scheme))) {
      skipped.push({ surl: replica.surl, reason: `storage element ${se.name} offers none of ${rules.protocols.join(', ')}` });
      continue;
    }
    const srm = rules.srmOf(se.name);
    if (srm === undefined) {
      skipped.push({ surl: replica.surl, reason: `no SRM given for storage element ${se.name} (--srm ${se.name}=URL)` });
      continue;
    }
    const preference = rules.preferredSes.indexOf(se.name);
    ranked.push({
      candidate: { surl: replica.surl, se: se.name, srm },
      key: [preference === -1 ? rules.preferredSes.length : preference, se.nearline ? 1 : 0, replica.master ? 0 : 1],
    });
  }
  ranked.sort((a, b) => compareKeys(a.key, b.key) || (a.candidate.surl < b.candidate.surl ? -1 : a.candidate.surl > b.candidate.surl ? 1 : 0));
  return { candidates: ranked.map((r) => r.candidate), skipped };
}

export function seDirectory(ses: readonly RegisteredSe[]): StorageDirectory<RegisteredSe> {
  return new StorageDirectory(ses);
}

function compareKeys(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return 0;
}
