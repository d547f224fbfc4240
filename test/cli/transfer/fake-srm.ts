import { writeFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { Adler32 } from '@replicat/sdk';
import type { SrmAccess, SrmFileView, SrmRequestView } from '../../../src/cli/transfer/srm-access';

export const adler32 = (bytes: Buffer | string): string => new Adler32().update(Buffer.from(bytes)).hex();

/**
 * An SRM in memory for the transfer engines: SURL → bytes, per-SURL troubles, and a log of every call, so
 * tests can check what was asked in which order and how many at once.
 */
export class FakeSrm implements SrmAccess {
  readonly files = new Map<string, Buffer>();
  /** A SURL answered with this status instead of being pinned. */
  readonly refuse = new Map<string, { status: string; explanation: string }>();
  /** A SURL whose TURL serves other bytes than stored (corruption on disk). */
  readonly corrupt = new Set<string>();
  /** A SURL whose download breaks. */
  readonly broken = new Set<string>();
  /** The next prepare call throws (the SRM is down). */
  down = false;
  readonly calls: { op: string; surls: string[] }[] = [];
  inFlight = 0;
  maxInFlight = 0;
  readonly #requests = new Map<string, SrmFileView[]>();
  #tokens = 0;
  /** Uploads arrive damaged. */
  damageUploads = false;

  async prepareToGet(surls: readonly string[]): Promise<SrmRequestView> {
    this.calls.push({ op: 'prepareToGet', surls: [...surls] });
    if (this.down) throw new Error('connection refused');
    const files = surls.map((surl): SrmFileView => {
      const refusal = this.refuse.get(surl);
      if (refusal !== undefined) return { surl, ...refusal };
      if (!this.files.has(surl)) return { surl, status: 'SRM_INVALID_PATH', explanation: 'no such file' };
      return { surl, status: 'SRM_FILE_PINNED', turl: `fake://${surl}` };
    });
    return this.#open(files);
  }

  async prepareToPut(files: readonly { surl: string; lfn: string }[]): Promise<SrmRequestView> {
    this.calls.push({ op: 'prepareToPut', surls: files.map((f) => f.surl) });
    if (this.down) throw new Error('connection refused');
    return this.#open(
      files.map(({ surl }): SrmFileView => {
        const refusal = this.refuse.get(surl);
        if (refusal !== undefined) return { surl, ...refusal };
        return { surl, status: 'SRM_SPACE_AVAILABLE', turl: `fake://${surl}` };
      }),
    );
  }

  async waitUntilReady(token: string): Promise<SrmRequestView> {
    return { token, status: 'SRM_SUCCESS', files: this.#requests.get(token)! };
  }

  async putDone(token: string, surls?: readonly string[]): Promise<SrmRequestView> {
    this.calls.push({ op: 'putDone', surls: [...(surls ?? [])] });
    const files = this.#requests.get(token)!.map((f): SrmFileView => {
      if (surls !== undefined && !surls.includes(f.surl)) return f;
      const bytes = this.files.get(f.surl);
      if (bytes === undefined) return { surl: f.surl, status: 'SRM_INVALID_PATH', explanation: 'nothing was uploaded' };
      return { surl: f.surl, status: 'SRM_SUCCESS', size: bytes.length, checksum: { type: 'adler32', value: adler32(bytes) } };
    });
    this.#requests.set(token, files);
    return { token, status: 'SRM_SUCCESS', files };
  }

  async release(token: string): Promise<unknown> {
    this.calls.push({ op: 'release', surls: this.#requests.get(token)!.map((f) => f.surl) });
    return undefined;
  }

  async abort(token: string): Promise<unknown> {
    this.calls.push({ op: 'abort', surls: this.#requests.get(token)!.map((f) => f.surl) });
    return undefined;
  }

  async rm(surls: readonly string[]): Promise<SrmFileView[]> {
    this.calls.push({ op: 'rm', surls: [...surls] });
    for (const surl of surls) this.files.delete(surl);
    return surls.map((surl) => ({ surl, status: 'SRM_SUCCESS' }));
  }

  async download(turl: string, destination: string, options?: { onBytes?: (n: number) => void }): Promise<{ size: number; adler32: string }> {
    return this.#transfer(turl, async (surl) => {
      if (this.broken.has(surl)) {
        options?.onBytes?.(3);
        throw new Error('connection reset');
      }
      let bytes = this.files.get(surl)!;
      if (this.corrupt.has(surl)) bytes = Buffer.concat([bytes.subarray(0, Math.max(0, bytes.length - 1)), Buffer.from('X')]);
      await writeFile(destination, bytes);
      options?.onBytes?.(bytes.length);
      return { size: bytes.length, adler32: adler32(bytes) };
    });
  }

  async upload(turl: string, source: string, options?: { onBytes?: (n: number) => void }): Promise<{ size: number; adler32: string }> {
    return this.#transfer(turl, async (surl) => {
      if (this.broken.has(surl)) throw new Error('connection reset');
      const bytes = readFileSync(source);
      this.files.set(surl, this.damageUploads ? Buffer.concat([bytes, Buffer.from('!')]) : bytes);
      options?.onBytes?.(bytes.length);
      return { size: bytes.length, adler32: adler32(bytes) };
    });
  }

  /** One transfer of a TURL's SURL, counted while in flight (tests check the parallel limit), after a short wait. */
  async #transfer<T>(turl: string, work: (surl: string) => Promise<T>): Promise<T> {
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    try {
      await new Promise((resolve) => setTimeout(resolve, 2));
      return await work(turl.slice('fake://'.length));
    } finally {
      this.inFlight--;
    }
  }

  #open(files: SrmFileView[]): SrmRequestView {
    const token = String(++this.#tokens).padStart(32, '0');
    this.#requests.set(token, files);
    return { token, status: 'SRM_SUCCESS', files };
  }
}
