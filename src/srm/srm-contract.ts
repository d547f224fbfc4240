import { listOperations, readOpenApiDocument, type HttpMethod, type OpenApiDocument, type OpenApiOperation } from '../rest/openapi-document';
import { ContractValidators } from '../rest/validation';

let document: OpenApiDocument | undefined;
let validators: ContractValidators | undefined;

/** `openapi/srm.yaml`, the single source of the mock SRM's contract, parsed once. */
export function srmDocument(): OpenApiDocument {
  document ??= readOpenApiDocument('srm.yaml');
  return document;
}

/** Body checks of the SRM operations, compiled once (with the REST face's machinery) from `srm.yaml`. */
export function srmValidators(): ContractValidators {
  validators ??= new ContractValidators(srmDocument());
  return validators;
}

/** The SRM's own operations (`/srm/v2/...`) of the contract; the TURL data paths are served apart. */
export function srmOperations(): { path: string; method: HttpMethod; operation: OpenApiOperation }[] {
  return listOperations(srmDocument()).filter(({ path }) => path.startsWith('/srm/'));
}
