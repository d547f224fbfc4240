import { AbortError, TimeoutError } from './errors';

/**
 * The signal of one attempt: it fires when the caller aborts or when the attempt has been idle for
 * `timeoutMs`. A plain request is never "touched", so its timeout is the whole exchange; a stream
 * touches it on every chunk, so a long listing only fails when the service stops sending.
 */
export class AttemptSignal {
  readonly #controller = new AbortController();
  readonly #caller: AbortSignal | undefined;
  readonly #timeoutMs: number;
  readonly #onCallerAbort: () => void;
  readonly #requestId: string | undefined;
  #timer: NodeJS.Timeout | undefined;
  #timedOut = false;

  /** `requestId`: the `x-request-id` the attempt sends, carried by the errors explain() makes. */
  constructor(timeoutMs: number, caller: AbortSignal | undefined, requestId?: string) {
    this.#timeoutMs = timeoutMs;
    this.#requestId = requestId;
    this.#caller = caller;
    this.#onCallerAbort = () => this.#controller.abort(caller?.reason);
    if (caller?.aborted) this.#controller.abort(caller.reason);
    else caller?.addEventListener('abort', this.#onCallerAbort, { once: true });
    this.touch();
  }

  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  /** Restarts the idle timer. */
  touch(): void {
    if (!Number.isFinite(this.#timeoutMs) || this.#controller.signal.aborted) return;
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => {
      this.#timedOut = true;
      this.#controller.abort(new TimeoutError(`no answer within ${this.#timeoutMs} ms`));
    }, this.#timeoutMs);
  }

  /** Stops the timer and lets go of the caller's signal; the attempt is over. */
  dispose(): void {
    clearTimeout(this.#timer);
    this.#caller?.removeEventListener('abort', this.#onCallerAbort);
  }

  /**
   * What a failure of this attempt really was: the caller's abort or our timeout when either fired,
   * else undefined (the failure is the transport's own).
   */
  explain(): AbortError | TimeoutError | undefined {
    // A request that timed out may still be running in the service: its id finds it in the service log.
    const ids = this.#requestId !== undefined ? { requestId: this.#requestId } : {};
    if (this.#caller?.aborted) return new AbortError('the call was aborted', { cause: this.#caller.reason, ...ids });
    if (this.#timedOut) return new TimeoutError(`no answer within ${this.#timeoutMs} ms`, ids);
    return undefined;
  }
}
