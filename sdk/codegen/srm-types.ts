import { join } from 'node:path';
import { contractTypes, generatedHeader, readContract } from './openapi-types';

export const SRM_TYPES_FILE = join('sdk', 'src', 'generated', 'srm.ts');

/**
 * The TypeScript of the mock SRM's contract, openapi/srm.yaml, and the one bound the client cuts its
 * calls by: the most SURLs one call may carry (`maxItems` of the `Surls` schema).
 */
export async function generateSrmTypes(): Promise<string> {
  const document = readContract('srm.yaml');
  const surls = document.components?.schemas?.Surls as { maxItems?: unknown } | undefined;
  if (typeof surls?.maxItems !== 'number') throw new Error('openapi/srm.yaml: components.schemas.Surls has no maxItems');
  const bounds = `
/** The most SURLs (or files) one SRM call may carry: \`maxItems\` of the contract's \`Surls\`. */
export const SRM_MAX_ITEMS = ${surls.maxItems};
`;
  return generatedHeader('srm.yaml') + (await contractTypes(document)) + bounds;
}
