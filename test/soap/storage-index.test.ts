import type { Client } from 'soap';
import { asArray, call, expectFault, itemsOf, list, startSoapService, type SoapTestService } from './soap-harness';

let svc: SoapTestService;
let si: Client;
let guid: string;
const LFN = '/grid/vo/data/run1.root';

beforeAll(async () => {
  svc = await startSoapService();
  si = await svc.client('StorageIndex');
  const fireman = await svc.client('FiremanCatalog');
  await call(fireman, 'mkdir', { directories: list('/grid/vo/data'), createParents: true });
  const replica = (surl: string) => ({ masterReplica: false, creationTime: 0, modifyTime: 0, surl });
  await call(fireman, 'create', {
    entries: list(
      {
        lfn: LFN,
        guid: null,
        surlStats: [replica('srm://SE1.example.org:8446/srm/managerv2?SFN=/a'), replica('gsiftp://se2.example.org/b'), replica('srm://se1.example.org/c')],
      },
      { lfn: '/grid/vo/data/empty', guid: null },
    ),
  });
  guid = (asArray((await call(fireman, 'getGuidForLfn', { lfns: list(LFN) })) as { item: { string2: string } }[])[0]!.item).string2;
});
afterAll(async () => svc.close());

const ses = async (operation: string, args: Record<string, unknown>) => asArray(((await call(si, operation, args)) as { item?: string | string[] } | undefined)?.item);

describe('StorageIndex through its WSDL', () => {
  it('lists the distinct storage elements of a file by LFN and by GUID', async () => {
    expect(await ses('listSEbyLFN', { lfn: LFN })).toEqual(['se1.example.org', 'se2.example.org']);
    expect(await ses('listSEbyGUID', { guid })).toEqual(['se1.example.org', 'se2.example.org']);
  });

  it('accepts the lfn: and guid: prefixes of JDL InputData', async () => {
    expect(await ses('listSEbyLFN', { lfn: `lfn:${LFN}` })).toEqual(['se1.example.org', 'se2.example.org']);
    expect(await ses('listSEbyGUID', { guid: `guid:${guid}` })).toEqual(['se1.example.org', 'se2.example.org']);
  });

  it('answers an empty list for a file without replicas, and NotExists for an unknown name', async () => {
    expect(await ses('listSEbyLFN', { lfn: '/grid/vo/data/empty' })).toEqual([]);
    expect((await expectFault(call(si, 'listSEbyLFN', { lfn: '/grid/vo/data/none' }))).name).toBe('NotExistsException');
    expect((await expectFault(call(si, 'listSEbyGUID', { guid: '00000000-0000-0000-0000-000000000000' }))).name).toBe('NotExistsException');
    expect((await expectFault(call(si, 'listSEbyGUID', { guid: 'nonsense' }))).name).toBe('InvalidArgumentException');
  });

  it('inherits ServiceBase', async () => {
    expect(await call(si, 'getInterfaceVersion')).toBe('2.0.0');
  });
});

/** The request the gLite WMS broker's gSOAP stub sends: no xsi:type, unqualified part, empty SOAPAction. */
function brokerRequest(operation: string, argument: string, value: string): string {
  return (
    '<?xml version="1.0" encoding="UTF-8"?>\n' +
    '<SOAP-ENV:Envelope xmlns:SOAP-ENV="http://schemas.xmlsoap.org/soap/envelope/" ' +
    'xmlns:SOAP-ENC="http://schemas.xmlsoap.org/soap/encoding/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" ' +
    'xmlns:xsd="http://www.w3.org/2001/XMLSchema" ' +
    'xmlns:storageindex="http://glite.org/wsdl/services/org.glite.data.catalog.service.storageindex">' +
    `<SOAP-ENV:Body><storageindex:${operation}><${argument}>${value}</${argument}></storageindex:${operation}></SOAP-ENV:Body>` +
    '</SOAP-ENV:Envelope>'
  );
}

describe('StorageIndex as the WMS broker calls it', () => {
  it.each(['in0', 'lfn', 'arg0', 'inputData'])('answers listSEbyLFN with the argument named %s', async (argument) => {
    const res = await svc.post('StorageIndex', brokerRequest('listSEbyLFN', argument, LFN), { soapaction: '' });
    expect(res.status).toBe(200);
    expect(res.body).toContain('<listSEbyLFNReturn><item>se1.example.org</item><item>se2.example.org</item></listSEbyLFNReturn>');
    expect(res.body).toContain('<ns1:listSEbyLFNResponse xmlns:ns1="http://glite.org/wsdl/services/org.glite.data.catalog.service.storageindex">');
  });

  it('answers listSEbyGUID the same way', async () => {
    const res = await svc.post('StorageIndex', brokerRequest('listSEbyGUID', 'in0', guid), { soapaction: '' });
    expect(res.status).toBe(200);
    expect(itemsOf(res.body)).toEqual(['se1.example.org', 'se2.example.org']);
  });

  it('faults NotExistsException, with the fault part the stubs decode, for an unknown LFN', async () => {
    const res = await svc.post('StorageIndex', brokerRequest('listSEbyLFN', 'in0', '/grid/vo/none'), { soapaction: '' });
    expect(res.status).toBe(500);
    expect(res.body).toContain('<faultcode>soapenv:Server.userException</faultcode>');
    expect(res.body).toMatch(/<detail><fault xmlns:tns1="http:\/\/glite.org\/wsdl\/services\/org.glite.data.catalog" xsi:type="tns1:NotExistsException"><message>[^<]*\/grid\/vo\/none<\/message><\/fault>/);
  });
});
