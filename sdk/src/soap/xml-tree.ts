import sax from 'sax';

/** An element of an answer: namespace URI, local name, attributes by `{uri}local`, children, own text. */
export interface XmlNode {
  readonly uri: string;
  readonly local: string;
  readonly attributes: ReadonlyMap<string, string>;
  readonly children: XmlNode[];
  text: string;
}

const XSI = 'http://www.w3.org/2001/XMLSchema-instance';

/** The answer is not XML the client reads (malformed, a DTD). */
export class XmlUnreadable extends Error {}

/**
 * Parses an answer into a small tree with a strict SAX parser. A DOCTYPE is refused, so no entity is
 * ever declared or fetched, whoever answered: the client trusts the service's XML no more than the
 * service trusts a client's.
 */
export function readXmlTree(xml: string): XmlNode {
  const parser = sax.parser(true, { xmlns: true, trim: false, normalize: false, position: false });
  const stack: XmlNode[] = [];
  let root: XmlNode | undefined;
  parser.ondoctype = () => {
    throw new XmlUnreadable('the answer declares a DTD');
  };
  parser.onopentag = (tag) => {
    const node = tag as sax.QualifiedTag;
    const attributes = new Map<string, string>();
    for (const attribute of Object.values(node.attributes)) {
      if (attribute.prefix === 'xmlns' || attribute.name === 'xmlns') continue;
      attributes.set(attribute.uri ? `{${attribute.uri}}${attribute.local}` : attribute.local, attribute.value);
    }
    const element: XmlNode = { uri: node.uri, local: node.local, attributes, children: [], text: '' };
    const parent = stack.at(-1);
    if (parent) parent.children.push(element);
    else root ??= element;
    stack.push(element);
  };
  parser.onclosetag = () => {
    stack.pop();
  };
  const onText = (text: string) => {
    const current = stack.at(-1);
    if (current) current.text += text;
  };
  parser.ontext = onText;
  parser.oncdata = onText;
  parser.onerror = (error) => {
    throw new XmlUnreadable(`malformed XML: ${error.message.split('\n')[0]}`);
  };
  parser.write(xml).close();
  if (root === undefined) throw new XmlUnreadable('no XML document in the answer');
  return root;
}

export function isNil(node: XmlNode): boolean {
  const nil = node.attributes.get(`{${XSI}}nil`);
  return nil === 'true' || nil === '1';
}

/** The `xsi:type` of an element, without its prefix (`tns1:NotExistsException` → `NotExistsException`). */
export function xsiTypeName(node: XmlNode): string | undefined {
  return node.attributes.get(`{${XSI}}type`)?.replace(/^.*:/, '');
}

export function child(node: XmlNode, local: string): XmlNode | undefined {
  return node.children.find((c) => c.local === local);
}
