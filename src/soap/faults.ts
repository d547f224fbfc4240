import type { ErrorCode } from '../core/errors';
import { envelope, type HeaderNotUnderstood, type SoapVersion } from './envelope';
import { NS } from './namespaces';
import { escapeXml } from './xml-writer';

/** The five CatalogException subclasses a Fireman client knows. */
export const FAULT_NAMES = [
  'InvalidArgumentException',
  'InternalException',
  'ExistsException',
  'NotExistsException',
  'AuthorizationException',
] as const;

export type FaultName = (typeof FAULT_NAMES)[number];

/** Core's error codes onto Fireman's faults: the one place this mapping lives. */
export function faultNameFor(code: ErrorCode): FaultName {
  switch (code) {
    case 'NotExists':
      return 'NotExistsException';
    case 'Exists':
      return 'ExistsException';
    case 'InvalidArgument':
    case 'NotEmpty':
    case 'NotADirectory':
    case 'IsADirectory':
    case 'Loop':
    case 'LimitExceeded':
      return 'InvalidArgumentException';
    case 'PermissionDenied':
    case 'TooManyRequests':
      return 'AuthorizationException';
    case 'Conflict':
    case 'DeadlineExceeded':
    case 'Unavailable':
    case 'Internal':
      return 'InternalException';
  }
}

/**
 * Who is to blame, as SOAP says it. `client`: the request itself is unusable (not XML, a DTD, no such
 * operation); `user`: the catalog refused the call, which Axis reports as `Server.userException`;
 * `server`: our fault.
 */
export type FaultSource = 'client' | 'user' | 'server';

export interface SoapFault {
  readonly name: FaultName;
  readonly message: string;
  readonly source: FaultSource;
  /** The request id (also in the x-request-id header), for finding the call in the service log. */
  readonly requestId?: string | undefined;
}

/**
 * A fault envelope. The detail holds one unqualified `<fault>` element (the WSDL part name) typed with
 * `xsi:type="tns1:<X>Exception"` so that Axis and gSOAP stubs, which share the element name across all
 * five faults, can tell them apart; Axis' own `exceptionName` follows for Axis clients that look for it.
 */
export function faultEnvelope(version: SoapVersion, fault: SoapFault): string {
  const message = escapeXml(fault.message);
  const detail =
    `<fault xmlns:tns1="${NS.types}" xsi:type="tns1:${fault.name}"><message>${message}</message></fault>` +
    `<ns2:exceptionName xmlns:ns2="${NS.axis}">org.glite.data.catalog.service.${fault.name}</ns2:exceptionName>` +
    // After Axis' own element, in replicat's namespace: stubs that read the typed <fault> skip it.
    (fault.requestId !== undefined ? `<rq:requestId xmlns:rq="${NS.replicat}">${escapeXml(fault.requestId)}</rq:requestId>` : '');
  if (version === '1.2') {
    const code = fault.source === 'client' ? 'soapenv:Sender' : 'soapenv:Receiver';
    return envelope(
      version,
      `<soapenv:Fault><soapenv:Code><soapenv:Value>${code}</soapenv:Value></soapenv:Code>` +
        `<soapenv:Reason><soapenv:Text xml:lang="en">${message}</soapenv:Text></soapenv:Reason>` +
        `<soapenv:Detail>${detail}</soapenv:Detail></soapenv:Fault>`,
    );
  }
  const code = fault.source === 'client' ? 'soapenv:Client' : fault.source === 'user' ? 'soapenv:Server.userException' : 'soapenv:Server';
  return envelope(version, `<soapenv:Fault><faultcode>${code}</faultcode><faultstring>${message}</faultstring><detail>${detail}</detail></soapenv:Fault>`);
}

/**
 * The MustUnderstand fault (SOAP 1.1 §4.4.1, SOAP 1.2 part 1 §5.4.8). It carries no Fireman detail: SOAP 1.1
 * keeps `detail` for errors of the Body, and the call never reached the catalog. SOAP 1.2 names each block
 * in a NotUnderstood header.
 */
export function mustUnderstandFault(version: SoapVersion, error: HeaderNotUnderstood): string {
  const message = escapeXml(error.message);
  if (version === '1.1') {
    return envelope(version, `<soapenv:Fault><faultcode>soapenv:MustUnderstand</faultcode><faultstring>${message}</faultstring></soapenv:Fault>`);
  }
  const notUnderstood = error.headers
    .map((h, i) => (h.uri === '' ? `<soapenv:NotUnderstood qname="${escapeXml(h.local)}"/>` : `<soapenv:NotUnderstood qname="nu${i}:${escapeXml(h.local)}" xmlns:nu${i}="${escapeXml(h.uri)}"/>`))
    .join('');
  return envelope(
    version,
    `<soapenv:Fault><soapenv:Code><soapenv:Value>soapenv:MustUnderstand</soapenv:Value></soapenv:Code>` +
      `<soapenv:Reason><soapenv:Text xml:lang="en">${message}</soapenv:Text></soapenv:Reason></soapenv:Fault>`,
    notUnderstood,
  );
}
