import { InvalidArgument } from '../../core/errors';
import { storageElementsOfFiles, type StorageElementsItem } from '../../core/storage/file-storage-elements';
import { readAll } from '../all-or-nothing';
import type { Parts } from '../decode-parts';
import type { Returned } from '../envelope';
import { NS } from '../namespaces';
import type { OperationCall, OperationDefinition, PortDefinition } from '../operation';
import { escapeXml, itemArray } from '../xml-writer';
import { serviceBaseOperations } from './service-base';

/**
 * The single string argument, whatever its element is called: the original part name is unknown and
 * the WMS broker's gSOAP stub, Axis stubs (`in0`) and others differ.
 */
function singleArgument(parts: Parts, what: string): string {
  const argument = parts.first();
  const value = argument?.text.trim() ?? '';
  if (value === '') throw new InvalidArgument(`missing argument: the ${what}`);
  return value;
}

function listSEs(what: 'lfn' | 'guid') {
  return async ({ ctx, parts }: OperationCall): Promise<Returned> => {
    const name = singleArgument(parts, what === 'lfn' ? 'LFN' : 'GUID');
    const item: StorageElementsItem = what === 'lfn' ? { lfn: name } : { guid: name };
    const [found] = await readAll(ctx, storageElementsOfFiles, [item], () => name);
    return { content: itemArray(found!.ses, escapeXml) };
  };
}

const operations: OperationDefinition[] = [
  { name: 'listSEbyLFN', parts: [{ name: 'lfn', type: 'soapenc:string' }], returns: 'impl:ArrayOf_soapenc_string', faults: true, run: listSEs('lfn') },
  { name: 'listSEbyGUID', parts: [{ name: 'guid', type: 'soapenc:string' }], returns: 'impl:ArrayOf_soapenc_string', faults: true, run: listSEs('guid') },
];

/** StorageIndex ("SEIndex"): which storage elements hold a file, for the WMS broker's matchmaking. */
export const STORAGE_INDEX: PortDefinition = {
  name: 'StorageIndex',
  namespace: NS.storageIndex,
  interfaceVersion: '2.0.0',
  wsdlFile: 'org.glite.data-storageindex-2.0.0.wsdl',
  operations: [...serviceBaseOperations(() => STORAGE_INDEX), ...operations],
};
