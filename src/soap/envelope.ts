import { NS } from './namespaces';
import { escapeXml } from './xml-writer';
import { XmlRefused, type XmlElement } from './xml-reader';

export type SoapVersion = '1.1' | '1.2';

export interface SoapCall {
  readonly version: SoapVersion;
  /** The rpc wrapper element `{portNS}opName`; its children are the parts. */
  readonly operation: XmlElement;
}

/** The roles this service acts in: SOAP 1.1's `next` actor and SOAP 1.2's `next` and `ultimateReceiver`. */
const OUR_ROLES: Readonly<Record<SoapVersion, readonly string[]>> = {
  '1.1': ['http://schemas.xmlsoap.org/soap/actor/next'],
  '1.2': [`${NS.soap12}/role/next`, `${NS.soap12}/role/ultimateReceiver`],
};

/** A header block's expanded name. */
export interface HeaderName {
  readonly uri: string;
  readonly local: string;
}

/**
 * Header blocks addressed to us with `mustUnderstand` on: the service understands no header, so the call
 * is not run (SOAP 1.1 §4.2.3, SOAP 1.2 part 1 §5.2.3) and a MustUnderstand fault names them.
 */
export class HeaderNotUnderstood extends Error {
  readonly headers: readonly HeaderName[];
  constructor(headers: readonly HeaderName[]) {
    const names = headers.map((h) => (h.uri === '' ? h.local : `{${h.uri.slice(0, 200)}}${h.local}`)).join(', ');
    super(`${headers.length === 1 ? 'header block' : 'header blocks'} ${names} must be understood, and this service understands no SOAP header`);
    this.headers = headers;
  }
}

/**
 * Finds the operation element of an rpc request: the one element of the Body. Header blocks are ignored
 * unless one addressed to us says `mustUnderstand` (Fireman defined no header, so we understand none).
 * The caller checks the operation's namespace against its port.
 */
export function openEnvelope(root: XmlElement): SoapCall {
  if (root.local !== 'Envelope' || (root.uri !== NS.soap11 && root.uri !== NS.soap12)) {
    throw new XmlRefused('not a SOAP envelope (expected a SOAP 1.1 or 1.2 Envelope element)');
  }
  const version: SoapVersion = root.uri === NS.soap12 ? '1.2' : '1.1';
  let header: XmlElement | undefined;
  let body: XmlElement | undefined;
  for (const child of root.children) {
    const isSoap = child.uri === root.uri;
    if (isSoap && child.local === 'Header') {
      if (header !== undefined || body !== undefined) throw new XmlRefused('the SOAP envelope has a Header after its Body or more than one Header');
      header = child;
    } else if (isSoap && child.local === 'Body') {
      if (body !== undefined) throw new XmlRefused('the SOAP envelope has more than one Body');
      body = child;
    } else if (version === '1.2' || body === undefined || child.uri === '') {
      // SOAP 1.1 lets namespace-qualified elements follow the Body (nothing here reads them); 1.2 does not.
      throw new XmlRefused(`unexpected element ${child.local.slice(0, 100)} in the SOAP envelope (expected a Header and a Body)`);
    }
  }
  if (body === undefined) throw new XmlRefused('the SOAP envelope has no Body');
  if (header !== undefined) checkMustUnderstand(header, version);
  const [operation, ...others] = body.children;
  if (operation === undefined) throw new XmlRefused('the SOAP Body is empty (no operation element)');
  if (others.length > 0) {
    const names = body.children.slice(0, 5).map((c) => c.local.slice(0, 100)).join(', ');
    throw new XmlRefused(`the SOAP Body holds ${body.children.length} elements (${names}${body.children.length > 5 ? ', …' : ''}); a call is exactly one operation element`);
  }
  return { version, operation };
}

function checkMustUnderstand(header: XmlElement, version: SoapVersion): void {
  const envelopeNs = version === '1.2' ? NS.soap12 : NS.soap11;
  const notUnderstood: HeaderName[] = [];
  for (const block of header.children) {
    const flag = block.attributes.get(`{${envelopeNs}}mustUnderstand`);
    if (flag === undefined || !isTrue(flag, block)) continue;
    const role = block.attributes.get(`{${envelopeNs}}${version === '1.2' ? 'role' : 'actor'}`);
    if (role !== undefined && !OUR_ROLES[version].includes(role.trim())) continue;
    notUnderstood.push({ uri: block.uri, local: block.local });
  }
  if (notUnderstood.length > 0) throw new HeaderNotUnderstood(notUnderstood);
}

/** SOAP 1.1 writes mustUnderstand as 0 or 1, SOAP 1.2 as an xs:boolean; both are read either way. */
function isTrue(flag: string, block: XmlElement): boolean {
  switch (flag.trim()) {
    case '1':
    case 'true':
      return true;
    case '0':
    case 'false':
      return false;
  }
  throw new XmlRefused(`mustUnderstand="${flag.slice(0, 20)}" on header block ${block.local.slice(0, 100)} is neither 1/true nor 0/false`);
}

export function contentType(version: SoapVersion): string {
  return version === '1.2' ? 'application/soap+xml; charset=utf-8' : 'text/xml; charset=utf-8';
}

/** Wraps body content in an Axis-style envelope (soapenv prefix; xsd and xsi declared once for nil and faults). */
export function envelope(version: SoapVersion, bodyContent: string, headerContent = ''): string {
  return (
    '<?xml version="1.0" encoding="UTF-8"?>' +
    `<soapenv:Envelope xmlns:soapenv="${version === '1.2' ? NS.soap12 : NS.soap11}" xmlns:xsd="${NS.xsd}" xmlns:xsi="${NS.xsi}">` +
    (headerContent === '' ? '' : `<soapenv:Header>${headerContent}</soapenv:Header>`) +
    `<soapenv:Body>${bodyContent}</soapenv:Body></soapenv:Envelope>`
  );
}

/** What an operation returns: nothing (void), or the content of its return element (null for xsi:nil). */
export type Returned = { readonly content: string | null } | undefined;

/**
 * The rpc response: `<ns1:opNameResponse><opNameReturn>…</opNameReturn></ns1:opNameResponse>`, the return
 * element unqualified, as Axis writes it.
 */
export function rpcResponse(version: SoapVersion, namespace: string, operation: string, returned: Returned): string {
  const name = `${operation}Return`;
  const inner = returned === undefined ? '' : returned.content === null ? `<${name} xsi:nil="true"/>` : `<${name}>${returned.content}</${name}>`;
  return envelope(version, `<ns1:${operation}Response xmlns:ns1="${escapeXml(namespace)}">${inner}</ns1:${operation}Response>`);
}
