import sax from 'sax';

/** One element of a parsed request: namespace URI, local name, attributes by `{uri}local`, children, text. */
export interface XmlElement {
  readonly uri: string;
  readonly local: string;
  readonly attributes: ReadonlyMap<string, string>;
  readonly children: XmlElement[];
  /** The element's own character data (CDATA included), concatenated; '' when it has none. */
  text: string;
}

export interface XmlReaderLimits {
  /** Nesting depth; a SOAP call of Fireman types needs about 10. */
  readonly maxDepth: number;
  /** Elements in one document, so that memory stays proportional to useful work, not to the body. */
  readonly maxElements: number;
}

export const DEFAULT_XML_LIMITS: XmlReaderLimits = { maxDepth: 64, maxElements: 1_000_000 };

/** The request is not XML we accept: malformed, a DTD, too deep. The message is safe to show the client. */
export class XmlRefused extends Error {}

const XSI = 'http://www.w3.org/2001/XMLSchema-instance';

/**
 * Parses a SOAP request into a small element tree with a strict, non-validating SAX parser.
 *
 * Hardening, by construction rather than by configuration: any DOCTYPE is refused, so no external
 * entity (XXE) is ever resolved and no internal entity is ever declared, and the parser knows only
 * the five predefined entities and character references — an undeclared `&name;` is an error, so entity
 * expansion (billion laughs) cannot happen. Depth and element count are bounded, and the caller bounds
 * the body size before it gets here.
 */
export function readXml(xml: string, limits: XmlReaderLimits = DEFAULT_XML_LIMITS): XmlElement {
  const parser = sax.parser(true, { xmlns: true, trim: false, normalize: false, position: false });
  const stack: XmlElement[] = [];
  let root: XmlElement | undefined;
  let elements = 0;

  parser.ondoctype = () => {
    throw new XmlRefused('DTDs are not accepted (no DOCTYPE, no entity declarations)');
  };
  parser.onsgmldeclaration = () => {
    throw new XmlRefused('SGML declarations are not accepted');
  };
  parser.onopentag = (tag) => {
    const node = tag as sax.QualifiedTag;
    if (root !== undefined && stack.length === 0) throw new XmlRefused('more than one root element');
    if (stack.length >= limits.maxDepth) throw new XmlRefused(`elements nested deeper than ${limits.maxDepth} levels`);
    if (++elements > limits.maxElements) throw new XmlRefused(`more than ${limits.maxElements} elements`);
    const attributes = new Map<string, string>();
    for (const attribute of Object.values(node.attributes)) {
      if (attribute.prefix === 'xmlns' || attribute.name === 'xmlns') continue;
      attributes.set(attribute.uri ? `{${attribute.uri}}${attribute.local}` : attribute.local, attribute.value);
    }
    const element: XmlElement = { uri: node.uri, local: node.local, attributes, children: [], text: '' };
    const parent = stack.at(-1);
    if (parent) parent.children.push(element);
    else root = element;
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
    throw new XmlRefused(`malformed XML: ${error.message.split('\n')[0]}`);
  };

  parser.write(xml).close();
  if (root === undefined) throw new XmlRefused('no XML document in the request body');
  return root;
}

/** True when the element carries `xsi:nil="true"` (a null value in Axis' literal encoding). */
export function isNil(element: XmlElement): boolean {
  const nil = element.attributes.get(`{${XSI}}nil`);
  return nil === 'true' || nil === '1';
}
