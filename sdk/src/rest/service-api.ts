import type { Limits, Status } from '../contract';
import type { Calls } from './calls';
import type { CallOptions } from './rest-transport';

/** The service's own endpoints: health, readiness, limits, the contract. */
export class ServiceApi {
  readonly #calls: Calls;
  constructor(calls: Calls) {
    this.#calls = calls;
  }

  /** The process is up. */
  health(options: CallOptions = {}): Promise<Status> {
    return this.#calls.read((init) => this.#calls.api.GET('/healthz', init), options);
  }

  /** The database answers; `Unavailable` when it does not (after retries, unless `idempotent: false`). */
  ready(options: CallOptions = {}): Promise<Status> {
    return this.#calls.read((init) => this.#calls.api.GET('/readyz', init), options);
  }

  /** What one request may carry; bulk calls are cut to these. */
  limits(options: CallOptions = {}): Promise<Limits> {
    return this.#calls.read((init) => this.#calls.api.GET('/api/v1/limits', init), options);
  }

  /** The OpenAPI document the service validates against. */
  openapi(options: CallOptions = {}): Promise<Record<string, unknown>> {
    return this.#calls.read((init) => this.#calls.api.GET('/openapi.json', init), options);
  }

  /** The Prometheus metrics of the instance that answered, as text. */
  metrics(options: CallOptions = {}): Promise<string> {
    return this.#calls.read((init) => this.#calls.api.GET('/metrics', { parseAs: 'text', ...init }), options);
  }

  /** The contract as a human-readable HTML page. */
  docs(options: CallOptions = {}): Promise<string> {
    return this.#calls.read((init) => this.#calls.api.GET('/docs', { parseAs: 'text', ...init }), options);
  }
}
