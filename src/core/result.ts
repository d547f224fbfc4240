import type { CatalogError } from './errors';

/** The outcome of one item of a bulk operation. */
export type Result<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: CatalogError };

export function ok<T>(value: T): Result<T> {
  return { ok: true, value };
}

export function fail<T = never>(error: CatalogError): Result<T> {
  return { ok: false, error };
}

/**
 * Per-item results are built by filling slots as the set-based steps of an operation settle them.
 * A slot left empty at the end is a bug, reported as such rather than silently dropped.
 */
export class ResultSlots<T> {
  readonly #slots: (Result<T> | undefined)[];

  constructor(size: number) {
    this.#slots = new Array<Result<T> | undefined>(size).fill(undefined);
  }

  isSettled(index: number): boolean {
    return this.#slots[index] !== undefined;
  }

  succeed(index: number, value: T): void {
    this.#slots[index] = ok(value);
  }

  fail(index: number, error: CatalogError): void {
    this.#slots[index] = fail(error);
  }

  /** Indices not settled yet, in request order. */
  pending(): number[] {
    const out: number[] = [];
    this.#slots.forEach((slot, i) => {
      if (slot === undefined) out.push(i);
    });
    return out;
  }

  toArray(): Result<T>[] {
    return this.#slots.map((slot, i) => {
      if (slot === undefined) throw new Error(`bulk result ${i} was never settled`);
      return slot;
    });
  }
}
