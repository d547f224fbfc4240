import { sql, type RawBuilder, type SqlBool } from 'kysely';
import type { AttributeDefinition } from '../attribute-definitions';
import { valueColumn, type TypedValue } from '../attribute-value';
import { ancestorPathsInSql } from '../../names/lfn-in-sql';
import type { CompareOp } from './ast';
import type { CheckedAtom, CheckedQuery } from './checked-query';

export interface CompileOptions {
  /** Test effective values: the entry's own, else its nearest ancestor directory's. */
  readonly inherit: boolean;
  /**
   * With `inherit`, a condition on the `entries` row `x` a value may come from (the caller's right to read
   * its metadata); values on other rows are passed over. None when every value is readable.
   */
  readonly inheritableFrom?: RawBuilder<SqlBool> | undefined;
}

/**
 * Compiles a checked query to a condition on `entries AS e`. Every value and attribute id is a bound
 * parameter; the only SQL text that varies comes from closed sets (the operators below, the typed value
 * columns), never from the query text. Each leaf reads one attribute's values through that type's
 * partial index `(attribute_id, v_<type>, entry_id)`.
 *
 * Without inheritance a leaf is `EXISTS (a value of the entry satisfies it)`; the planner turns a
 * conjunction of those into semi-joins driven by the most selective index. A disjunction of leaves
 * would make the planner scan every entry, so the compiler also gives a candidate set: the union of the
 * leaves' index lookups, which the full condition then filters.
 *
 * With `inherit`, the query tests the entry's *effective* values: for each attribute the query names, its
 * own value, else that of its nearest ancestor directory that has one. They are looked up once per
 * candidate row and attribute (the ancestors found once per row), and the leaves are plain comparisons
 * on them, so the cost grows with the attributes named, not with the leaves or their nesting.
 * Candidates are the entries carrying a matching value plus everything below matching directories (an
 * index range on the LFN), which the effective values then confirm.
 */
export function compileQuery(query: CheckedQuery, options: CompileOptions): RawBuilder<SqlBool> {
  const candidate = candidates(query, options.inherit);
  // Without a candidate set every entry in scope is tested: one lookup per attribute, not per leaf.
  if (candidate === undefined) return valuesCondition(query, options);
  const condition = options.inherit ? valuesCondition(query, options) : ownPredicate(query);
  // A single leaf (or a conjunction led by one) already drives an index through its EXISTS.
  if (!options.inherit && candidate.singleLeaf) return condition;
  // A union of own-value lookups is exactly the disjunction: nothing is left to re-check.
  if (candidate.exact) return sql<SqlBool>`e.id IN (${candidate.ids})`;
  // The candidates are gathered first (an array computed once) and each is then tested: left a join, the
  // planner may rather test every entry and join the candidates afterwards (seen on PGlite with ten OR
  // leaves: 17 s instead of a fraction of one).
  return sql<SqlBool>`e.id = ANY (ARRAY(${candidate.ids})) AND ${condition}`;
}

/**
 * Whether the query has a candidate set from the values indexes. Without one (a query made of negations,
 * such as `NOT run = 1`) every entry in scope must be tested.
 */
export function startsFromIndex(query: CheckedQuery, options: { readonly inherit: boolean }): boolean {
  return candidates(query, options.inherit) !== undefined;
}

/**
 * The matching entry ids as a set of index lookups alone, when the query is a leaf, a conjunction of leaves
 * on one attribute, or a disjunction of such (without inheritance); undefined otherwise. Each id appears once
 * (one value per entry and attribute; UNION removes duplicates), so counting it counts the matches without
 * visiting `entries` at all.
 */
export function exactMatchIds(query: CheckedQuery, options: { readonly inherit: boolean }): RawBuilder<unknown> | undefined {
  if (options.inherit) return undefined;
  const candidate = candidates(query, false);
  return candidate?.exact === true ? candidate.ids : undefined;
}

const OPERATOR: Readonly<Record<CompareOp, RawBuilder<unknown>>> = {
  '=': sql.raw('='),
  '!=': sql.raw('<>'),
  '<': sql.raw('<'),
  '<=': sql.raw('<='),
  '>': sql.raw('>'),
  '>=': sql.raw('>='),
};

/** The query as a boolean expression, each leaf group compiled by `leaf`. */
function predicate(node: CheckedQuery, leaf: (atoms: LeafGroup) => RawBuilder<SqlBool>): RawBuilder<SqlBool> {
  switch (node.kind) {
    case 'and': {
      const parts = conjuncts(node.operands).map((part) => (isGroup(part) ? leaf(part) : predicate(part, leaf)));
      return sql<SqlBool>`(${sql.join(parts, sql` AND `)})`;
    }
    case 'or':
      return sql<SqlBool>`(${sql.join(node.operands.map((o) => predicate(o, leaf)), sql` OR `)})`;
    case 'not':
      return sql<SqlBool>`NOT ${predicate(node.operand, leaf)}`;
    case 'compare':
    case 'like':
    case 'in':
    case 'exists':
      return leaf([node]);
  }
}

/** Leaves on one attribute, tested together (see `conjuncts`). */
type LeafGroup = readonly [CheckedAtom, ...CheckedAtom[]];

/**
 * The operands of a conjunction, with the leaves on one attribute merged into one group. An entry has at
 * most one value (and one effective value) per attribute, so `EXISTS(v > a) AND EXISTS(v < b)` is
 * `EXISTS(v > a AND v < b)`: one bounded index range instead of two half-open ones to intersect.
 */
function conjuncts(operands: readonly CheckedQuery[]): (LeafGroup | CheckedQuery)[] {
  const parts: (CheckedAtom[] | CheckedQuery)[] = [];
  const groups = new Map<string, CheckedAtom[]>();
  for (const operand of operands) {
    if (operand.kind === 'and' || operand.kind === 'or' || operand.kind === 'not') {
      parts.push(operand);
      continue;
    }
    const group = groups.get(operand.attribute.id);
    if (group !== undefined) group.push(operand);
    else {
      const created = [operand];
      groups.set(operand.attribute.id, created);
      parts.push(created);
    }
  }
  return parts as (LeafGroup | CheckedQuery)[];
}

function isGroup(part: LeafGroup | CheckedQuery): part is LeafGroup {
  return Array.isArray(part);
}

/** Each leaf group: the entry has a value of the attribute that satisfies it. Absent attributes never do. */
function ownPredicate(query: CheckedQuery): RawBuilder<SqlBool> {
  return predicate(
    query,
    (atoms) => sql<SqlBool>`EXISTS (SELECT 1 FROM metadata_values v
      WHERE v.entry_id = e.id AND v.attribute_id = ${atoms[0].attribute.id}::uuid AND ${valueConditions(atoms, sql.ref(`v.${valueColumn(atoms[0].attribute.type)}`))})`,
  );
}

/**
 * The query on the entry's values (its effective values with `inherit`). `anc` holds the ids of the rows a
 * value may come from — the entry, and with `inherit` its ancestors — nearest first, found once; `ev`
 * holds one value per attribute the query names (NULL when absent); OFFSET 0 keeps the planner from
 * inlining each lookup into every leaf that uses it. A leaf on an absent value is false, never NULL, so
 * NOT keeps the two-valued logic.
 */
function valuesCondition(query: CheckedQuery, options: CompileOptions): RawBuilder<SqlBool> {
  const attributes = [...new Map(atomsOf(query).map((atom) => [atom.attribute.id, atom.attribute])).values()];
  const slot = new Map(attributes.map((attribute, k) => [attribute.id, sql.ref(`ev.a${k}`)]));
  const lookups = attributes.map((attribute, k) => sql`${effectiveValue(attribute)} AS ${sql.ref(`a${k}`)}`);
  const readable = options.inheritableFrom === undefined ? sql`` : sql`AND ${options.inheritableFrom}`;
  const sources = options.inherit
    ? sql`ARRAY(SELECT x.id FROM entries x WHERE x.lfn = ANY (${ancestorPathsInSql(sql.ref('e.lfn'), { self: true })}) ${readable}
        ORDER BY length(x.lfn) DESC)`
    : sql`ARRAY[e.id]`;
  const condition = predicate(query, (atoms) => {
    const column = slot.get(atoms[0].attribute.id)!;
    return sql<SqlBool>`(${column} IS NOT NULL AND ${valueConditions(atoms, column)})`;
  });
  return sql<SqlBool>`EXISTS (SELECT 1 FROM
      (SELECT ${sources} AS ids OFFSET 0) anc
      CROSS JOIN LATERAL (SELECT ${sql.join(lookups)} OFFSET 0) ev
    WHERE ${condition})`;
}

/**
 * The nearest value of the attribute among `anc.ids`: one primary-key probe per row id, written as a
 * scalar subquery so that no planner (PGlite has no statistics) turns it into a scan of the attribute's
 * values joined by hash.
 */
function effectiveValue(attribute: AttributeDefinition): RawBuilder<unknown> {
  const column = sql.ref(`v.${valueColumn(attribute.type)}`);
  return sql`(SELECT found.value FROM (
      SELECT up.n, (SELECT ${column} FROM metadata_values v WHERE v.entry_id = up.id AND v.attribute_id = ${attribute.id}::uuid) AS value
      FROM unnest(anc.ids) WITH ORDINALITY AS up(id, n)) found
    WHERE found.value IS NOT NULL ORDER BY found.n LIMIT 1)`;
}

function atomsOf(node: CheckedQuery): CheckedAtom[] {
  switch (node.kind) {
    case 'and':
    case 'or':
      return node.operands.flatMap(atomsOf);
    case 'not':
      return atomsOf(node.operand);
    case 'compare':
    case 'like':
    case 'in':
    case 'exists':
      return [node];
  }
}

function valueConditions(atoms: LeafGroup, column: RawBuilder<unknown>): RawBuilder<SqlBool> {
  return sql<SqlBool>`${sql.join(atoms.map((atom) => valueCondition(atom, column)), sql` AND `)}`;
}

function valueCondition(atom: CheckedAtom, column: RawBuilder<unknown>): RawBuilder<SqlBool> {
  switch (atom.kind) {
    case 'compare':
      return sql<SqlBool>`${column} ${OPERATOR[atom.op]} ${parameter(atom.value)}`;
    case 'like': {
      // LIKE with a bound pattern cannot use the index by itself (the planner needs a constant to find
      // the prefix), so the literal prefix is also given as a range. Backslash is LIKE's escape.
      const parts = [sql<SqlBool>`${column} LIKE ${atom.pattern}::text`];
      if (atom.prefix !== '') {
        parts.push(sql<SqlBool>`${column} >= ${atom.prefix}::text`);
        const upper = successor(atom.prefix);
        if (upper !== undefined) parts.push(sql<SqlBool>`${column} < ${upper}::text`);
      }
      return sql<SqlBool>`${sql.join(parts, sql` AND `)}`;
    }
    case 'in':
      return sql<SqlBool>`${column} = ANY (${arrayParameter(atom.values)})`;
    case 'exists':
      // Implied by the partial index's predicate, so the lookup stays on that type's index.
      return sql<SqlBool>`${column} IS NOT NULL`;
  }
}

function parameter(value: TypedValue): RawBuilder<unknown> {
  switch (value.type) {
    case 'string':
      return sql`${value.value}::text`;
    case 'int':
      return sql`${value.value}::int8`;
    case 'float':
      return sql`${value.value}::float8`;
    case 'bool':
      return sql`${value.value}::boolean`;
    case 'timestamp':
      return sql`${value.value.toISOString()}::timestamptz`;
  }
}

function arrayParameter(values: readonly TypedValue[]): RawBuilder<unknown> {
  const first = values[0];
  if (first === undefined) return sql`ARRAY[]::text[]`;
  switch (first.type) {
    case 'string':
      return sql`${values.map((v) => v.value)}::text[]`;
    case 'int':
      return sql`${values.map((v) => v.value)}::int8[]`;
    case 'float':
      return sql`${values.map((v) => v.value)}::float8[]`;
    case 'bool':
      return sql`${values.map((v) => v.value)}::boolean[]`;
    case 'timestamp':
      return sql`${values.map((v) => (v.type === 'timestamp' ? v.value.toISOString() : null))}::timestamptz[]`;
  }
}

/**
 * The smallest string above every string that starts with `prefix`, in byte (C) order: the last code
 * point incremented (UTF-8 keeps code point order and no encoding is a prefix of another).
 */
export function successor(prefix: string): string | undefined {
  const points = [...prefix];
  while (points.length > 0) {
    let next = points.pop()!.codePointAt(0)! + 1;
    if (next >= 0xd800 && next <= 0xdfff) next = 0xe000;
    if (next <= 0x10ffff) return points.join('') + String.fromCodePoint(next);
  }
  return undefined;
}

interface Candidates {
  readonly ids: RawBuilder<unknown>;
  /** The set is one leaf's index lookup, which the leaf's own EXISTS already performs. */
  readonly singleLeaf: boolean;
  /** The set is exactly the matching entries, not a superset. */
  readonly exact: boolean;
}

/** A superset of the matching entry ids computable from indexes alone, when the query allows one. */
function candidates(node: CheckedQuery, inherit: boolean): Candidates | undefined {
  switch (node.kind) {
    case 'and': {
      // Any one operand's candidates bound the conjunction; the first that has some will do.
      const parts = conjuncts(node.operands);
      for (const part of parts) {
        const found = isGroup(part) ? leafCandidates(part, inherit) : candidates(part, inherit);
        if (found !== undefined) return { ...found, exact: found.exact && parts.length === 1 };
      }
      return undefined;
    }
    case 'or': {
      const parts = node.operands.map((o) => candidates(o, inherit));
      if (parts.some((p) => p === undefined)) return undefined;
      return {
        ids: sql.join(parts.map((p) => sql`(${p!.ids})`), sql` UNION `),
        singleLeaf: false,
        exact: parts.every((p) => p!.exact),
      };
    }
    case 'not':
      // The complement of an index lookup is everything else: no index helps.
      return undefined;
    case 'compare':
    case 'like':
    case 'in':
    case 'exists':
      return leafCandidates([node], inherit);
  }
}

function leafCandidates(atoms: LeafGroup, inherit: boolean): Candidates {
  const id = atoms[0].attribute.id;
  const column = sql.ref(`v.${valueColumn(atoms[0].attribute.type)}`);
  const own = sql`SELECT v.entry_id FROM metadata_values v
    WHERE v.attribute_id = ${id}::uuid AND ${valueConditions(atoms, column)}`;
  if (!inherit) return { ids: own, singleLeaf: true, exact: true };
  const below = sql`SELECT d.id FROM metadata_values v
    JOIN entries x ON x.id = v.entry_id AND x.kind = 'directory'
    JOIN entries d ON d.lfn > rtrim(x.lfn, '/') || '/' AND d.lfn < rtrim(x.lfn, '/') || '0'
    WHERE v.attribute_id = ${id}::uuid AND ${valueConditions(atoms, column)}`;
  // Not exact: a nearer directory may override the value for part of the subtree.
  return { ids: sql`${own} UNION ALL ${below}`, singleLeaf: true, exact: false };
}
