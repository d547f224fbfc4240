import type { Returned } from '../envelope';
import type { OperationDefinition, PortDefinition } from '../operation';
import { escapeXml } from '../xml-writer';

const text = (value: string | null): Returned => ({ content: value === null ? null : escapeXml(value) });

/**
 * ServiceBase, inherited by every catalog port. getServiceMetadata answers the keys below and nil for
 * any other (the operation declares no fault).
 */
export function serviceBaseOperations(port: () => PortDefinition): OperationDefinition[] {
  return [
    { name: 'getVersion', parts: [], returns: 'soapenc:string', faults: false, run: async ({ service }) => text(service.version) },
    { name: 'getSchemaVersion', parts: [], returns: 'soapenc:string', faults: false, run: async ({ service }) => text(service.schemaVersion) },
    { name: 'getInterfaceVersion', parts: [], returns: 'soapenc:string', faults: false, run: async () => text(port().interfaceVersion) },
    {
      name: 'getServiceMetadata',
      parts: [{ name: 'key', type: 'soapenc:string' }],
      returns: 'soapenc:string',
      faults: false,
      run: async ({ ctx, parts, service }) => {
        const metadata: Readonly<Record<string, string>> = {
          'service.name': 'replicat',
          'service.version': service.version,
          'interface.version': port().interfaceVersion,
          'schema.version': service.schemaVersion,
          'limit.bulk': String(ctx.limits.maxItems),
          'limit.readDir': String(ctx.limits.maxPageSize),
        };
        const key = parts.optionalString('key') ?? '';
        return text(Object.hasOwn(metadata, key) ? metadata[key]! : null);
      },
    },
  ];
}
