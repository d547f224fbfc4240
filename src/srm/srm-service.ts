import { randomBytes } from 'node:crypto';
import { StorageDirectory } from '../core/storage/storage-directory';
import { expandTurl, surlPath } from '../core/storage/turl-template';
import type { CatalogOutcome, SeDefinition, SrmCaller, SrmCatalog } from './srm-catalog';
import { isFinal, requestStatus, type SrmStatusCode } from './srm-status';
import { OutsideArea, StorageArea } from './storage-area';
import { canonicalSePath, isSignedScheme, TurlSigner } from './turl-signer';

export interface SrmSettings {
  /** The SEs this SRM serves: registry name → local directory holding their bytes. */
  readonly ses: ReadonlyMap<string, string>;
  /** How long a nearline SE takes to stage a file to disk, as tape does. */
  readonly stagingDelayMs: number;
  /** How long a TURL of a get stays pinned when the client does not ask, and the most it may ask. */
  readonly pinLifetimeMs: number;
  readonly maxPinLifetimeMs: number;
  /** How long a put's TURL accepts bytes. */
  readonly putLifetimeMs: number;
  /** Finished requests are forgotten this long after they were made. */
  readonly requestRetentionMs: number;
  /** The clock; tests move it by hand. */
  readonly now?: () => number;
  /**
   * Signs the TURLs handed out (`turl-signer.ts`): with the secret shared with storage processes, or, when
   * absent, a secret made up now (then only this process can serve the bytes).
   */
  readonly signer?: TurlSigner;
}

export interface FileStatus {
  readonly surl: string;
  readonly status: SrmStatusCode;
  readonly explanation?: string;
  readonly turl?: string;
  readonly size?: number;
  readonly checksum?: { readonly type: 'adler32'; readonly value: string };
  /** Seconds left on the pin (gets) or on the space (puts). */
  readonly remainingLifetime?: number;
  /** Seconds until a queued file should be ready. */
  readonly estimatedWaitTime?: number;
}

export interface RequestStatus {
  readonly token: string;
  readonly kind: 'get' | 'put';
  readonly status: SrmStatusCode;
  readonly files: readonly FileStatus[];
}

export interface GetRequest {
  readonly surls: readonly string[];
  /** Transfer protocols the client can use, best first; absent: the SE's first. */
  readonly protocols?: readonly string[];
  readonly pinLifetimeSeconds?: number;
}

export interface PutRequest {
  /** Each SURL with the LFN its file gets in the catalog when the upload is done. */
  readonly files: readonly { readonly surl: string; readonly lfn: string }[];
  readonly protocols?: readonly string[];
}

interface Slot {
  readonly surl: string;
  status: SrmStatusCode;
  explanation?: string;
  se?: string;
  /** The file's path on its SE (`/dpm/vo/f1`): what its TURL's signature names. */
  path?: string;
  file?: string;
  turl?: string;
  lfn?: string;
  readyAt?: number;
  /** How long the pin lasts once the file is ready (gets). */
  pinMs?: number;
  expiresAt?: number;
  size?: number;
  adler32?: string;
}

interface SrmRequest {
  readonly token: string;
  readonly kind: 'get' | 'put';
  readonly owner: string;
  readonly created: number;
  readonly files: Slot[];
  aborted: boolean;
}

interface Placed {
  readonly se: SeDefinition;
  readonly area: StorageArea;
  readonly path: string;
  readonly file: string;
}

/**
 * The SRM v2.2 request state machine of the mock SRM, free of HTTP: asynchronous gets and puts with
 * request tokens, staging on nearline SEs, pins that expire, and the catalog (through `SrmCatalog`)
 * deciding who may read and recording what was written.
 *
 * A get: QUEUED (nearline, until staged) → FILE_PINNED with a TURL → RELEASED, or FILE_LIFETIME_EXPIRED
 * when the pin runs out, or ABORTED. A put: SPACE_AVAILABLE with a TURL to PUT to → SUCCESS at putDone
 * (size and adler32 computed from the bytes, the replica registered), or ABORTED / FILE_LIFETIME_EXPIRED.
 */
export class SrmService {
  readonly #settings: SrmSettings;
  readonly #catalog: SrmCatalog;
  readonly #areas = new Map<string, StorageArea>();
  readonly #requests = new Map<string, SrmRequest>();
  readonly #now: () => number;
  readonly #signer: TurlSigner;

  constructor(settings: SrmSettings, catalog: SrmCatalog) {
    this.#settings = settings;
    this.#catalog = catalog;
    this.#now = settings.now ?? Date.now;
    this.#signer = settings.signer ?? TurlSigner.random(this.#now);
    for (const [name, root] of settings.ses) this.#areas.set(name, new StorageArea(root));
  }

  ping(): { versionInfo: string; backendType: string; ses: string[] } {
    return { versionInfo: 'v2.2', backendType: 'replicat mock SRM', ses: [...this.#settings.ses.keys()] };
  }

  /** What is on disk behind each SURL, for files the caller may read in the catalog. */
  async ls(caller: SrmCaller, surls: readonly string[]): Promise<FileStatus[]> {
    const directory = await this.#directory(caller);
    const placed = surls.map((surl) => this.#place(directory, surl));
    const denied = await this.#readDenied(caller, surls.filter((_, i) => !('status' in placed[i]!)));
    return mapLimited(surls, DISK_CONCURRENCY, async (surl, i): Promise<FileStatus> => {
      const where = placed[i]!;
      if ('status' in where) return { surl, ...where };
      const refusal = denied.get(surl);
      if (refusal) return { surl, ...refusal };
      const digest = await where.area.digest(where.file);
      if (digest === undefined) return { surl, status: 'SRM_INVALID_PATH', explanation: 'no such file on this SE' };
      return { surl, status: 'SRM_SUCCESS', size: digest.size, checksum: { type: 'adler32', value: digest.adler32 } };
    });
  }

  async prepareToGet(caller: SrmCaller, request: GetRequest): Promise<RequestStatus> {
    const directory = await this.#directory(caller);
    const now = this.#now();
    const pinMs = Math.min(
      request.pinLifetimeSeconds === undefined ? this.#settings.pinLifetimeMs : request.pinLifetimeSeconds * 1000,
      this.#settings.maxPinLifetimeMs,
    );
    // What the SRM can tell by itself first; the catalog is asked once, for the SURLs that remain.
    const candidates = request.surls.map((surl): Slot | { surl: string; placed: Placed; turl: string } => {
      const placed = this.#place(directory, surl);
      if ('status' in placed) return { surl, ...placed };
      if (placed.se.status === 'offline') return { surl, status: 'SRM_FILE_UNAVAILABLE', explanation: `storage element ${placed.se.name} is offline` };
      const turl = this.#turl(placed.se, surl, request.protocols);
      if (turl === undefined) return { surl, status: 'SRM_NOT_SUPPORTED', explanation: 'none of the requested protocols is offered' };
      return { surl, placed, turl };
    });
    const denied = await this.#readDenied(caller, candidates.flatMap((c) => ('placed' in c ? [c.surl] : [])));
    const files = await mapLimited(candidates, DISK_CONCURRENCY, async (candidate): Promise<Slot> => {
      if (!('placed' in candidate)) return candidate;
      const { surl, placed, turl } = candidate;
      const refusal = denied.get(surl);
      if (refusal) return { surl, ...refusal };
      if ((await placed.area.size(placed.file)) === undefined) return { surl, status: 'SRM_INVALID_PATH', explanation: 'no such file on this SE' };
      const slot: Slot = { surl, se: placed.se.name, path: placed.path, file: placed.file, turl, status: 'SRM_REQUEST_QUEUED', pinMs };
      if (placed.se.nearline) slot.readyAt = now + this.#settings.stagingDelayMs;
      else pin(slot, now, pinMs);
      return slot;
    });
    return this.#open(caller, 'get', files);
  }

  async prepareToPut(caller: SrmCaller, request: PutRequest): Promise<RequestStatus> {
    const directory = await this.#directory(caller);
    const now = this.#now();
    const busy = new Set(this.#active('put').map((slot) => slot.file));
    // One file after the other: two files of one request naming one SURL must see each other.
    const files: Slot[] = [];
    for (const { surl, lfn } of request.files) files.push(await this.#reserve(directory, busy, now, surl, lfn, request.protocols));
    return this.#open(caller, 'put', files);
  }

  async #reserve(
    directory: StorageDirectory<SeDefinition>,
    busy: Set<string | undefined>,
    now: number,
    surl: string,
    lfn: string,
    protocols: readonly string[] | undefined,
  ): Promise<Slot> {
    const placed = this.#place(directory, surl);
    if ('status' in placed) return { surl, ...placed };
    if (placed.se.status !== 'online') return { surl, status: 'SRM_FAILURE', explanation: `storage element ${placed.se.name} is ${placed.se.status}: no writes` };
    const turl = this.#turl(placed.se, surl, protocols);
    if (turl === undefined) return { surl, status: 'SRM_NOT_SUPPORTED', explanation: 'none of the requested protocols is offered' };
    if (busy.has(placed.file)) return { surl, status: 'SRM_FILE_BUSY', explanation: 'another put of this SURL is under way' };
    if ((await placed.area.size(placed.file)) !== undefined) return { surl, status: 'SRM_DUPLICATION_ERROR', explanation: 'the file exists on this SE' };
    busy.add(placed.file);
    return { surl, lfn, se: placed.se.name, path: placed.path, file: placed.file, turl, status: 'SRM_SPACE_AVAILABLE', expiresAt: now + this.#settings.putLifetimeMs };
  }

  /** The request as it stands now: staged files become pinned, pins and spaces past their time expire. */
  status(caller: SrmCaller, token: string): RequestStatus {
    return this.#describe(this.#owned(caller, token));
  }

  /**
   * The uploads of a put are complete: for each, size and adler32 are computed from the bytes on disk and the
   * replica is registered in the catalog under the LFN given at prepareToPut. Bytes the catalog refuses are
   * removed again, so the SE never keeps what the catalog does not know.
   */
  async putDone(caller: SrmCaller, token: string, surls?: readonly string[]): Promise<RequestStatus> {
    const request = this.#owned(caller, token, 'put');
    const slots = this.#selected(request, surls).filter((slot) => slot.status === 'SRM_SPACE_AVAILABLE');
    const digests = await mapLimited(slots, DISK_CONCURRENCY, (slot) => this.#areas.get(slot.se!)!.digest(slot.file!));
    const arrived: Slot[] = [];
    slots.forEach((slot, i) => {
      const digest = digests[i];
      if (digest === undefined) return setStatus(slot, 'SRM_INVALID_PATH', 'nothing was uploaded to the TURL');
      slot.size = digest.size;
      slot.adler32 = digest.adler32;
      arrived.push(slot);
    });
    const outcomes = await this.#catalog.registerReplicas(
      caller,
      arrived.map((slot) => ({ lfn: slot.lfn!, surl: slot.surl, size: slot.size!, adler32: slot.adler32! })),
    );
    await mapLimited(arrived, DISK_CONCURRENCY, async (slot, i) => {
      const outcome = outcomes[i]!;
      if (outcome.ok) return setStatus(slot, 'SRM_SUCCESS');
      // The SE never keeps bytes the catalog does not know.
      await this.#areas.get(slot.se!)!.remove(slot.file!);
      const code: SrmStatusCode = outcome.reason === 'forbidden' ? 'SRM_AUTHORIZATION_FAILURE' : outcome.reason === 'exists' ? 'SRM_DUPLICATION_ERROR' : 'SRM_FAILURE';
      setStatus(slot, code, `the catalog refused the replica: ${outcome.message}`);
    });
    return this.#describe(request);
  }

  /** Unpins the files of a get (all, or the SURLs given). */
  releaseFiles(caller: SrmCaller, token: string, surls?: readonly string[]): RequestStatus {
    const request = this.#owned(caller, token, 'get');
    for (const slot of this.#selected(request, surls)) {
      if (slot.status === 'SRM_FILE_PINNED') setStatus(slot, 'SRM_RELEASED');
    }
    return this.#describe(request);
  }

  /** Stops a request: files not finished are aborted; bytes half-uploaded to a put are removed. */
  async abort(caller: SrmCaller, token: string): Promise<RequestStatus> {
    const request = this.#owned(caller, token);
    for (const slot of request.files) {
      if (isFinal(slot.status)) continue;
      if (request.kind === 'put' && slot.file !== undefined) await this.#areas.get(slot.se!)!.remove(slot.file);
      setStatus(slot, 'SRM_ABORTED');
    }
    request.aborted = true;
    return this.#describe(request);
  }

  /** Removes files: the catalog forgets the replica first (it decides whether the caller may), then the bytes go. */
  async rm(caller: SrmCaller, surls: readonly string[]): Promise<FileStatus[]> {
    const directory = await this.#directory(caller);
    const placed = surls.map((surl) => this.#place(directory, surl));
    const here = surls.filter((_, i) => !('status' in placed[i]!));
    const outcomes = new Map<string, CatalogOutcome>();
    (await this.#catalog.unregisterReplicas(caller, here)).forEach((outcome, i) => outcomes.set(here[i]!, outcome));
    // One after the other: a SURL named twice is removed once and reported gone the second time.
    const out: FileStatus[] = [];
    for (const [i, surl] of surls.entries()) {
      const where = placed[i]!;
      if ('status' in where) {
        out.push({ surl, ...where });
        continue;
      }
      const outcome = outcomes.get(surl)!;
      // Bytes the catalog does not show this caller (not registered, or a file they may not see) are left
      // alone: the catalog answers both alike, and only a registered replica the caller may remove says who may.
      if (!outcome.ok) {
        const status = outcome.reason === 'forbidden' ? 'SRM_AUTHORIZATION_FAILURE' : outcome.reason === 'unknown' ? 'SRM_INVALID_PATH' : 'SRM_FAILURE';
        out.push({ surl, status, explanation: outcome.message });
        continue;
      }
      await where.area.remove(where.file);
      out.push({ surl, status: 'SRM_SUCCESS' });
    }
    return out;
  }

  /**
   * May the bytes of `file` on SE `se` be served (a TURL of a pinned get) or written (a TURL of a put with
   * space available)? With `token`, only that request's files count: a signed TURL names its request, so
   * releasing or aborting it ends the TURL even while another request pins the same file. A TURL is a
   * capability: whoever holds it may use it while it is valid.
   */
  mayAccess(se: string, file: string, access: 'read' | 'write', token?: string): boolean {
    const kind = access === 'read' ? 'get' : 'put';
    const wanted: SrmStatusCode = access === 'read' ? 'SRM_FILE_PINNED' : 'SRM_SPACE_AVAILABLE';
    let slots: Slot[];
    if (token === undefined) slots = this.#active(kind);
    else {
      const request = this.#requests.get(token);
      if (request === undefined || request.kind !== kind) return false;
      this.#advance(request);
      slots = request.files;
    }
    return slots.some((slot) => slot.se === se && slot.file === file && slot.status === wanted);
  }

  /** The storage area of an SE served here. */
  area(se: string): StorageArea | undefined {
    return this.#areas.get(se);
  }

  /** Signs the TURLs this SRM hands out; the data routes check them with it. */
  get turlSigner(): TurlSigner {
    return this.#signer;
  }

  #open(caller: SrmCaller, kind: 'get' | 'put', files: Slot[]): RequestStatus {
    this.#forgetOld();
    const request: SrmRequest = { token: randomBytes(16).toString('hex'), kind, owner: caller.id, created: this.#now(), files, aborted: false };
    this.#requests.set(request.token, request);
    return this.#describe(request);
  }

  #owned(caller: SrmCaller, token: string, kind?: 'get' | 'put'): SrmRequest {
    const request = this.#requests.get(token);
    if (request === undefined || (kind !== undefined && request.kind !== kind)) throw new SrmRequestError('SRM_INVALID_REQUEST', `no such ${kind ?? ''} request: ${token}`.replace('  ', ' '));
    if (request.owner !== caller.id) throw new SrmRequestError('SRM_AUTHORIZATION_FAILURE', 'the request belongs to someone else');
    return request;
  }

  #selected(request: SrmRequest, surls: readonly string[] | undefined): Slot[] {
    this.#advance(request);
    if (surls === undefined) return request.files;
    const wanted = new Set(surls);
    return request.files.filter((slot) => wanted.has(slot.surl));
  }

  #describe(request: SrmRequest): RequestStatus {
    this.#advance(request);
    const now = this.#now();
    return {
      token: request.token,
      kind: request.kind,
      status: requestStatus(request.files.map((f) => f.status), request.aborted),
      files: request.files.map((slot) => ({
        surl: slot.surl,
        status: slot.status,
        ...(slot.explanation !== undefined ? { explanation: slot.explanation } : {}),
        ...(slot.turl !== undefined && (slot.status === 'SRM_FILE_PINNED' || slot.status === 'SRM_SPACE_AVAILABLE') ? { turl: this.#signed(request, slot) } : {}),
        ...(slot.size !== undefined ? { size: slot.size } : {}),
        ...(slot.adler32 !== undefined ? { checksum: { type: 'adler32' as const, value: slot.adler32 } } : {}),
        ...(slot.expiresAt !== undefined && !isFinal(slot.status) ? { remainingLifetime: Math.max(0, Math.ceil((slot.expiresAt - now) / 1000)) } : {}),
        ...(slot.status === 'SRM_REQUEST_QUEUED' && slot.readyAt !== undefined ? { estimatedWaitTime: Math.max(0, Math.ceil((slot.readyAt - now) / 1000)) } : {}),
      })),
    };
  }

  /**
   * A ready file's TURL as handed out: signed for reading (a get) or writing (a put) until the pin or the
   * space runs out. TURLs of protocols replicat does not serve (root://, gsiftp://) go out as they are.
   */
  #signed(request: SrmRequest, slot: Slot): string {
    const turl = slot.turl!;
    if (!TurlSigner.signs(turl)) return turl;
    return this.#signer.sign(turl, {
      access: request.kind === 'get' ? 'read' : 'write',
      se: slot.se!,
      path: slot.path!,
      expiresAt: slot.expiresAt!,
      token: request.token,
    });
  }

  /** Moves a request along the clock: staging finishes, pins and put spaces run out. */
  #advance(request: SrmRequest): void {
    const now = this.#now();
    for (const slot of request.files) {
      if (slot.status === 'SRM_REQUEST_QUEUED' && slot.readyAt !== undefined && now >= slot.readyAt) pin(slot, slot.readyAt, slot.pinMs ?? this.#settings.pinLifetimeMs);
      if ((slot.status === 'SRM_FILE_PINNED' || slot.status === 'SRM_SPACE_AVAILABLE') && slot.expiresAt !== undefined && now >= slot.expiresAt) {
        setStatus(slot, 'SRM_FILE_LIFETIME_EXPIRED', request.kind === 'get' ? 'the pin expired' : 'the space expired before putDone');
      }
    }
  }

  #active(kind: 'get' | 'put'): Slot[] {
    const out: Slot[] = [];
    for (const request of this.#requests.values()) {
      if (request.kind !== kind) continue;
      this.#advance(request);
      out.push(...request.files.filter((f) => !isFinal(f.status)));
    }
    return out;
  }

  #forgetOld(): void {
    const horizon = this.#now() - this.#settings.requestRetentionMs;
    for (const [token, request] of this.#requests) {
      this.#advance(request);
      if (request.created < horizon && request.files.every((f) => isFinal(f.status))) this.#requests.delete(token);
    }
  }

  async #directory(caller: SrmCaller): Promise<StorageDirectory<SeDefinition>> {
    return new StorageDirectory(await this.#catalog.storageElements(caller));
  }

  /** The SE, area and local file of a SURL, or why there is none here. */
  #place(directory: StorageDirectory<SeDefinition>, surl: string): Placed | { status: SrmStatusCode; explanation: string } {
    let se: SeDefinition | undefined;
    let path: string;
    try {
      se = directory.locate(surl);
      path = surlPath(surl);
    } catch {
      return { status: 'SRM_INVALID_PATH', explanation: 'not a SURL' };
    }
    const area = se === undefined ? undefined : this.#areas.get(se.name);
    if (se === undefined || area === undefined) return { status: 'SRM_INVALID_PATH', explanation: 'the SURL is on a storage element this SRM does not serve' };
    try {
      return { se, area, path: canonicalSePath(path), file: area.locate(path) };
    } catch (error) {
      return { status: 'SRM_INVALID_PATH', explanation: error instanceof OutsideArea ? error.message : 'bad path' };
    }
  }

  #turl(se: SeDefinition, surl: string, wanted: readonly string[] | undefined): string | undefined {
    const protocol = wanted === undefined ? se.protocols[0] : wanted.map((scheme) => se.protocols.find((p) => p.scheme === scheme)).find((p) => p !== undefined);
    if (protocol === undefined) return undefined;
    // A TURL replicat signs is an http URL the client sends back: its path must be percent-encoded.
    return expandTurl(protocol.turlTemplate, surl, { percentEncodePath: isSignedScheme(protocol.scheme) });
  }

  /** The SURLs the caller may not read, or the catalog does not know, with the status saying so. */
  async #readDenied(caller: SrmCaller, surls: readonly string[]): Promise<Map<string, { status: SrmStatusCode; explanation: string }>> {
    const denied = new Map<string, { status: SrmStatusCode; explanation: string }>();
    const lookups = await this.#catalog.filesOfReplicas(caller, surls);
    lookups.forEach((lookup, i) => {
      if (lookup.found) return;
      denied.set(
        surls[i]!,
        lookup.reason === 'forbidden'
          ? { status: 'SRM_AUTHORIZATION_FAILURE', explanation: 'the catalog does not let you read this file' }
          : { status: 'SRM_INVALID_PATH', explanation: 'the catalog knows no such replica' },
      );
    });
    return denied;
  }
}

/** A request-level failure (unknown token, someone else's request), answered with its SRM code. */
export class SrmRequestError extends Error {
  constructor(
    readonly status: SrmStatusCode,
    message: string,
  ) {
    super(message);
  }
}

function pin(slot: Slot, from: number, lifetimeMs: number): void {
  slot.status = 'SRM_FILE_PINNED';
  slot.expiresAt = from + lifetimeMs;
}

function setStatus(slot: Slot, status: SrmStatusCode, explanation?: string): void {
  slot.status = status;
  if (explanation !== undefined) slot.explanation = explanation;
}

/** Files read or hashed at once: enough to keep a disk busy, few enough not to run out of descriptors. */
const DISK_CONCURRENCY = 16;

/** `work` over every item, at most `limit` at once, results in the items' order. */
async function mapLimited<T, R>(items: readonly T[], limit: number, work: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      out[index] = await work(items[index]!, index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}
