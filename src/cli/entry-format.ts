import type { Entry } from '@replicat/sdk';

/** RFC 3339 to the second, in UTC: sortable, and the same for every reader of a log. */
export function formatTime(time: string | undefined): string {
  if (time === undefined) return '-';
  const date = new Date(time);
  return Number.isNaN(date.getTime()) ? time : date.toISOString().replace(/\.\d+Z$/, 'Z');
}

/** An entry with no group (made by a caller who had none) says so, rather than a `-` that reads like a missing size. */
export const NO_GROUP = '(none)';

const KIND_CHAR: Readonly<Record<Entry['kind'], string>> = { directory: 'd', file: '-', symlink: 'l' };

/** One line of a long listing: the entry, the name to show, and the caller's rights on it when known (`pdrwlxgs`). */
export interface LongRow {
  readonly entry: Entry;
  readonly name: string;
  readonly rights?: string;
}

/**
 * Long listing lines, aligned: kind, rights (when the rows carry them), owner, group, size (right-aligned),
 * mtime, GUID, name (and `-> target`).
 */
export function longLines(rows: readonly LongRow[]): string[] {
  const withRights = rows.some((row) => row.rights !== undefined);
  const cells = rows.map(({ entry, name, rights }) => {
    const shown = entry.kind === 'symlink' && entry.target !== undefined ? `${name} -> ${entry.target}` : name;
    return [
      KIND_CHAR[entry.kind],
      ...(withRights ? [rights ?? '?'.repeat(8)] : []),
      entry.owner,
      entry.group === '' ? NO_GROUP : entry.group,
      entry.size === undefined ? '-' : String(entry.size),
      formatTime(entry.mtime),
      entry.guid ?? '-',
      shown,
    ];
  });
  return alignColumns(cells, withRights ? 4 : 3);
}

/** Rows padded into columns (the last column is not padded; `rightAligned` is padded on the left). */
function alignColumns(rows: readonly string[][], rightAligned: number): string[] {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  return rows.map((row) =>
    row.map((cell, i) => (i === row.length - 1 ? cell : i === rightAligned ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!))).join(' '),
  );
}

/** stat's human form, one field a line, the values in one column. */
export function statLines(entry: Entry): string[] {
  const fields: [string, string][] = [['LFN', entry.lfn], ['Kind', entry.kind]];
  if (entry.guid !== undefined) fields.push(['GUID', entry.guid]);
  if (entry.target !== undefined) fields.push(['Target', entry.target]);
  if (entry.size !== undefined) fields.push(['Size', String(entry.size)]);
  if (entry.checksum !== undefined) fields.push(['Checksum', `${entry.checksum.type}:${entry.checksum.value}`]);
  fields.push(['Owner', entry.owner], ['Group', entry.group === '' ? NO_GROUP : entry.group], ['Created', formatTime(entry.ctime)], ['Modified', formatTime(entry.mtime)]);
  const width = Math.max(...fields.map(([label]) => label.length)) + 1;
  return fields.map(([label, value]) => `${`${label}:`.padEnd(width)} ${value}`);
}
