import { defineCommand } from '../command-spec';

export const seLs = defineCommand<object>({
  name: 'se ls',
  tool: 'replicat se ls',
  summary: 'list the storage elements the catalog knows: name, host, status, SURL prefixes',
  description:
    'One line per registered storage element, by name: its name, host, status (online, readonly, offline; nearline ' +
    'marks a tape-backed SE) and SURL prefixes (comma-separated, - when none). One request (GET /api/v1/storage-elements).',
  arguments: [],
  examples: ['replicat se ls', 'replicat se ls --json | jq -r .name'],
  async run(session) {
    const ses = await session.client().storageElements.list();
    if (session.json) {
      for (const se of ses) await session.out.json(se);
      return;
    }
    const rows = ses.map((se) => [se.name, se.host, se.nearline ? `${se.status},nearline` : se.status, se.surlPrefixes.length > 0 ? se.surlPrefixes.join(',') : '-']);
    const widths = [0, 1, 2].map((i) => Math.max(...rows.map((row) => row[i]!.length)));
    for (const row of rows) await session.out.line(row.map((cell, i) => (i < 3 ? cell.padEnd(widths[i]!) : cell)).join('  '));
  },
});
