/** The XML namespaces of the Fireman interfaces (../shared/reference/fireman-interface.md §1) and of SOAP itself. */
export const NS = {
  /** Shared catalog types (`tns1` in the Axis WSDLs, `glite` in gSOAP). */
  types: 'http://glite.org/wsdl/services/org.glite.data.catalog',
  fireman: 'http://glite.org/wsdl/services/org.glite.data.catalog.service.fireman',
  storageIndex: 'http://glite.org/wsdl/services/org.glite.data.catalog.service.storageindex',
  metadata: 'http://glite.org/wsdl/services/org.glite.data.catalog.service.meta',
  soap11: 'http://schemas.xmlsoap.org/soap/envelope/',
  soap12: 'http://www.w3.org/2003/05/soap-envelope',
  soapEncoding: 'http://schemas.xmlsoap.org/soap/encoding/',
  xsd: 'http://www.w3.org/2001/XMLSchema',
  xsi: 'http://www.w3.org/2001/XMLSchema-instance',
  wsdl: 'http://schemas.xmlsoap.org/wsdl/',
  wsdlSoap: 'http://schemas.xmlsoap.org/wsdl/soap/',
  axis: 'http://xml.apache.org/axis/',
  /** replicat's own additions (the request id in fault details). */
  replicat: 'urn:replicat:soap',
} as const;
