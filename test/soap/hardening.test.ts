import { readFileSync } from 'node:fs';
import http from 'node:http';
import { join } from 'node:path';
import { wsdlFiles } from '../../src/soap/wsdl-files';
import { startSoapService, type SoapTestService } from './soap-harness';

const MAX_BODY = 256 * 1024;
let svc: SoapTestService;

beforeAll(async () => {
  svc = await startSoapService({ maxBodyBytes: MAX_BODY, maxItems: 100 });
});
afterAll(async () => svc.close());

const envelope = (body: string, prolog = '') =>
  `<?xml version="1.0"?>${prolog}<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body>${body}</soapenv:Body></soapenv:Envelope>`;

const getVersion = '<ns:getVersion xmlns:ns="http://glite.org/wsdl/services/org.glite.data.catalog.service.fireman"/>';

/** A fault from us: SOAP 1.1, HTTP 500, InvalidArgumentException in the detail. */
function expectClientFault(res: { status: number; body: string }, text: RegExp): void {
  expect(res.status).toBe(500);
  expect(res.body).toContain('<faultcode>soapenv:Client</faultcode>');
  expect(res.body).toContain('xsi:type="tns1:InvalidArgumentException"');
  expect(res.body).toMatch(text);
}

async function expectAlive(): Promise<void> {
  const res = await svc.post('FiremanCatalog', envelope(getVersion));
  expect(res.status).toBe(200);
  expect(res.body).toMatch(/<getVersionReturn>[^<]+<\/getVersionReturn>/);
}

describe('attacks', () => {
  afterEach(expectAlive);

  it('refuses an external file entity (XXE) without reading the file', async () => {
    const body = envelope('<ns:getServiceMetadata xmlns:ns="urn:x"><key>&xxe;</key></ns:getServiceMetadata>', '<!DOCTYPE e [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>');
    const res = await svc.post('FiremanCatalog', body);
    expectClientFault(res, /DTDs are not accepted/);
    expect(res.body).not.toContain('root:');
  });

  it('refuses an external network entity without connecting', async () => {
    let connected = false;
    const trap = http.createServer((_req, res) => {
      connected = true;
      res.end('trapped');
    });
    await new Promise<void>((resolve) => trap.listen(0, '127.0.0.1', resolve));
    const { port } = trap.address() as { port: number };
    const body = envelope('<ns:getServiceMetadata xmlns:ns="urn:x"><key>&net;</key></ns:getServiceMetadata>', `<!DOCTYPE e [<!ENTITY net SYSTEM "http://127.0.0.1:${port}/x">]>`);
    expectClientFault(await svc.post('FiremanCatalog', body), /DTDs are not accepted/);
    await new Promise<void>((resolve) => trap.close(() => resolve()));
    expect(connected).toBe(false);
  });

  it('refuses billion laughs at once', async () => {
    const entities = ['<!ENTITY lol "lol">'];
    for (let i = 1; i <= 9; i++) entities.push(`<!ENTITY lol${i} "${`&lol${i === 1 ? '' : i - 1};`.repeat(10)}">`);
    const body = envelope('<ns:getServiceMetadata xmlns:ns="urn:x"><key>&lol9;</key></ns:getServiceMetadata>', `<!DOCTYPE lolz [${entities.join('')}]>`);
    const started = Date.now();
    expectClientFault(await svc.post('FiremanCatalog', body), /DTDs are not accepted/);
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('refuses an undeclared entity reference (no DTD can declare one)', async () => {
    const body = envelope('<ns:getServiceMetadata xmlns:ns="urn:x"><key>&lol9;</key></ns:getServiceMetadata>');
    expectClientFault(await svc.post('FiremanCatalog', body), /malformed XML/);
  });

  it('refuses 10,000-deep nesting', async () => {
    const deep = `${'<a>'.repeat(10_000)}x${'</a>'.repeat(10_000)}`;
    expectClientFault(await svc.post('FiremanCatalog', envelope(`<ns:mkdir xmlns:ns="urn:x">${deep}</ns:mkdir>`)), /nested deeper than \d+ levels/);
  });

  it('refuses a chunked body over the limit as it streams in', async () => {
    const item = '<item>/grid/vo/a-rather-long-directory-name-to-fill-the-body</item>';
    const body = envelope(`<ns:mkdir xmlns:ns="urn:x"><directories>${item.repeat(Math.ceil((2 * MAX_BODY) / item.length))}</directories></ns:mkdir>`);
    const res = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const url = new URL(`${svc.baseUrl}/soap/FiremanCatalog`);
      const req = http.request(
        { host: url.hostname, port: url.port, path: url.pathname, method: 'POST', headers: { 'content-type': 'text/xml', 'transfer-encoding': 'chunked' } },
        (response) => {
          let text = '';
          response.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
          response.on('end', () => resolve({ status: response.statusCode ?? 0, body: text }));
        },
      );
      req.on('error', reject);
      for (let i = 0; i < body.length; i += 16_384) req.write(body.slice(i, i + 16_384));
      req.end();
    });
    expectClientFault(res, new RegExp(`larger than ${MAX_BODY} bytes`));
  });

  it('refuses a declared 100 MB body without reading it', async () => {
    const res = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const url = new URL(`${svc.baseUrl}/soap/FiremanCatalog`);
      const req = http.request(
        { host: url.hostname, port: url.port, path: url.pathname, method: 'POST', headers: { 'content-type': 'text/xml', 'content-length': 100 * 1024 * 1024 } },
        (response) => {
          let text = '';
          response.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
          response.on('end', () => resolve({ status: response.statusCode ?? 0, body: text }));
        },
      );
      req.on('error', reject);
      req.write(Buffer.alloc(64 * 1024, 0x20));
    });
    expectClientFault(res, /larger than/);
  });
});

describe('protocol errors are faults', () => {
  it('refuses more items than the bulk limit as a whole', async () => {
    const lfns = Array.from({ length: 101 }, (_, i) => `<item>/too/many/${i}</item>`).join('');
    const res = await svc.post('FiremanCatalog', envelope(`<ns:mkdir xmlns:ns="urn:x"><directories>${lfns}</directories><createParents>true</createParents></ns:mkdir>`));
    expect(res.status).toBe(500);
    expect(res.body).toContain('xsi:type="tns1:InvalidArgumentException"');
    expect(res.body).toMatch(/too many items: 101/);
  });

  it.each([
    ['malformed XML', envelope('<ns:getVersion xmlns:ns="urn:x">'), /malformed XML/],
    ['text that is not XML', 'hello', /malformed XML|no XML document/],
    ['a document that is not an envelope', '<getVersion/>', /not a SOAP envelope/],
    ['an empty Body', envelope(''), /Body is empty/],
    ['an unknown operation', envelope('<ns:createSchema xmlns:ns="urn:x"/>'), /has no operation createSchema/],
    ['two root elements', `${envelope(getVersion)}<again/>`, /more than one root|malformed/],
  ])('answers %s with a Client fault', async (_what, body, text) => {
    expectClientFault(await svc.post('FiremanCatalog', body), text);
  });

  it('answers an empty body and a non-UTF-8 body with Client faults', async () => {
    expectClientFault(await svc.post('FiremanCatalog', ''), /no body/);
    expectClientFault(await svc.post('FiremanCatalog', Buffer.from([0x3c, 0xff, 0xfe, 0x3e])), /not UTF-8/);
  });

  it('speaks SOAP 1.2 to a SOAP 1.2 client', async () => {
    const body = `<env:Envelope xmlns:env="http://www.w3.org/2003/05/soap-envelope"><env:Body>${getVersion}</env:Body></env:Envelope>`;
    const ok = await svc.post('FiremanCatalog', body, { 'content-type': 'application/soap+xml' });
    expect(ok.status).toBe(200);
    expect(ok.body).toContain('xmlns:soapenv="http://www.w3.org/2003/05/soap-envelope"');
    const fault = await svc.post('FiremanCatalog', body.replace('getVersion', 'noSuchOperation'), { 'content-type': 'application/soap+xml' });
    expect(fault.status).toBe(400);
    expect(fault.body).toContain('<soapenv:Value>soapenv:Sender</soapenv:Value>');
  });
});

describe('WSDL', () => {
  /** GET with a Host header of our choosing (fetch will not send one). */
  const getWithHost = (path: string, host: string) =>
    new Promise<string>((resolve, reject) => {
      const url = new URL(`${svc.baseUrl}${path}`);
      http
        .get({ host: url.hostname, port: url.port, path: `${url.pathname}${url.search}`, headers: { host } }, (response) => {
          let text = '';
          response.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
          response.on('end', () => resolve(text));
        })
        .on('error', reject);
    });

  it('is served with the address of the request own host', async () => {
    const wsdl = await getWithHost('/soap/FiremanCatalog?wsdl', 'catalog.example.org:8443');
    expect(wsdl).toContain('<wsdlsoap:address location="http://catalog.example.org:8443/soap/FiremanCatalog"/>');
    const si = await (await fetch(`${svc.baseUrl}/soap/StorageIndex?WSDL`)).text();
    expect(si).toContain(`<wsdlsoap:address location="${svc.baseUrl}/soap/StorageIndex"/>`);
  });

  it('does not echo a forged Host header into the document', async () => {
    const res = await getWithHost('/soap/FiremanCatalog?wsdl', 'x"/><evil a="');
    expect(res).toContain('<wsdlsoap:address location="http://localhost/soap/FiremanCatalog"/>');
    expect(res).not.toContain('evil');
  });

  it('advertises only the operations that are wired (MetadataBase, not MetadataSchema, on FiremanCatalog)', async () => {
    const wsdl = await (await fetch(`${svc.baseUrl}/soap/FiremanCatalog?wsdl`)).text();
    for (const op of ['getFileCatalogEntry', 'readDir', 'listReplicasByGuid', 'getLfnStat', 'setPermission', 'getPermission', 'checkPermission', 'setAttributes', 'query', 'associateDirWithSchema']) {
      expect(wsdl).toContain(`<wsdl:operation name="${op}"`);
    }
    for (const op of ['createSchema', 'createEntry']) expect(wsdl).not.toContain(`<wsdl:operation name="${op}"`);
    const meta = await (await fetch(`${svc.baseUrl}/soap/MetadataCatalog?wsdl`)).text();
    for (const op of ['setAttributes', 'query', 'createSchema', 'describeSchema', 'getVersion', 'createEntry', 'removeEntry']) expect(meta).toContain(`<wsdl:operation name="${op}"`);
    for (const op of ['readDir', 'associateDirWithSchema']) expect(meta).not.toContain(`<wsdl:operation name="${op}"`);
  });

  it('matches the files checked in under wsdl/ (npm run wsdl rewrites them)', () => {
    for (const [name, text] of wsdlFiles()) expect(readFileSync(join(__dirname, '../../wsdl', name), 'utf8')).toBe(text);
  });
});
