import { Readable } from 'node:stream';
import { splitCsvRow } from '../../src/cli/import/csv-row';
import { BadRecord, toNewFile } from '../../src/cli/import/new-file';
import { readRecords, type InputRecord } from '../../src/cli/import/record-reader';

async function read(text: string, format: 'csv' | 'ndjson'): Promise<InputRecord[]> {
  const out: InputRecord[] = [];
  for await (const r of readRecords(Readable.from([text]), format)) out.push(r);
  return out;
}

describe('import records', () => {
  it('splits CSV rows with quotes', () => {
    expect(splitCsvRow('a,b,c')).toEqual(['a', 'b', 'c']);
    expect(splitCsvRow('"a,1","b""q""",')).toEqual(['a,1', 'b"q"', '']);
    expect(splitCsvRow('')).toEqual(['']);
    expect(() => splitCsvRow('"open')).toThrow(BadRecord);
    expect(() => splitCsvRow('"a"b,c')).toThrow(BadRecord);
  });

  it('takes the fields in their several spellings', () => {
    expect(
      toNewFile({ lfn: 'lfn:/grid/a', guid: 'guid:6f1c8e0a-3c1d-4b7e-9b0a-2f4d5e6a7b8c', size: '12', checksum: 'ADLER32:1a', surls: 'srm://se1/a | srm://se2/a' }),
    ).toEqual({
      lfn: '/grid/a',
      guid: 'guid:6f1c8e0a-3c1d-4b7e-9b0a-2f4d5e6a7b8c',
      size: 12,
      checksum: { type: 'adler32', value: '1a' },
      replicas: [{ surl: 'srm://se1/a' }, { surl: 'srm://se2/a' }],
    });
    expect(toNewFile({ lfn: '/a', md5: 'ff', replicas: [{ surl: 'srm://s/a', master: true }, 'srm://t/a'] })).toEqual({
      lfn: '/a',
      checksum: { type: 'md5', value: 'ff' },
      replicas: [{ surl: 'srm://s/a', master: true }, { surl: 'srm://t/a' }],
    });
    expect(toNewFile({ lfn: '/a', checksum: { type: 'adler32', value: '01' }, surl: 'srm://s/a' })).toMatchObject({ replicas: [{ surl: 'srm://s/a' }] });
  });

  it.each([
    [{}, /no lfn/],
    [{ lfn: 'relative' }, /absolute/],
    [{ lfn: '/a', size: -1 }, /size/],
    [{ lfn: '/a', size: '1.5' }, /size/],
    [{ lfn: '/a', checksum: 'crc:1' }, /checksum/],
    [{ lfn: '/a', adler32: '1', md5: '2' }, /one of/],
    [{ lfn: '/a', colour: 'red' }, /unknown field "colour"/],
    [{ lfn: '/a', replicas: [{ surl: 's', extra: 1 }] }, /replica/],
  ])('refuses %j', (record, message) => {
    expect(() => toNewFile(record)).toThrow(message);
  });

  it('reads CSV with a header, skipping blank and comment lines, keeping line numbers', async () => {
    const records = await read('\uFEFFlfn,size,surls\n# a comment\n/grid/a,1,srm://se/a\n\n/grid/b,x,\nrelative,2\n', 'csv');
    expect(records.map((r) => r.line)).toEqual([3, 5, 6]);
    expect(records[0]!.file).toEqual({ lfn: '/grid/a', size: 1, replicas: [{ surl: 'srm://se/a' }] });
    expect(records[1]!.file).toBeInstanceOf(BadRecord);
    expect(records[2]!.file).toBeInstanceOf(BadRecord);
  });

  it('refuses a CSV header with an unknown column before reading on', async () => {
    await expect(read('lfn,colour\n/a,red\n', 'csv')).rejects.toThrow(/unknown CSV column/);
  });

  it('reads NDJSON a line at a time', async () => {
    const records = await read('{"lfn":"/grid/a"}\r\n{"lfn":\n[1]\n{"lfn":"/grid/b","size":3}', 'ndjson');
    expect(records.map((r) => (r.file instanceof BadRecord ? r.file.message.slice(0, 8) : r.file.lfn))).toEqual(['/grid/a', 'not JSON', 'a record', '/grid/b']);
  });
});
