import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../../src/package-root';
import { generateOpenApiTypes, OPENAPI_TYPES_FILE } from './openapi-types';
import { generateSoapTypes, SOAP_TYPES_FILE } from './soap-types';
import { generateSrmTypes, SRM_TYPES_FILE } from './srm-types';

/** Every generated file of the SDK, by its path from the repository root. */
export async function generatedFiles(): Promise<Map<string, string>> {
  return new Map([
    [OPENAPI_TYPES_FILE, await generateOpenApiTypes()],
    [SOAP_TYPES_FILE, generateSoapTypes()],
    [SRM_TYPES_FILE, await generateSrmTypes()],
  ]);
}

if (require.main === module) {
  generatedFiles().then(
    (files) => {
      for (const [path, text] of files) {
        writeFileSync(join(packageRoot(), path), text);
        console.log(`wrote ${path}`);
      }
    },
    (error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    },
  );
}
