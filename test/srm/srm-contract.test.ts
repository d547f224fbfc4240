import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import request, { type Response } from 'supertest';
import { listOperations } from '../../src/rest/openapi-document';
import { createSrmApp } from '../../src/srm/srm-app';
import { srmDocument, srmOperations, srmValidators } from '../../src/srm/srm-contract';
import { SRM_HANDLERS } from '../../src/srm/srm-operations';
import type { RequestStatus } from '../../src/srm/srm-service';
import { FakeCatalog } from './fake-catalog';
import { testSrmService } from './test-srm-service';

const SURL = 'srm://se1.example.org/dpm/vo/c';
const TOKEN = '0123456789abcdef0123456789abcdef';

/** A body of each operation the contract refuses, with what is wrong with it. */
const MALFORMED: Readonly<Record<string, readonly (readonly [string, unknown])[]>> = {
  srmPing: [['a list', []]],
  srmLs: [
    ['no surls', {}],
    ['no SURL', { surls: [] }],
    ['an empty SURL', { surls: [''] }],
    ['a SURL that is not a string', { surls: [7] }],
    ['more than 10000 SURLs', { surls: Array.from({ length: 10_001 }, () => 's') }],
  ],
  srmPrepareToGet: [
    ['no surls', {}],
    ['an unknown field', { surls: [SURL], colour: 1 }],
    ['a pin of 0 s', { surls: [SURL], pinLifetimeSeconds: 0 }],
    ['a pin of 1.5 s', { surls: [SURL], pinLifetimeSeconds: 1.5 }],
    ['no protocol', { surls: [SURL], protocols: [] }],
  ],
  srmPrepareToPut: [
    ['no file', { files: [] }],
    ['a file without its LFN', { files: [{ surl: SURL }] }],
    ['a file with an unknown field', { files: [{ surl: SURL, lfn: '/grid/c', size: 1 }] }],
    ['an unknown field', { files: [{ surl: SURL, lfn: '/grid/c' }], colour: 1 }],
  ],
  srmPutDone: [
    ['no token', {}],
    ['a token that is not one', { token: 'nonsense' }],
    ['no SURL', { token: TOKEN, surls: [] }],
    ['an unknown field', { token: TOKEN, colour: 1 }],
  ],
  srmReleaseFiles: [
    ['no token', {}],
    ['a token in capitals', { token: TOKEN.toUpperCase() }],
    ['SURLs that are not a list', { token: TOKEN, surls: SURL }],
  ],
  srmAbortRequest: [
    ['no token', {}],
    ['SURLs, which abort does not take', { token: TOKEN, surls: [SURL] }],
  ],
  srmRm: [
    ['no surls', {}],
    ['SURLs that are not a list', { surls: SURL }],
  ],
};

interface ContractResponse {
  readonly $ref?: string;
  readonly content?: Readonly<Record<string, { readonly schema?: { readonly $ref?: string } }>>;
}

/** The schema the contract gives an operation's answer of this status (or its default answer). */
function answerSchema(operationId: string, status: number): string | undefined {
  const found = listOperations(srmDocument()).find(({ operation }) => operation.operationId === operationId);
  if (found === undefined) throw new Error(`no operation ${operationId} in srm.yaml`);
  const responses = (found.operation as unknown as { responses: Record<string, ContractResponse> }).responses;
  let response = responses[String(status)] ?? responses.default;
  if (response?.$ref !== undefined) {
    const name = response.$ref.replace('#/components/responses/', '');
    response = (srmDocument().components as unknown as { responses: Record<string, ContractResponse> }).responses[name];
  }
  return response?.content?.['application/json']?.schema?.$ref;
}

/** Fails unless the answer is one the contract declares for the operation, body and all. */
function expectAnswer(operationId: string, res: Response): void {
  const schema = answerSchema(operationId, res.status);
  if (schema === undefined) throw new Error(`${operationId} answered ${res.status}, which srm.yaml does not declare with a JSON body`);
  const issues = srmValidators().schema(schema)(res.body);
  if (issues.length > 0) throw new Error(`${operationId} ${res.status} does not match ${schema}: ${JSON.stringify(issues)}\n${JSON.stringify(res.body)}`);
}

describe('the mock SRM and its contract, openapi/srm.yaml', () => {
  let dir: string;
  let catalog: FakeCatalog;
  let clock: number;
  let app: ReturnType<typeof createSrmApp>;

  const makeApp = (maxBodyBytes?: number) => {
    const service = testSrmService(new Map([['se1', join(dir, 'se1')], ['tape', join(dir, 'tape')]]), catalog, () => clock);
    return createSrmApp({
      service,
      identify: (req) => ({ id: req.get('x-caller') ?? 'alice' }),
      logger: pino({ level: 'silent' }),
      ...(maxBodyBytes !== undefined ? { maxBodyBytes } : {}),
    });
  };
  const post = (op: string, body: unknown, who = 'alice') => request(app).post(`/srm/v2/${op}`).set('x-caller', who).send(body as object);

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'srm-contract-'));
    catalog = new FakeCatalog();
    const se = (name: string, nearline: boolean, prefix: string) => ({
      name,
      host: `${name}.example.org`,
      surlPrefixes: [prefix],
      status: 'online' as const,
      nearline,
      protocols: [{ scheme: 'http', turlTemplate: `http://srm.test/data/${name}{path}` }],
    });
    catalog.ses.push(se('se1', false, 'srm://se1.example.org/dpm/'), se('tape', true, 'srm://tape.example.org/'));
    clock = 1_000_000;
    app = makeApp();
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('routes every operation of the contract, and has handlers for those and no others', async () => {
    expect(Object.keys(SRM_HANDLERS).sort()).toEqual(srmOperations().map(({ operation }) => operation.operationId).sort());
    const operations = listOperations(srmDocument());
    expect(operations.map(({ operation }) => operation.operationId).sort()).toEqual([
      'readTurl',
      'srmAbortRequest',
      'srmLs',
      'srmPing',
      'srmPrepareToGet',
      'srmPrepareToPut',
      'srmPutDone',
      'srmReleaseFiles',
      'srmRm',
      'srmStatusOfRequest',
      'statTurl',
      'writeTurl',
    ]);
    for (const { path, method, operation } of operations) {
      const url = path.replace('{token}', TOKEN).replace('{se}', 'se1').replace('{path}', 'dpm/vo/c');
      const res = await request(app)[method](url).send(method === 'post' ? {} : undefined);
      const explanation = (res.body as { explanation?: string }).explanation ?? '';
      // The fallback for what is not routed: 404 "no such operation" (and a HEAD answer has no body to say it).
      expect([operation.operationId, res.status === 404 && (method === 'head' || /^no such operation/.test(explanation))]).toEqual([operation.operationId, false]);
    }
  });

  it('answers a malformed body of every operation with 400 SRM_INVALID_REQUEST and what is wrong', async () => {
    const withBodies = srmOperations().filter(({ operation }) => operation.requestBody !== undefined);
    expect(withBodies.map(({ operation }) => operation.operationId).sort()).toEqual(Object.keys(MALFORMED).sort());
    for (const { path, operation } of withBodies) {
      const op = path.replace('/srm/v2/', '');
      for (const [what, body] of [...MALFORMED[operation.operationId]!, ['a string', 'surls'] as const]) {
        const res = await post(op, body);
        expect([operation.operationId, what, res.status, (res.body as { status?: string }).status]).toEqual([operation.operationId, what, 400, 'SRM_INVALID_REQUEST']);
        expectAnswer(operation.operationId, res);
      }
      const notJson = await request(app).post(path).set('content-type', 'application/json').send('{"surls": [');
      expect([operation.operationId, notJson.status, notJson.body]).toEqual([operation.operationId, 400, { status: 'SRM_INVALID_REQUEST', explanation: 'the body is not valid JSON' }]);
    }
    const res = await post('prepare-to-get', { surls: [SURL], colour: 1 });
    expect((res.body as { explanation: string }).explanation).toBe('the body does not match the SRM contract: / unknown field "colour"');
  });

  it('takes a call without a body where the contract allows one, and refuses a body larger than its limit with 413', async () => {
    const ping = await request(app).post('/srm/v2/ping');
    expect(ping.status).toBe(200);
    expectAnswer('srmPing', ping);
    const missing = await request(app).post('/srm/v2/ls');
    expect([missing.status, (missing.body as { explanation: string }).explanation]).toEqual([400, 'the body does not match the SRM contract: / missing field "surls"']);
    app = makeApp(1000);
    const large = await post('ls', { surls: Array.from({ length: 100 }, (_, i) => `${SURL}/${i}`) });
    expect([large.status, large.body]).toEqual([413, { status: 'SRM_INVALID_REQUEST', explanation: 'the body is larger than the 1000 bytes an SRM call may have' }]);
    expectAnswer('srmLs', large);
  });

  it('answers every operation with the bodies the contract declares, failures included', async () => {
    expectAnswer('srmPing', await post('ping', {}));
    const put = await post('prepare-to-put', { files: [{ surl: SURL, lfn: '/grid/c' }, { surl: 'srm://tape.example.org/t', lfn: '/grid/t' }, { surl: 'srm://elsewhere/x', lfn: '/grid/x' }] });
    expectAnswer('srmPrepareToPut', put);
    const { token, files } = put.body as RequestStatus;
    for (const file of files.filter((f) => f.turl !== undefined)) {
      const turl = new URL(file.turl!);
      const written = await request(app).put(turl.pathname + turl.search).send('contract bytes');
      expect([written.status, written.body, file.turl]).toEqual([201, expect.anything(), file.turl]);
      expectAnswer('writeTurl', written);
    }
    expectAnswer('srmPutDone', await post('put-done', { token, surls: [SURL] }));
    expectAnswer('srmPutDone', await post('put-done', { token }));
    expectAnswer('srmLs', await post('ls', { surls: [SURL, 'srm://se1.example.org/dpm/none'] }));
    const get = await post('prepare-to-get', { surls: [SURL, 'srm://tape.example.org/t'], pinLifetimeSeconds: 60 });
    expectAnswer('srmPrepareToGet', get);
    const getToken = (get.body as RequestStatus).token;
    expect((get.body as RequestStatus).files[1]).toMatchObject({ status: 'SRM_REQUEST_QUEUED', estimatedWaitTime: 30 });
    expectAnswer('srmStatusOfRequest', await request(app).get(`/srm/v2/requests/${getToken}`));
    const denied = await request(app).get('/data/tape/t');
    expect(denied.status).toBe(403);
    expectAnswer('readTurl', denied);
    expectAnswer('readTurl', await request(app).get('/data/nowhere/t'));
    expectAnswer('srmReleaseFiles', await post('release', { token: getToken, surls: [SURL] }));
    expectAnswer('srmAbortRequest', await post('abort', { token: getToken }));
    const strangers = await post('release', { token: getToken }, 'mallory');
    expect(strangers.status).toBe(403);
    expectAnswer('srmReleaseFiles', strangers);
    const unknown = await request(app).get(`/srm/v2/requests/${TOKEN}`);
    expect(unknown.status).toBe(404);
    expectAnswer('srmStatusOfRequest', unknown);
    expectAnswer('srmRm', await post('rm', { surls: [SURL, 'srm://elsewhere/x'] }));
  });
});
