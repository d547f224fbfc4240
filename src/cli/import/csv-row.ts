import { BadRecord } from './new-file';

/**
 * Splits one CSV line (RFC 4180: `,` between cells, `"` around a cell that holds `,` or `"`, `""` for a
 * quote). A quoted cell cannot span lines: LFNs and SURLs hold no line breaks, and one line per record
 * keeps the reader streaming.
 */
export function splitCsvRow(line: string): string[] {
  const cells: string[] = [];
  let i = 0;
  for (;;) {
    if (line[i] === '"') {
      let cell = '';
      i++;
      for (;;) {
        const quote = line.indexOf('"', i);
        if (quote < 0) throw new BadRecord('unterminated quoted cell');
        cell += line.slice(i, quote);
        i = quote + 1;
        if (line[i] === '"') {
          cell += '"';
          i++;
        } else break;
      }
      if (i < line.length && line[i] !== ',') throw new BadRecord(`unexpected text after a quoted cell at column ${i + 1}`);
      cells.push(cell);
    } else {
      const comma = line.indexOf(',', i);
      const end = comma < 0 ? line.length : comma;
      cells.push(line.slice(i, end).trim());
      i = end;
    }
    if (i >= line.length) return cells;
    i++; // the comma
    if (i === line.length) {
      cells.push('');
      return cells;
    }
  }
}
