import { describeStatus, messageOf, srmFailureCode, type SrmAccess, type SrmFileView } from './srm-access';

/** A local file to store on an SE and register in the catalog under `lfn`. */
export interface PutItem {
  readonly source: string;
  readonly size: number;
  readonly lfn: string;
  readonly surl: string;
}

export type PutFailureCode = 'Refused' | 'ChecksumMismatch' | 'TransferFailed' | 'Unreachable';

export interface PutOutcome {
  readonly source: string;
  readonly lfn: string;
  readonly surl: string;
  readonly ok: boolean;
  readonly size?: number;
  readonly adler32?: string;
  readonly error?: { readonly code: PutFailureCode; readonly message: string };
}

export interface PutSettings {
  readonly srm: SrmAccess;
  readonly parallel: number;
  readonly batch: number;
  readonly protocols: readonly string[];
  readonly onBytes?: (n: number) => void;
  readonly onOutcome?: (outcome: PutOutcome) => void | Promise<void>;
}

/**
 * Stores files through one SRM, `batch` at a time: prepareToPut reserves a TURL per file, the bytes are
 * PUT (`parallel` at once, adler32 computed on the way), putDone has the SRM compute size and adler32 of
 * what arrived and register file and replica in the catalog. The SRM's checksum must equal the one computed
 * here, else the bytes were damaged in transit: the replica is removed again and the file reported.
 * Uploads that failed are aborted so their space is not held until it expires.
 */
export async function putFiles(items: readonly PutItem[], settings: PutSettings): Promise<PutOutcome[]> {
  const outcomes = new Map<PutItem, PutOutcome>();
  const finish = async (item: PutItem, outcome: Omit<PutOutcome, 'source' | 'lfn' | 'surl'>): Promise<void> => {
    const full = { source: item.source, lfn: item.lfn, surl: item.surl, ...outcome };
    outcomes.set(item, full);
    await settings.onOutcome?.(full);
  };
  for (let i = 0; i < items.length; i += settings.batch) {
    await putBatch(items.slice(i, i + settings.batch), settings, finish);
  }
  return items.map((item) => outcomes.get(item)!);
}

async function putBatch(
  batch: readonly PutItem[],
  settings: PutSettings,
  finish: (item: PutItem, outcome: Omit<PutOutcome, 'source' | 'lfn' | 'surl'>) => Promise<void>,
): Promise<void> {
  const { srm } = settings;
  let prepared;
  try {
    prepared = await srm.prepareToPut(
      batch.map((item) => ({ surl: item.surl, lfn: item.lfn })),
      settings.protocols.length > 0 ? { protocols: settings.protocols } : {},
    );
  } catch (error) {
    for (const item of batch) await finish(item, { ok: false, error: { code: srmFailureCode(error, 'TransferFailed'), message: `the SRM did not answer: ${messageOf(error)}` } });
    return;
  }
  const uploaded = new Map<PutItem, string>();
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < batch.length) {
      const index = next++;
      const item = batch[index]!;
      const slot = prepared.files[index];
      if (slot === undefined || slot.surl !== item.surl) {
        await finish(item, { ok: false, error: { code: 'TransferFailed', message: 'the SRM did not answer for this SURL' } });
        continue;
      }
      if (slot.status !== 'SRM_SPACE_AVAILABLE' || slot.turl === undefined) {
        await finish(item, { ok: false, error: { code: 'Refused', message: describeStatus(slot) } });
        continue;
      }
      let sent = 0;
      try {
        const result = await srm.upload(slot.turl, item.source, {
          size: item.size,
          onBytes: (n) => {
            sent += n;
            settings.onBytes?.(n);
          },
        });
        uploaded.set(item, result.adler32);
      } catch (error) {
        settings.onBytes?.(-sent);
        await finish(item, { ok: false, error: { code: 'TransferFailed', message: `upload failed: ${messageOf(error)}` } });
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(settings.parallel, batch.length) }, worker));

  if (uploaded.size > 0) {
    let done;
    try {
      done = await srm.putDone(prepared.token, [...uploaded.keys()].map((item) => item.surl));
    } catch (error) {
      for (const item of uploaded.keys()) await finish(item, { ok: false, error: { code: 'TransferFailed', message: `putDone failed: ${messageOf(error)}` } });
      await srm.abort(prepared.token).catch(() => undefined);
      return;
    }
    const bySurl = new Map<string, SrmFileView>(done.files.map((f) => [f.surl, f]));
    const damaged: PutItem[] = [];
    for (const [item, localAdler] of uploaded) {
      const file = bySurl.get(item.surl);
      if (file === undefined || file.status !== 'SRM_SUCCESS') {
        await finish(item, { ok: false, error: { code: 'Refused', message: file === undefined ? 'no answer from putDone' : describeStatus(file) } });
        continue;
      }
      const arrived = file.checksum?.value.toLowerCase();
      if (arrived !== localAdler.toLowerCase() || file.size !== item.size) {
        damaged.push(item);
        await finish(item, {
          ok: false,
          error: { code: 'ChecksumMismatch', message: `the SE received ${file.size} bytes with adler32 ${arrived}, sent ${item.size} with ${localAdler}: removed again` },
        });
        continue;
      }
      await finish(item, { ok: true, size: item.size, adler32: localAdler });
    }
    if (damaged.length > 0) await srm.rm(damaged.map((item) => item.surl)).catch(() => undefined);
  }
  if (uploaded.size < batch.length) await srm.abort(prepared.token).catch(() => undefined);
}
