import { NS } from '../namespaces';
import type { PortDefinition } from '../operation';
import { metadataBaseOperations, metadataEntryOperations, metadataSchemaOperations } from './metadata-base';
import { serviceBaseOperations } from './service-base';

/**
 * MetadataCatalog (service MetadataCatalogService): MetadataBase + MetadataSchema + ServiceBase over the
 * same entries and schemas as FiremanCatalog and REST. Its items are LFNs; createEntry/removeEntry bind an
 * entry to a schema and drop its metadata (wsdl/README.md), since every namespace entry may carry metadata.
 */
export const METADATA_CATALOG: PortDefinition = {
  name: 'MetadataCatalog',
  namespace: NS.metadata,
  interfaceVersion: '2.0.0',
  wsdlFile: 'org.glite.data-metadata-2.0.0.wsdl',
  operations: [...serviceBaseOperations(() => METADATA_CATALOG), ...metadataBaseOperations, ...metadataEntryOperations, ...metadataSchemaOperations],
};
