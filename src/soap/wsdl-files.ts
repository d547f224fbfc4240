import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../package-root';
import { SOAP_PORTS } from './soap-router';
import { catalogSchemaDocument, PLACEHOLDER_ADDRESS, wsdlDocument } from './wsdl-document';

/**
 * The files of wsdl/, generated from the port definitions that also drive the dispatcher. A test fails
 * when they are stale; `npm run wsdl` rewrites them.
 */
export function wsdlFiles(): Map<string, string> {
  const files = new Map<string, string>();
  for (const port of SOAP_PORTS) files.set(port.wsdlFile, wsdlDocument(port, `${PLACEHOLDER_ADDRESS}/${port.name}`));
  files.set('org.glite.data.catalog-types.xsd', catalogSchemaDocument());
  return files;
}

if (require.main === module) {
  const dir = join(packageRoot(), 'wsdl');
  for (const [name, text] of wsdlFiles()) {
    writeFileSync(join(dir, name), text);
    console.log(`wrote wsdl/${name}`);
  }
}
