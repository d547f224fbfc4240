import type { SrmComponents } from '@replicat/sdk';
import type { Request } from 'express';
import type { SrmCaller } from './srm-catalog';
import type { SrmService } from './srm-service';
import { requestStatus, type SrmStatusCode } from './srm-status';

type Schemas = SrmComponents['schemas'];

/**
 * What an SRM operation does once the caller is known and the body is valid against openapi/srm.yaml
 * (so a handler may take the body for the schema's type): call the service, answer its JSON.
 */
export type SrmHandler = (service: SrmService, caller: SrmCaller, body: unknown, req: Request) => unknown;

/** Handlers by operationId of `openapi/srm.yaml`; the app refuses to start if one is missing. */
export const SRM_HANDLERS: Readonly<Record<string, SrmHandler>> = {
  srmPing: (service) => ({ status: 'SRM_SUCCESS', ...service.ping() }),
  srmLs: async (service, caller, body) => summarize(await service.ls(caller, (body as Schemas['SurlsRequest']).surls)),
  srmPrepareToGet: (service, caller, body) => service.prepareToGet(caller, body as Schemas['PrepareToGetRequest']),
  srmPrepareToPut: (service, caller, body) => service.prepareToPut(caller, body as Schemas['PrepareToPutRequest']),
  srmPutDone: (service, caller, body) => {
    const { token, surls } = body as Schemas['TokenSurlsRequest'];
    return service.putDone(caller, token, surls);
  },
  srmReleaseFiles: (service, caller, body) => {
    const { token, surls } = body as Schemas['TokenSurlsRequest'];
    return service.releaseFiles(caller, token, surls);
  },
  srmAbortRequest: (service, caller, body) => service.abort(caller, (body as Schemas['TokenRequest']).token),
  srmRm: async (service, caller, body) => summarize(await service.rm(caller, (body as Schemas['SurlsRequest']).surls)),
  srmStatusOfRequest: (service, caller, _body, req) => service.status(caller, String(req.params.token)),
};

/** Files' statuses with the request-level status they add up to. */
function summarize(files: readonly { status: SrmStatusCode }[]): { status: SrmStatusCode; files: readonly unknown[] } {
  return { status: requestStatus(files.map((f) => f.status), false), files };
}
