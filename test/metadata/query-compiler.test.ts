import { DummyDriver, Kysely, PostgresAdapter, PostgresIntrospector, PostgresQueryCompiler } from 'kysely';
import type { Database } from '../../src/db/schema';
import type { AttributeDefinition } from '../../src/core/metadata/attribute-definitions';
import { compileQuery } from '../../src/core/metadata/query/compile-query';
import { parseQuery } from '../../src/core/metadata/query/parser';
import { typeCheck } from '../../src/core/metadata/query/type-check';

/** Compiles without a database: kysely's dummy driver gives the SQL text and its parameters. */
const db = new Kysely<Database>({
  dialect: {
    createAdapter: () => new PostgresAdapter(),
    createDriver: () => new DummyDriver(),
    createIntrospector: (k) => new PostgresIntrospector(k),
    createQueryCompiler: () => new PostgresQueryCompiler(),
  },
});

const ATTRIBUTES = new Map<string, AttributeDefinition>(
  (
    [
      ['run', 'int'],
      ['energy', 'float'],
      ['tag', 'string'],
      ['good', 'bool'],
      ['taken', 'timestamp'],
      [`x'); DROP TABLE entries; --`, 'string'],
    ] as const
  ).map(([name, type], i) => [name, { id: `00000000-0000-4000-8000-00000000000${i}`, name, type, schema: 's' }]),
);

function compile(query: string, inherit = false) {
  const checked = typeCheck(query, parseQuery(query), ATTRIBUTES);
  return db.selectFrom('entries as e').selectAll('e').where(compileQuery(checked, { inherit })).compile();
}

describe('the query compiler', () => {
  it.each([
    ["tag = '''; DROP TABLE entries; --'", "'; DROP TABLE entries; --"],
    ["tag LIKE 'abc%'' OR 1=1 --'", "abc%' OR 1=1 --"],
    ["tag IN ('a'' OR ''1''=''1', 'b')", "a' OR '1'='1"],
    [`"x'); DROP TABLE entries; --" = 'v'`, 'v'],
    ["run = 42 OR tag = 'evil'' --'", "evil' --"],
  ])('keeps every value of %j out of the SQL text', (query, value) => {
    for (const inherit of [false, true]) {
      const compiled = compile(query, inherit);
      expect(compiled.sql).not.toContain('DROP');
      expect(compiled.sql).not.toContain('--');
      expect(compiled.sql).not.toContain("''");
      const flat = compiled.parameters.flatMap((p) => (Array.isArray(p) ? p : [p]));
      expect(flat).toContain(value);
    }
  });

  it('looks up inherited values once per attribute, however many leaves name it', () => {
    const ors = (n: number) => Array.from({ length: n }, (_, i) => `run = ${i}`).join(' OR ');
    const occurrences = (text: string, what: string) => text.split(what).length - 1;
    for (const query of [ors(10), ors(100), `NOT (${ors(100)})`, `(${ors(50)}) AND tag = 'a' AND NOT (${ors(50)})`]) {
      const text = compile(query, true).sql;
      // One search for the ancestors per row, one value lookup per attribute.
      expect(occurrences(text, 'generate_series')).toBe(1);
      expect(occurrences(text, 'unnest(anc.ids)')).toBe(new Set(query.match(/run|tag/g)).size);
    }
    // The text grows linearly: ten times the leaves, about ten times the statement.
    expect(compile(ors(100), true).sql.length).toBeLessThan(11 * compile(ors(10), true).sql.length);
  });

  it('binds attribute ids, never names', () => {
    const compiled = compile(`"x'); DROP TABLE entries; --" = 'v' AND run > 1`);
    expect(compiled.sql).not.toMatch(/DROP|x'\)/);
    expect(compiled.parameters).toEqual(expect.arrayContaining(['00000000-0000-4000-8000-000000000005', '00000000-0000-4000-8000-000000000000', 'v', 1]));
  });

  it('uses only the fixed operators and typed columns', () => {
    const compiled = compile("run >= 1 AND energy < 2.5 AND tag != 'a' AND good = true AND taken <= '2024-01-01' AND EXISTS tag");
    const text = compiled.sql.replace(/\$\d+/g, '$');
    expect(text).toContain('"v"."v_int" >= $::int8');
    expect(text).toContain('"v"."v_float" < $::float8');
    expect(text).toContain('"v"."v_text" <> $::text');
    expect(text).toContain('"v"."v_bool" = $::boolean');
    expect(text).toContain('"v"."v_time" <= $::timestamptz');
    expect(text).toContain('"v"."v_text" IS NOT NULL');
    expect(compiled.parameters).toContain('2024-01-01T00:00:00.000Z');
  });
});
