import { FAULT_NAMES } from './faults';
import { NS } from './namespaces';
import type { OperationDefinition, PortDefinition } from './operation';
import { arrayItemType, CATALOG_TYPES, type ComplexTypeDefinition, type WireType } from './wire-types';
import { escapeXml } from './xml-writer';

/** The address written into the checked-in WSDL files; a served WSDL carries the request's own address. */
export const PLACEHOLDER_ADDRESS = 'http://localhost:8080/soap';

/**
 * Writes the WSDL of a port in the shape Axis 1.x Java2WSDL gave the gLite catalog WSDLs: rpc/literal,
 * shared types inline in the tns1 schema, `ArrayOf_*` types in the port's namespace, one message per
 * input and output, fault messages with the single part `fault`, soapAction "".
 */
export function wsdlDocument(port: PortDefinition, location: string): string {
  const ns = port.namespace;
  const lines: string[] = [];
  const add = (indent: number, text: string) => lines.push(' '.repeat(indent) + text);
  add(0, '<?xml version="1.0" encoding="UTF-8"?>');
  add(
    0,
    `<wsdl:definitions targetNamespace="${ns}" xmlns="${NS.wsdl}" xmlns:apachesoap="http://xml.apache.org/xml-soap" ` +
      `xmlns:impl="${ns}" xmlns:intf="${ns}" xmlns:soapenc="${NS.soapEncoding}" xmlns:tns1="${NS.types}" ` +
      `xmlns:wsdl="${NS.wsdl}" xmlns:wsdlsoap="${NS.wsdlSoap}" xmlns:xsd="${NS.xsd}">`,
  );
  add(1, '<wsdl:types>');
  lines.push(...catalogSchema(2).split('\n'));
  add(2, `<schema targetNamespace="${ns}" xmlns="${NS.xsd}">`);
  add(3, `<import namespace="${NS.soapEncoding}"/>`);
  add(3, `<import namespace="${NS.types}"/>`);
  for (const array of usedArrays(port.operations)) {
    add(3, `<complexType name="${array.slice('impl:'.length)}">`);
    add(4, '<complexContent>');
    add(5, '<restriction base="soapenc:Array">');
    add(6, `<attribute ref="soapenc:arrayType" wsdl:arrayType="${arrayItemType(array)}[]"/>`);
    add(5, '</restriction>');
    add(4, '</complexContent>');
    add(3, '</complexType>');
  }
  add(2, '</schema>');
  add(1, '</wsdl:types>');

  for (const op of port.operations) {
    add(1, `<wsdl:message name="${op.name}Request">`);
    for (const part of op.parts) add(2, `<wsdl:part name="${part.name}" type="${part.type}"/>`);
    add(1, '</wsdl:message>');
    add(1, `<wsdl:message name="${op.name}Response">`);
    if (op.returns) add(2, `<wsdl:part name="${op.name}Return" type="${op.returns}"/>`);
    add(1, '</wsdl:message>');
  }
  for (const fault of FAULT_NAMES) {
    add(1, `<wsdl:message name="${fault}">`);
    add(2, `<wsdl:part name="fault" type="tns1:${fault}"/>`);
    add(1, '</wsdl:message>');
  }

  add(1, `<wsdl:portType name="${port.name}">`);
  for (const op of port.operations) {
    const order = op.parts.length > 0 ? ` parameterOrder="${op.parts.map((p) => p.name).join(' ')}"` : '';
    add(2, `<wsdl:operation name="${op.name}"${order}>`);
    add(3, `<wsdl:input message="impl:${op.name}Request" name="${op.name}Request"/>`);
    add(3, `<wsdl:output message="impl:${op.name}Response" name="${op.name}Response"/>`);
    for (const fault of faultsOf(op)) add(3, `<wsdl:fault message="impl:${fault}" name="${fault}"/>`);
    add(2, '</wsdl:operation>');
  }
  add(1, '</wsdl:portType>');

  add(1, `<wsdl:binding name="${port.name}SoapBinding" type="impl:${port.name}">`);
  add(2, '<wsdlsoap:binding style="rpc" transport="http://schemas.xmlsoap.org/soap/http"/>');
  for (const op of port.operations) {
    add(2, `<wsdl:operation name="${op.name}">`);
    add(3, '<wsdlsoap:operation soapAction=""/>');
    for (const direction of ['input', 'output'] as const) {
      const suffix = direction === 'input' ? 'Request' : 'Response';
      add(3, `<wsdl:${direction} name="${op.name}${suffix}">`);
      add(4, `<wsdlsoap:body namespace="${ns}" use="literal"/>`);
      add(3, `</wsdl:${direction}>`);
    }
    for (const fault of faultsOf(op)) {
      add(3, `<wsdl:fault name="${fault}">`);
      add(4, `<wsdlsoap:fault name="${fault}" use="literal"/>`);
      add(3, '</wsdl:fault>');
    }
    add(2, '</wsdl:operation>');
  }
  add(1, '</wsdl:binding>');

  add(1, `<wsdl:service name="${port.name}Service">`);
  add(2, `<wsdl:port binding="impl:${port.name}SoapBinding" name="${port.name}">`);
  add(3, `<wsdlsoap:address location="${escapeXml(location)}"/>`);
  add(2, '</wsdl:port>');
  add(1, '</wsdl:service>');
  add(0, '</wsdl:definitions>');
  return lines.join('\n') + '\n';
}

/** The shared types schema (namespace tns1), also written on its own as wsdl/org.glite.data.catalog-types.xsd. */
export function catalogSchema(indent = 0): string {
  const lines: string[] = [];
  const add = (depth: number, text: string) => lines.push(' '.repeat(indent + depth) + text);
  add(0, `<schema targetNamespace="${NS.types}" xmlns="${NS.xsd}">`);
  add(1, `<import namespace="${NS.soapEncoding}"/>`);
  for (const type of CATALOG_TYPES) writeComplexType(type, add);
  add(0, '</schema>');
  return lines.join('\n');
}

export function catalogSchemaDocument(): string {
  const schema = catalogSchema().replace(
    `<schema targetNamespace="${NS.types}" xmlns="${NS.xsd}">`,
    `<schema targetNamespace="${NS.types}" xmlns="${NS.xsd}" xmlns:soapenc="${NS.soapEncoding}" xmlns:tns1="${NS.types}" xmlns:xsd="${NS.xsd}">`,
  );
  return `<?xml version="1.0" encoding="UTF-8"?>\n${schema}\n`;
}

function writeComplexType(type: ComplexTypeDefinition, add: (depth: number, text: string) => void): void {
  add(1, `<complexType name="${type.name}">`);
  const fields = (depth: number) => {
    if (type.fields.length === 0) return add(depth, '<sequence/>');
    add(depth, '<sequence>');
    for (const f of type.fields) {
      const occurs = f.repeated ? ' maxOccurs="unbounded" minOccurs="0"' : '';
      add(depth + 1, `<element${occurs} name="${f.name}"${f.nillable ? ' nillable="true"' : ''} type="${f.type}"/>`);
    }
    add(depth, '</sequence>');
  };
  if (type.base) {
    add(2, '<complexContent>');
    add(3, `<extension base="${type.base}">`);
    fields(4);
    add(3, '</extension>');
    add(2, '</complexContent>');
  } else fields(2);
  add(1, '</complexType>');
}

function faultsOf(op: OperationDefinition): readonly string[] {
  return op.faults ? FAULT_NAMES : [];
}

function usedArrays(operations: readonly OperationDefinition[]): WireType[] {
  const used = new Set<WireType>();
  for (const op of operations) {
    for (const type of [...op.parts.map((p) => p.type), ...(op.returns ? [op.returns] : [])]) {
      if (type.startsWith('impl:ArrayOf_')) used.add(type);
    }
  }
  return [...used].sort();
}
