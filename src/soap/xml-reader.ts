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
  /** Attributes of one element, namespace declarations included. */
  readonly maxAttributes: number;
  /** Characters of one attribute value as written. */
  readonly maxAttributeLength: number;
  /** Characters of one element, attribute or processing-instruction name, prefix included. */
  readonly maxNameLength: number;
}

/**
 * Generous for every client seen (gSOAP declares its whole namespace table on the Envelope, a dozen or
 * two attributes; no Fireman attribute value is longer than a namespace URI).
 */
export const DEFAULT_XML_LIMITS: XmlReaderLimits = {
  maxDepth: 64,
  maxElements: 1_000_000,
  maxAttributes: 256,
  maxAttributeLength: 8192,
  maxNameLength: 512,
};

/** The request is not XML we accept: malformed, a DTD, too deep. The message is safe to show the client. */
export class XmlRefused extends Error {}

const XSI = 'http://www.w3.org/2001/XMLSchema-instance';
const XML_NS = 'http://www.w3.org/XML/1998/namespace';
const XMLNS_NS = 'http://www.w3.org/2000/xmlns/';

// XML 1.0 (fifth edition) NameStartChar and NameChar without ':', i.e. Namespaces in XML's NCName.
const NC_START = 'A-Z_a-z\\u00C0-\\u00D6\\u00D8-\\u00F6\\u00F8-\\u02FF\\u0370-\\u037D\\u037F-\\u1FFF\\u200C\\u200D\\u2070-\\u218F\\u2C00-\\u2FEF\\u3001-\\uD7FF\\uF900-\\uFDCF\\uFDF0-\\uFFFD\\u{10000}-\\u{EFFFF}';
const NC_CHAR = `${NC_START}\\-.0-9\\u00B7\\u0300-\\u036F\\u203F\\u2040`;
const NCNAME = `[${NC_START}][${NC_CHAR}]*`;
const QNAME = new RegExp(`${NCNAME}(?::${NCNAME})?`, 'uy');
const PI_TARGET = new RegExp(NCNAME, 'uy');
const WHITESPACE = /[ \t\r\n]*/y;
/** Characters XML 1.0 does not allow anywhere, not even as references (surrogates are checked apart). */
const NOT_XML_CHARS = /[\x00-\x08\x0B\x0C\x0E-\x1F\uFFFE\uFFFF]/;
const REFERENCE = /&(?:(lt|gt|amp|apos|quot)|#([0-9]{1,7})|#x([0-9A-Fa-f]{1,6}));/y;
const PREDEFINED: Readonly<Record<string, string>> = { lt: '<', gt: '>', amp: '&', apos: "'", quot: '"' };
const S = '[ \\t\\r\\n]';
const XML_DECLARATION = new RegExp(
  `<\\?xml${S}+version${S}*=${S}*(?:"1\\.[0-9]+"|'1\\.[0-9]+')` +
    `(?:${S}+encoding${S}*=${S}*(?:"[A-Za-z][A-Za-z0-9._-]*"|'[A-Za-z][A-Za-z0-9._-]*'))?` +
    `(?:${S}+standalone${S}*=${S}*(?:"(?:yes|no)"|'(?:yes|no)'))?${S}*\\?>`,
  'y',
);
const NO_ATTRIBUTES: ReadonlyMap<string, string> = new Map();
const NONE: readonly never[] = [];

/**
 * Parses a SOAP request into a small element tree: a strict, non-validating reader of XML 1.0 with
 * namespaces, written for this face so that its cost is linear in its input and bounded per element.
 *
 * Hardening, by construction rather than by configuration: any DOCTYPE is refused, so no external
 * entity (XXE) is ever resolved and no internal entity is ever declared, and only the five predefined
 * entities and character references are known — an undeclared `&name;` is an error, so entity
 * expansion (billion laughs) cannot happen. Depth, element count, attributes per element, attribute
 * length and name length are bounded, duplicate attributes (by qualified or by expanded name) are
 * refused, and the caller bounds the body size before it gets here.
 *
 * ```ts
 * const envelope = readXml('<e:Envelope xmlns:e="http://schemas.xmlsoap.org/soap/envelope/"/>');
 * envelope.uri; // 'http://schemas.xmlsoap.org/soap/envelope/'
 * ```
 */
export function readXml(xml: string, limits: XmlReaderLimits = DEFAULT_XML_LIMITS): XmlElement {
  if (!xml.isWellFormed()) throw new XmlRefused('malformed XML: an unpaired surrogate is not a character');
  const forbidden = NOT_XML_CHARS.exec(xml);
  if (forbidden !== null) {
    const code = forbidden[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0');
    throw new XmlRefused(`malformed XML: character U+${code} is not allowed in XML (${where(xml, forbidden.index)})`);
  }
  return new DocumentReader(xml, limits).read();
}

/** True when the element carries `xsi:nil="true"` (a null value in Axis' literal encoding). */
export function isNil(element: XmlElement): boolean {
  const nil = element.attributes.get(`{${XSI}}nil`);
  return nil === 'true' || nil === '1';
}

/** An open element while its content is read. */
interface Frame {
  readonly element: XmlElement;
  readonly qname: string;
  /** Prefixes this element declared ('' for the default namespace), undone when it closes. */
  readonly declared: readonly string[];
}

/**
 * One pass over the document, left to right: every step either consumes input or ends the parse, and
 * each search (`indexOf`, sticky regular expressions without nested repetition) starts where the
 * previous one stopped, which is what keeps the whole linear.
 */
class DocumentReader {
  readonly #xml: string;
  readonly #limits: XmlReaderLimits;
  #at = 0;
  #elements = 0;
  readonly #stack: Frame[] = [];
  /** Namespace bindings in scope, innermost last, per prefix. */
  readonly #bindings = new Map<string, string[]>([['xml', [XML_NS]]]);

  constructor(xml: string, limits: XmlReaderLimits) {
    this.#xml = xml;
    this.#limits = limits;
  }

  read(): XmlElement {
    const xml = this.#xml;
    if (xml.startsWith('<?xml') && /[ \t\r\n?]/.test(xml.charAt(5))) {
      XML_DECLARATION.lastIndex = 0;
      if (!XML_DECLARATION.test(xml)) this.#malformed('the XML declaration is not valid');
      this.#at = XML_DECLARATION.lastIndex;
    }
    this.#miscellany();
    if (this.#at >= xml.length) throw new XmlRefused('no XML document in the request body');
    if (xml.charCodeAt(this.#at) !== 0x3c) this.#malformed('text before the root element');
    const root = this.#rootElement();
    this.#miscellany();
    if (this.#at < xml.length) {
      if (xml.charCodeAt(this.#at) === 0x3c) throw new XmlRefused('more than one root element');
      this.#malformed('text after the root element');
    }
    return root;
  }

  /** Whitespace, comments and processing instructions, before or after the root element. */
  #miscellany(): void {
    const xml = this.#xml;
    for (;;) {
      this.#skipWhitespace();
      if (xml.startsWith('<!--', this.#at)) this.#comment();
      else if (xml.startsWith('<?', this.#at)) this.#processingInstruction();
      else if (xml.startsWith('<!DOCTYPE', this.#at)) this.#refuseDoctype();
      else return;
    }
  }

  #rootElement(): XmlElement {
    const xml = this.#xml;
    const root = this.#startTag(undefined);
    while (this.#stack.length > 0) {
      const next = xml.indexOf('<', this.#at);
      if (next === -1) this.#malformed(`element <${this.#stack.at(-1)!.qname}> is not closed`, xml.length);
      if (next > this.#at) this.#characterData(xml.slice(this.#at, next));
      this.#at = next;
      const after = xml.charCodeAt(next + 1);
      if (after === 0x2f /* / */) this.#endTag();
      else if (after === 0x21 /* ! */) {
        if (xml.startsWith('<!--', next)) this.#comment();
        else if (xml.startsWith('<![CDATA[', next)) this.#cdata();
        else if (xml.startsWith('<!DOCTYPE', next)) this.#refuseDoctype();
        else this.#malformed('a markup declaration inside an element');
      } else if (after === 0x3f /* ? */) this.#processingInstruction();
      else this.#startTag(this.#stack.at(-1));
    }
    return root;
  }

  #startTag(parent: Frame | undefined): XmlElement {
    const limits = this.#limits;
    const xml = this.#xml;
    this.#at++;
    const qname = this.#name('an element name');
    if (this.#stack.length >= limits.maxDepth) throw new XmlRefused(`elements nested deeper than ${limits.maxDepth} levels`);
    if (++this.#elements > limits.maxElements) throw new XmlRefused(`more than ${limits.maxElements} elements`);

    let written: [name: string, value: string][] | undefined;
    let names: Set<string> | undefined;
    let empty = false;
    for (;;) {
      const spaced = this.#skipWhitespace();
      const c = xml.charCodeAt(this.#at);
      if (c === 0x3e /* > */) {
        this.#at++;
        break;
      }
      if (c === 0x2f /* / */ && xml.charCodeAt(this.#at + 1) === 0x3e) {
        this.#at += 2;
        empty = true;
        break;
      }
      if (Number.isNaN(c)) this.#malformed(`the start tag <${qname}> is not closed`);
      if (!spaced) this.#malformed(`expected whitespace, '>' or '/>' in the start tag <${qname}>`);
      const name = this.#name('an attribute name');
      written ??= [];
      if (written.length >= limits.maxAttributes) throw new XmlRefused(`more than ${limits.maxAttributes} attributes on one element`);
      names ??= new Set();
      if (names.has(name)) throw new XmlRefused(`duplicate attribute ${name} on <${qname}>`);
      names.add(name);
      written.push([name, this.#attributeValue(name)]);
    }

    const declared = written === undefined ? NONE : this.#declareNamespaces(written, qname);
    const [prefix, local] = splitQName(qname);
    const attributes = written === undefined ? NO_ATTRIBUTES : this.#attributes(written, qname);
    const element: XmlElement = { uri: this.#resolve(prefix, qname), local, attributes, children: [], text: '' };
    if (parent !== undefined) parent.element.children.push(element);
    if (empty) this.#undeclare(declared);
    else this.#stack.push({ element, qname, declared });
    return element;
  }

  #attributeValue(name: string): string {
    const xml = this.#xml;
    this.#skipWhitespace();
    if (xml.charCodeAt(this.#at) !== 0x3d /* = */) this.#malformed(`expected '=' after the attribute name ${name}`);
    this.#at++;
    this.#skipWhitespace();
    const quote = xml.charAt(this.#at);
    if (quote !== '"' && quote !== "'") this.#malformed(`the value of attribute ${name} is not quoted`);
    const start = this.#at + 1;
    const end = xml.indexOf(quote, start);
    if (end === -1) this.#malformed(`the value of attribute ${name} is not closed`);
    if (end - start > this.#limits.maxAttributeLength) {
      throw new XmlRefused(`the value of attribute ${name} is longer than ${this.#limits.maxAttributeLength} characters`);
    }
    const raw = xml.slice(start, end);
    if (raw.includes('<')) this.#malformed(`'<' in the value of attribute ${name}`, start + raw.indexOf('<'));
    this.#at = end + 1;
    return this.#expand(raw, start, normalizeAttributeText);
  }

  /** Applies this element's `xmlns` attributes; returns the prefixes to undo when it closes. */
  #declareNamespaces(written: readonly [string, string][], qname: string): readonly string[] {
    let declared: string[] | undefined;
    for (const [name, uri] of written) {
      let prefix: string;
      if (name === 'xmlns') prefix = '';
      else if (name.startsWith('xmlns:')) prefix = name.slice(6);
      else continue;
      if (prefix === 'xmlns') throw new XmlRefused(`the prefix xmlns cannot be declared (on <${qname}>)`);
      if ((prefix === 'xml') !== (uri === XML_NS)) throw new XmlRefused(`the prefix xml and its namespace ${XML_NS} go only with each other (on <${qname}>)`);
      if (uri === XMLNS_NS) throw new XmlRefused(`the namespace ${XMLNS_NS} cannot be declared (on <${qname}>)`);
      if (prefix !== '' && uri === '') throw new XmlRefused(`the prefix ${prefix} cannot be bound to no namespace (on <${qname}>)`);
      const scope = this.#bindings.get(prefix);
      if (scope === undefined) this.#bindings.set(prefix, [uri]);
      else scope.push(uri);
      (declared ??= []).push(prefix);
    }
    return declared ?? NONE;
  }

  #undeclare(prefixes: readonly string[]): void {
    for (const prefix of prefixes) this.#bindings.get(prefix)!.pop();
  }

  #resolve(prefix: string, qname: string): string {
    const uri = this.#bindings.get(prefix)?.at(-1);
    if (prefix === '') return uri ?? '';
    if (uri === undefined) throw new XmlRefused(`the namespace prefix ${prefix} of ${qname} is not declared`);
    return uri;
  }

  /** Attributes by expanded name; unprefixed ones are in no namespace (Namespaces in XML §6.2). */
  #attributes(written: readonly [string, string][], element: string): ReadonlyMap<string, string> {
    const attributes = new Map<string, string>();
    for (const [name, value] of written) {
      if (name === 'xmlns' || name.startsWith('xmlns:')) continue;
      const [prefix, local] = splitQName(name);
      const key = prefix === '' ? local : `{${this.#resolve(prefix, name)}}${local}`;
      if (attributes.has(key)) throw new XmlRefused(`duplicate attribute ${key} on <${element}> (two prefixes for one namespace)`);
      attributes.set(key, value);
    }
    return attributes;
  }

  #endTag(): void {
    const xml = this.#xml;
    const start = this.#at;
    this.#at += 2;
    const name = this.#name('an element name');
    this.#skipWhitespace();
    if (xml.charCodeAt(this.#at) !== 0x3e) this.#malformed(`the end tag </${name}> is not closed`);
    this.#at++;
    const frame = this.#stack.pop()!;
    if (frame.qname !== name) this.#malformed(`the end tag </${name}> does not match <${frame.qname}>`, start);
    this.#undeclare(frame.declared);
  }

  #characterData(raw: string): void {
    const ends = raw.indexOf(']]>');
    if (ends !== -1) this.#malformed("']]>' in character data", this.#at + ends);
    // References such as &#13; stay as written: only literal line ends are normalized.
    this.#stack.at(-1)!.element.text += this.#expand(raw, this.#at, normalizeLineEnds);
  }

  #cdata(): void {
    const start = this.#at + 9;
    const end = this.#xml.indexOf(']]>', start);
    if (end === -1) this.#malformed('a CDATA section is not closed');
    const text = this.#xml.slice(start, end);
    this.#stack.at(-1)!.element.text += normalizeLineEnds(text);
    this.#at = end + 3;
  }

  #comment(): void {
    const start = this.#at + 4;
    const end = this.#xml.indexOf('-->', start);
    if (end === -1) this.#malformed('a comment is not closed');
    const dashes = this.#xml.indexOf('--', start);
    if (dashes < end || (end > start && this.#xml.charCodeAt(end - 1) === 0x2d)) this.#malformed("'--' inside a comment", dashes);
    this.#at = end + 3;
  }

  #processingInstruction(): void {
    const xml = this.#xml;
    this.#at += 2;
    PI_TARGET.lastIndex = this.#at;
    if (!PI_TARGET.test(xml)) this.#malformed('expected a processing instruction target');
    const target = xml.slice(this.#at, PI_TARGET.lastIndex);
    if (target.toLowerCase() === 'xml') this.#malformed('an XML declaration is allowed only at the very start');
    this.#at = PI_TARGET.lastIndex;
    const end = xml.indexOf('?>', this.#at);
    if (end === -1) this.#malformed('a processing instruction is not closed');
    if (end > this.#at && !this.#skipWhitespace()) this.#malformed('expected whitespace after the processing instruction target');
    this.#at = end + 2;
  }

  #refuseDoctype(): never {
    throw new XmlRefused('DTDs are not accepted (no DOCTYPE, no entity declarations)');
  }

  /** A qualified name at the current position, within the name length limit. */
  #name(what: string): string {
    QNAME.lastIndex = this.#at;
    if (!QNAME.test(this.#xml)) this.#malformed(`expected ${what}`);
    const end = QNAME.lastIndex;
    if (end - this.#at > this.#limits.maxNameLength) throw new XmlRefused(`a name longer than ${this.#limits.maxNameLength} characters`);
    const name = this.#xml.slice(this.#at, end);
    this.#at = end;
    return name;
  }

  /** Skips whitespace; true when there was some. */
  #skipWhitespace(): boolean {
    WHITESPACE.lastIndex = this.#at;
    WHITESPACE.test(this.#xml);
    const skipped = WHITESPACE.lastIndex > this.#at;
    this.#at = WHITESPACE.lastIndex;
    return skipped;
  }

  /** Replaces references in text or an attribute value, normalizing the literal runs between them. */
  #expand(raw: string, offset: number, normalize: (text: string) => string): string {
    let amp = raw.indexOf('&');
    if (amp === -1) return normalize(raw);
    const parts: string[] = [];
    let from = 0;
    while (amp !== -1) {
      parts.push(normalize(raw.slice(from, amp)));
      REFERENCE.lastIndex = amp;
      const match = REFERENCE.exec(raw);
      if (match === null) this.#malformed('an undeclared entity or a malformed reference (only &lt; &gt; &amp; &apos; &quot; and &#…; are known)', offset + amp);
      const [, entity, decimal, hex] = match;
      if (entity !== undefined) parts.push(PREDEFINED[entity]!);
      else {
        const code = decimal !== undefined ? Number.parseInt(decimal, 10) : Number.parseInt(hex!, 16);
        if (!isXmlChar(code)) this.#malformed(`the character reference ${match[0]} is not an XML character`, offset + amp);
        parts.push(String.fromCodePoint(code));
      }
      from = REFERENCE.lastIndex;
      amp = raw.indexOf('&', from);
    }
    parts.push(normalize(raw.slice(from)));
    return parts.join('');
  }

  #malformed(what: string, at = this.#at): never {
    throw new XmlRefused(`malformed XML: ${what} (${where(this.#xml, at)})`);
  }
}

/** XML 1.0 §2.11: a CR LF pair or a lone CR reads as LF. */
function normalizeLineEnds(text: string): string {
  return text.includes('\r') ? text.replace(/\r\n?/g, '\n') : text;
}

/** XML 1.0 §3.3.3: in an attribute value, literal line ends and tabs read as spaces. */
function normalizeAttributeText(text: string): string {
  return /[\t\n\r]/.test(text) ? text.replace(/\r\n|[\t\n\r]/g, ' ') : text;
}

function splitQName(qname: string): [prefix: string, local: string] {
  const colon = qname.indexOf(':');
  return colon === -1 ? ['', qname] : [qname.slice(0, colon), qname.slice(colon + 1)];
}

function isXmlChar(code: number): boolean {
  return code === 0x9 || code === 0xa || code === 0xd || (code >= 0x20 && code <= 0xd7ff) || (code >= 0xe000 && code <= 0xfffd) || (code >= 0x10000 && code <= 0x10ffff);
}

/** `line L, column C` of an offset, for error messages (counted only when there is an error to report). */
function where(xml: string, at: number): string {
  let line = 1;
  let lineStart = 0;
  for (let i = xml.indexOf('\n'); i !== -1 && i < at; i = xml.indexOf('\n', i + 1)) {
    line++;
    lineStart = i + 1;
  }
  return `line ${line}, column ${at - lineStart + 1}`;
}
