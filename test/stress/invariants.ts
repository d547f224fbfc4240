import pg from 'pg';

/** Structural invariants of the catalog, checked in SQL on the database itself, not through the service. */
const INVARIANTS: readonly { readonly name: string; readonly sql: string }[] = [
  { name: 'files without a GUID', sql: `SELECT lfn FROM entries WHERE kind = 'file' AND guid IS NULL` },
  { name: 'GUIDs on entries that are not files', sql: `SELECT lfn FROM entries WHERE kind <> 'file' AND guid IS NOT NULL` },
  { name: 'replicas without their file', sql: `SELECT r.surl FROM replicas r LEFT JOIN entries e ON e.guid = r.guid WHERE e.id IS NULL` },
  { name: 'children without their parent', sql: `SELECT c.lfn FROM entries c LEFT JOIN entries p ON p.id = c.parent_id WHERE c.parent_id IS NOT NULL AND p.id IS NULL` },
  { name: 'children of entries that are not directories', sql: `SELECT c.lfn FROM entries c JOIN entries p ON p.id = c.parent_id WHERE p.kind <> 'directory'` },
  {
    name: 'paths that disagree with their parent',
    sql: `SELECT c.lfn FROM entries c JOIN entries p ON p.id = c.parent_id
           WHERE c.lfn <> (CASE WHEN p.lfn = '/' THEN '' ELSE p.lfn END) || '/' || c.name`,
  },
  { name: 'files with replicas but not exactly one master', sql: `SELECT guid::text FROM replicas GROUP BY guid HAVING count(*) FILTER (WHERE is_master) <> 1` },
  { name: 'metadata values of vanished entries', sql: `SELECT v.entry_id::text FROM metadata_values v LEFT JOIN entries e ON e.id = v.entry_id WHERE e.id IS NULL` },
];

export interface InvariantReport {
  readonly entries: number;
  readonly replicas: number;
  readonly violations: readonly string[];
}

export async function checkInvariants(databaseUrl: string): Promise<InvariantReport> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const violations: string[] = [];
    for (const invariant of INVARIANTS) {
      const { rows } = await client.query<Record<string, string>>(`${invariant.sql} LIMIT 5`);
      if (rows.length > 0) violations.push(`${invariant.name}: ${rows.map((r) => Object.values(r)[0]).join(', ')}`);
    }
    const count = async (table: string) => Number((await client.query<{ n: string }>(`SELECT count(*) AS n FROM ${table}`)).rows[0]!.n);
    return { entries: await count('entries'), replicas: await count('replicas'), violations };
  } finally {
    await client.end();
  }
}
