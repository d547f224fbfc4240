import pino from 'pino';
import { Authenticator } from '../../src/auth/authenticator';
import type { AuthConfig } from '../../src/config';
import { bootstrapAdmin } from '../../src/core/accounts';
import {
  Conflict,
  DeadlineExceeded,
  ERROR_CODES,
  errorFromResponse,
  Exists,
  HttpError,
  Internal,
  InvalidArgument,
  IsADirectory,
  LimitExceeded,
  Loop,
  NotADirectory,
  NotEmpty,
  NotExists,
  PermissionDenied,
  ReplicatError,
  toError,
  Unauthenticated,
  Unavailable,
} from '../../sdk/src';
import { startSdkService, type SdkTestService } from './sdk-harness';

const ADMIN_PASSWORD = 'correct horse battery';
const CONFIG: AuthConfig = {
  allowAnonymous: false,
  adminPassword: ADMIN_PASSWORD,
  x509: { certDir: undefined, vomsDir: undefined, refreshSeconds: 0, vomsTargets: [] },
  trustedProxies: [],
  clientCertHeader: 'ssl-client-escaped-cert',
};

const problem = (code: string, status: number, extra: Record<string, unknown> = {}) => ({
  type: `/docs/errors#${code}`,
  title: 'x',
  status,
  code,
  detail: `detail of ${code}`,
  ...extra,
});

describe('errors from problem+json', () => {
  it.each([
    ['NotExists', 404, NotExists],
    ['Exists', 409, Exists],
    ['PermissionDenied', 403, PermissionDenied],
    ['InvalidArgument', 400, InvalidArgument],
    ['NotEmpty', 409, NotEmpty],
    ['NotADirectory', 409, NotADirectory],
    ['IsADirectory', 409, IsADirectory],
    ['Loop', 409, Loop],
    ['Conflict', 409, Conflict],
    ['LimitExceeded', 413, LimitExceeded],
    ['DeadlineExceeded', 504, DeadlineExceeded],
    ['Unavailable', 503, Unavailable],
    ['Internal', 500, Internal],
  ] as const)('%s (%i) becomes its own class, with the detail, status, request id and problem', (code, status, ErrorClass) => {
    const body = problem(code, status);
    const error = errorFromResponse(status, body, 'req-1');
    expect(error).toBeInstanceOf(ErrorClass);
    expect(error).toBeInstanceOf(ReplicatError);
    expect(error).toMatchObject({ code, status, requestId: 'req-1', message: `detail of ${code}`, problem: body, name: ErrorClass.name });
  });

  it('knows every code of the contract', () => {
    expect([...ERROR_CODES].sort()).toEqual(
      ['NotExists', 'Exists', 'PermissionDenied', 'InvalidArgument', 'NotEmpty', 'NotADirectory', 'IsADirectory', 'Loop', 'Conflict', 'LimitExceeded', 'DeadlineExceeded', 'TooManyRequests', 'Unavailable', 'Internal'].sort(),
    );
  });

  it('makes a 401 Unauthenticated, whatever its code, with the methods the service accepts', () => {
    const error = errorFromResponse(401, problem('PermissionDenied', 401, { methods: ['basic', 'bearer'] }), undefined);
    expect(error).toBeInstanceOf(Unauthenticated);
    expect(error).toMatchObject({ code: 'Unauthenticated', methods: ['basic', 'bearer'] });
  });

  it('takes the request id from the body when the header is missing', () => {
    expect(errorFromResponse(404, problem('NotExists', 404, { requestId: 'in-body' }), undefined).requestId).toBe('in-body');
  });

  it('goes by the status when the body is not a problem (a proxy’s page)', () => {
    expect(errorFromResponse(503, '<html>upstream down</html>', undefined)).toBeInstanceOf(Unavailable);
    expect(errorFromResponse(404, '', undefined)).toBeInstanceOf(NotExists);
    const bad = errorFromResponse(502, '<html><body>Bad gateway</body></html>', undefined);
    expect(bad).toBeInstanceOf(Internal);
    expect(bad.message).toBe('HTTP 502: <html><body>Bad gateway</body></html>');
    expect(errorFromResponse(418, 'teapot', undefined)).toBeInstanceOf(HttpError);
  });

  it('turns a failed item into the same classes', () => {
    const error = toError({ code: 'NotADirectory', message: 'not a directory: /a/f' });
    expect(error).toBeInstanceOf(NotADirectory);
    expect(error.message).toBe('not a directory: /a/f');
  });
});

describe('errors from a real service', () => {
  let svc: SdkTestService;
  let auth: Authenticator | undefined;

  beforeAll(async () => {
    svc = await startSdkService({ maxItems: 50 }, { identify: (req) => auth!.identify(req) });
    auth = new Authenticator({
      db: svc.catalog.database.db,
      config: CONFIG,
      anonymous: { dn: '/O=replicat/CN=anonymous', group: '' },
      tls: false,
      logger: pino({ level: 'silent' }),
    });
    await bootstrapAdmin(svc.catalog.database.db, ADMIN_PASSWORD);
  });
  afterAll(async () => {
    auth?.close();
    await svc.close();
  });

  const admin = () => svc.client({ credentials: { type: 'basic', username: 'admin', password: ADMIN_PASSWORD } });

  it('is Unauthenticated without credentials, with the accepted methods and the request id', async () => {
    const error = await svc.client().whoami().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Unauthenticated);
    expect(error).toMatchObject({ status: 401, methods: ['basic', 'bearer'] });
    expect((error as Unauthenticated).requestId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('is Unauthenticated with a wrong password or token, never retried', async () => {
    svc.requests.length = 0;
    await expect(svc.client({ credentials: { type: 'basic', username: 'admin', password: 'wrong password' } }).whoami()).rejects.toBeInstanceOf(Unauthenticated);
    await expect(svc.client({ credentials: { type: 'bearer', token: 'rpl_nonsense' } }).whoami()).rejects.toBeInstanceOf(Unauthenticated);
    expect(svc.requests).toHaveLength(2);
  });

  it('is InvalidArgument for a body the contract refuses, with the validation errors', async () => {
    const error = await admin().entries.stat([{ lfn: '' }, { lfn: '/a' }]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidArgument);
    expect((error as InvalidArgument).problem?.errors).toEqual([expect.objectContaining({ path: '/items/0/lfn' })]);
  });

  it('is LimitExceeded when a client is told a larger limit than the service’s', async () => {
    const error = await svc.client({ credentials: { type: 'basic', username: 'admin', password: ADMIN_PASSWORD }, maxItems: 1000 })
      .entries.stat(Array.from({ length: 51 }, (_, i) => `/f${i}`))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LimitExceeded);
    expect((error as LimitExceeded).message).toMatch(/too many items: 51 \(the limit is 50/);
  });

  it('is NotExists for a missing schema, carrying the id the service logged the request under', async () => {
    const error = await admin().schemas.describe('nope').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NotExists);
    expect((error as NotExists).requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect((error as NotExists).problem).toMatchObject({ requestId: (error as NotExists).requestId });
  });

  it('answers failed items as results, not exceptions', async () => {
    const [missing] = await admin().entries.stat(['/nope']);
    expect(missing).toEqual({ ok: false, error: { code: 'NotExists', message: expect.stringContaining('/nope') } });
    if (missing!.ok) throw new Error('unreachable');
    expect(toError(missing!.error)).toBeInstanceOf(NotExists);
  });
});
