import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { generatedFiles } from '../../sdk/codegen/generate';

const root = join(__dirname, '../..');

describe('generated SDK files', () => {
  it('are what `npm run sdk:generate` makes of openapi/openapi.yaml, openapi/srm.yaml and the SOAP port tables today', async () => {
    const files = await generatedFiles();
    expect([...files.keys()].sort()).toEqual([join('sdk', 'src', 'generated', 'openapi.ts'), join('sdk', 'src', 'generated', 'soap.ts'), join('sdk', 'src', 'generated', 'srm.ts')]);
    for (const [path, text] of files) {
      const committed = readFileSync(join(root, path), 'utf8');
      if (committed !== text) throw new Error(`${path} is stale: run \`npm run sdk:generate\` and commit the result`);
    }
  });
});
