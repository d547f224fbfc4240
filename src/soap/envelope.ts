import { NS } from './namespaces';
import { escapeXml } from './xml-writer';
import { XmlRefused, type XmlElement } from './xml-reader';

export type SoapVersion = '1.1' | '1.2';

export interface SoapCall {
  readonly version: SoapVersion;
  /** The rpc wrapper element `{portNS}opName`; its children are the parts. */
  readonly operation: XmlElement;
}

/**
 * Finds the operation element of an rpc request. Headers are ignored (Fireman defined none). The
 * wrapper's namespace is not checked: old clients were generated against other versions of the WSDL,
 * and the operation name alone identifies the call on a port.
 */
export function openEnvelope(root: XmlElement): SoapCall {
  if (root.local !== 'Envelope' || (root.uri !== NS.soap11 && root.uri !== NS.soap12)) {
    throw new XmlRefused('not a SOAP envelope (expected a SOAP 1.1 or 1.2 Envelope element)');
  }
  const version: SoapVersion = root.uri === NS.soap12 ? '1.2' : '1.1';
  const body = root.children.find((child) => child.local === 'Body' && child.uri === root.uri);
  if (body === undefined) throw new XmlRefused('the SOAP envelope has no Body');
  const operation = body.children[0];
  if (operation === undefined) throw new XmlRefused('the SOAP Body is empty (no operation element)');
  return { version, operation };
}

export function contentType(version: SoapVersion): string {
  return version === '1.2' ? 'application/soap+xml; charset=utf-8' : 'text/xml; charset=utf-8';
}

/** Wraps body content in an Axis-style envelope (soapenv prefix; xsd and xsi declared once for nil and faults). */
export function envelope(version: SoapVersion, bodyContent: string): string {
  return (
    '<?xml version="1.0" encoding="UTF-8"?>' +
    `<soapenv:Envelope xmlns:soapenv="${version === '1.2' ? NS.soap12 : NS.soap11}" xmlns:xsd="${NS.xsd}" xmlns:xsi="${NS.xsi}">` +
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
