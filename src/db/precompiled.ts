import { createQueryId, type Compilable, type CompiledQuery } from 'kysely';
import type { Queryable } from './schema';

/** Where each parameter of the compiled statement comes from: an argument (its index), or a constant. */
type ParameterSource = { readonly argument: number } | { readonly constant: unknown };

interface Compiled<R> {
  readonly query: CompiledQuery<R>;
  readonly sources: readonly ParameterSource[];
}

/**
 * A query whose shape never changes, only its parameter values, built and compiled once per database
 * handle instead of on every call. kysely builds the operation tree and compiles it to SQL each time a
 * builder is executed, which for a 20-column select costs about as much as decoding its rows; the hot
 * single-item reads (a stat: one statement for a handful of names) paid it for every statement.
 * This is kysely's own "split build, compile and execute" recipe: the SQL is still kysely's, every
 * value still a bound parameter.
 *
 * `build` is called once per handle with `placeholders`, objects (arrays, say) that stand for the
 * arguments: each must reach the compiled parameters as it was given, exactly once, which is checked.
 *
 * ```ts
 * const BY_LFN = new PrecompiledQuery((db, lfns: string[]) => db.selectFrom('entries').selectAll().where('lfn', '=', anyText(lfns)), [[]]);
 * const rows = await BY_LFN.execute(db, ['/a', '/b']);
 * ```
 */
export class PrecompiledQuery<A extends readonly object[], R> {
  readonly #build: (db: Queryable, ...args: A) => Compilable<R>;
  readonly #placeholders: A;
  /** By handle: a pool's `Kysely` lives as long as the service; a transaction compiles once for itself. */
  readonly #compiled = new WeakMap<Queryable, Compiled<R>>();

  constructor(build: (db: Queryable, ...args: A) => Compilable<R>, placeholders: A) {
    this.#build = build;
    this.#placeholders = placeholders;
  }

  async execute(db: Queryable, ...args: A): Promise<R[]> {
    let compiled = this.#compiled.get(db);
    if (compiled === undefined) {
      compiled = this.#compile(db);
      this.#compiled.set(db, compiled);
    }
    const parameters = compiled.sources.map((source) => ('argument' in source ? args[source.argument] : source.constant));
    // A fresh query id per execution, as kysely gives each executed builder.
    const query: CompiledQuery<R> = { ...compiled.query, queryId: createQueryId(), parameters };
    return (await db.executeQuery(query)).rows;
  }

  #compile(db: Queryable): Compiled<R> {
    const query = this.#build(db, ...this.#placeholders).compile();
    const sources = query.parameters.map((value): ParameterSource => {
      const argument = this.#placeholders.indexOf(value as A[number]);
      return argument >= 0 ? { argument } : { constant: value };
    });
    this.#placeholders.forEach((_, index) => {
      const uses = sources.filter((s) => 'argument' in s && s.argument === index).length;
      if (uses !== 1) throw new Error(`precompiled query: placeholder ${index} appears ${uses} times among the parameters (must be once)`);
    });
    return { query, sources };
  }
}
