import { InvalidArgument } from '../errors';
import { parseGuid } from './guid';
import { parseLfn } from './lfn';
import type { FileTarget } from '../replicas/file-target';

/** `lfn:/a/b` and `lfn:///a/b` (JDL InputData and CLI spellings) name `/a/b`; other strings are left alone. */
export function stripLfnPrefix(lfn: string): string {
  if (!/^lfn:/i.test(lfn)) return lfn;
  const rest = lfn.slice(4);
  return rest.startsWith('///') ? rest.slice(2) : rest;
}

/**
 * A file named the way a job's InputData names it: `lfn:/grid/vo/f`, `/grid/vo/f`, `guid:6f1c…`, or a bare
 * UUID (an LFN always starts with `/`, so a bare UUID can only be a GUID).
 */
export function parseInputName(name: unknown): FileTarget {
  if (typeof name !== 'string') throw new InvalidArgument('a name must be a string');
  if (/^guid:/i.test(name)) return { by: 'guid', guid: parseGuid(name) };
  const lfn = stripLfnPrefix(name);
  if (lfn.startsWith('/')) return { by: 'lfn', lfn: parseLfn(lfn) };
  try {
    return { by: 'guid', guid: parseGuid(name) };
  } catch {
    throw new InvalidArgument(`not an LFN (/…, lfn:/…) nor a GUID (guid:…): ${JSON.stringify(name.length > 200 ? `${name.slice(0, 200)}…` : name)}`);
  }
}
