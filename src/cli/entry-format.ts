import type { Entry } from '@replicat/sdk';

/** RFC 3339 to the second, in UTC: sortable, and the same for every reader of a log. */
export function formatTime(time: string | undefined): string {
  if (time === undefined) return '-';
  const date = new Date(time);
  return Number.isNaN(date.getTime()) ? time : date.toISOString().replace(/\.\d+Z$/, 'Z');
}

const KIND_CHAR: Readonly<Record<Entry['kind'], string>> = { directory: 'd', file: '-', symlink: 'l' };

/** The fields of an ls -l line: kind, owner, group, size, mtime, guid, name (and `-> target`). */
export function longFields(entry: Entry, name: string): string[] {
  const shown = entry.kind === 'symlink' && entry.target !== undefined ? `${name} -> ${entry.target}` : name;
  return [KIND_CHAR[entry.kind], entry.owner, entry.group === '' ? '-' : entry.group, entry.size === undefined ? '-' : String(entry.size), formatTime(entry.mtime), entry.guid ?? '-', shown];
}

/** Rows padded into columns (the last column is not padded; sizes are right-aligned). */
export function alignColumns(rows: readonly string[][]): string[] {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  return rows.map((row) =>
    row.map((cell, i) => (i === row.length - 1 ? cell : i === 3 ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!))).join(' '),
  );
}

/** stat's human form, one field a line. */
export function statLines(entry: Entry): string[] {
  const lines = [`  LFN: ${entry.lfn}`, ` Kind: ${entry.kind}`];
  if (entry.guid !== undefined) lines.push(` GUID: ${entry.guid}`);
  if (entry.target !== undefined) lines.push(`Target: ${entry.target}`);
  if (entry.size !== undefined) lines.push(` Size: ${entry.size}`);
  if (entry.checksum !== undefined) lines.push(`Checksum: ${entry.checksum.type}:${entry.checksum.value}`);
  lines.push(`Owner: ${entry.owner}`, `Group: ${entry.group}`, `Created: ${formatTime(entry.ctime)}`, `Modified: ${formatTime(entry.mtime)}`);
  return lines;
}
