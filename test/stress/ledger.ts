import pg from 'pg';

/**
 * What a load client knows about one of its files from the answers it got. An acknowledged write is
 * certain; a write whose request failed as a whole (503, connection cut) may or may not have happened,
 * so the file is marked with both possible states and checked for being entirely in one of them.
 */
export interface FileRecord {
  readonly guid: string;
  lfn: string;
  state: 'present' | 'absent' | 'maybe-created' | 'maybe-removed' | 'maybe-moved';
  /** With `maybe-moved`: the other path the file may be at. */
  otherLfn?: string;
  /** Replicas known to exist. */
  readonly replicas: Set<string>;
  /** Replicas whose addition was not acknowledged either way. */
  readonly maybeReplicas: Set<string>;
  /** Attribute values acknowledged (undefined when none set or unknown). */
  attributes?: { readonly stress_run: number; readonly stress_tag: string };
  attributesUncertain?: boolean;
}

/** Every acknowledged write of one run, by file GUID (GUIDs are chosen by the clients). */
export class Ledger {
  readonly files = new Map<string, FileRecord>();
  acknowledgedWrites = 0;
  uncertainWrites = 0;

  add(record: FileRecord): void {
    this.files.set(record.guid, record);
  }

  /** Files in a certain state, to pick the next operation from. */
  certain(state: 'present' | 'absent'): FileRecord[] {
    return [...this.files.values()].filter((f) => f.state === state && f.maybeReplicas.size === 0);
  }
}

export interface VerifyReport {
  readonly checked: number;
  readonly problems: readonly string[];
}

interface Row {
  readonly lfn: string;
  readonly guid: string;
}

/**
 * Compares the database with the ledgers: every acknowledged file where it must be with its GUID and
 * replicas, every acknowledged removal gone, every uncertain file wholly in one of its possible states,
 * and no file under `root` that no client registered.
 */
export async function verifyLedgers(databaseUrl: string, root: string, ledgers: readonly Ledger[]): Promise<VerifyReport> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const files = (await client.query<Row>(`SELECT lfn, guid::text AS guid FROM entries WHERE kind = 'file' AND lfn LIKE $1`, [`${root}/%`])).rows;
    const replicaRows = (await client.query<{ guid: string; surl: string }>(
      `SELECT r.guid::text AS guid, r.surl FROM replicas r JOIN entries e ON e.guid = r.guid WHERE e.lfn LIKE $1`,
      [`${root}/%`],
    )).rows;
    const attributeRows = (await client.query<{ guid: string; name: string; v_int: string | null; v_text: string | null }>(
      `SELECT e.guid::text AS guid, a.name, v.v_int::text AS v_int, v.v_text FROM metadata_values v
         JOIN entries e ON e.id = v.entry_id JOIN metadata_attributes a ON a.id = v.attribute_id
        WHERE e.lfn LIKE $1 AND a.name IN ('stress_run', 'stress_tag')`,
      [`${root}/%`],
    )).rows;
    const byGuid = new Map(files.map((f) => [f.guid, f]));
    const replicasOf = new Map<string, Set<string>>();
    for (const r of replicaRows) replicasOf.set(r.guid, (replicasOf.get(r.guid) ?? new Set()).add(r.surl));
    const attributesOf = new Map<string, Map<string, string>>();
    for (const a of attributeRows) {
      attributesOf.set(a.guid, (attributesOf.get(a.guid) ?? new Map()).set(a.name, a.v_int ?? a.v_text ?? ''));
    }
    const problems: string[] = [];
    const known = new Set<string>();
    let checked = 0;
    for (const ledger of ledgers) {
      for (const f of ledger.files.values()) {
        checked++;
        known.add(f.guid);
        const row = byGuid.get(f.guid);
        const actual = replicasOf.get(f.guid) ?? new Set<string>();
        const where = `${f.lfn} (guid ${f.guid}, ${f.state})`;
        const replicasFit = () =>
          [...f.replicas].every((s) => actual.has(s)) && [...actual].every((s) => f.replicas.has(s) || f.maybeReplicas.has(s));
        switch (f.state) {
          case 'present':
            if (row === undefined) problems.push(`lost: ${where} is not in the database`);
            else if (row.lfn !== f.lfn) problems.push(`wrong place: ${where} is at ${row.lfn}`);
            else if (!replicasFit()) problems.push(`replicas of ${where}: expected ${[...f.replicas]} (+ maybe ${[...f.maybeReplicas]}), found ${[...actual]}`);
            break;
          case 'absent':
            if (row !== undefined) problems.push(`resurrected: ${where} is at ${row.lfn}`);
            break;
          case 'maybe-created':
          case 'maybe-removed':
            if (row !== undefined && row.lfn !== f.lfn) problems.push(`wrong place: ${where} is at ${row.lfn}`);
            else if (row !== undefined && !replicasFit()) problems.push(`half-done: ${where} has replicas ${[...actual]}, expected ${[...f.replicas]}`);
            else if (row === undefined && actual.size > 0) problems.push(`half-done: ${where} has replicas but no entry`);
            break;
          case 'maybe-moved':
            if (row === undefined) problems.push(`lost in a move: ${where}`);
            else if (row.lfn !== f.lfn && row.lfn !== f.otherLfn) problems.push(`wrong place: ${where} is at ${row.lfn}, expected ${f.lfn} or ${f.otherLfn}`);
            else if (!replicasFit()) problems.push(`replicas of ${where} changed by a move: ${[...actual]}`);
            break;
        }
        if (row !== undefined && f.attributes !== undefined && f.attributesUncertain !== true) {
          const values = attributesOf.get(f.guid);
          if (values?.get('stress_run') !== String(f.attributes.stress_run) || values?.get('stress_tag') !== f.attributes.stress_tag) {
            problems.push(`attributes of ${where}: expected ${JSON.stringify(f.attributes)}, found ${JSON.stringify(Object.fromEntries(values ?? []))}`);
          }
        }
      }
    }
    for (const f of files) if (!known.has(f.guid)) problems.push(`unregistered file ${f.lfn} (guid ${f.guid}): no client wrote it`);
    return { checked, problems };
  } finally {
    await client.end();
  }
}
