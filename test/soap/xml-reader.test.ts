import { DEFAULT_XML_LIMITS, readXml, XmlRefused, type XmlElement, type XmlReaderLimits } from '../../src/soap/xml-reader';

const LIFTED: XmlReaderLimits = { maxDepth: 64, maxElements: Infinity, maxAttributes: Infinity, maxAttributeLength: Infinity, maxNameLength: Infinity };

function refusal(xml: string, limits: XmlReaderLimits = DEFAULT_XML_LIMITS): string {
  try {
    readXml(xml, limits);
  } catch (error) {
    if (error instanceof XmlRefused) return error.message;
    throw error;
  }
  throw new Error('expected the document to be refused');
}

/** Milliseconds of CPU one read takes, the least of several tries (the machine is shared). */
function cpuMs(xml: string, tries: number): number {
  let least = Infinity;
  for (let i = 0; i < tries; i++) {
    const before = process.cpuUsage();
    readXml(xml, LIFTED);
    const used = process.cpuUsage(before);
    least = Math.min(least, (used.user + used.system) / 1000);
  }
  return least;
}

const repeat = (n: number, make: (i: number) => string) => {
  const parts: string[] = [];
  for (let i = 0; i < n; i++) parts.push(make(i));
  return parts.join('');
};

describe('reading time', () => {
  // Sizes past the point where the whole tree fits in V8's young generation, so both sides pay for its GC; a
  // quadratic reader (sax in xmlns mode, for attributes) takes about 100 times as long, a linear one 10 to 18
  // times here (the larger tree misses caches more and survives more collections).
  it.each([
    ['attributes on one element', 20_000, (n: number) => `<r${repeat(n, (i) => ` a${i}="v"`)}/>`],
    ['elements', 50_000, (n: number) => `<r>${repeat(n, () => '<item>/grid/vo/d</item>')}</r>`],
    ['text with references', 300_000, (n: number) => `<r>${'x&amp;y&#65;z'.repeat(n / 12)}</r>`],
    ['namespace declarations', 10_000, (n: number) => `<r>${repeat(n, (i) => `<p${i % 50}:e xmlns:p${i % 50}="urn:ns${i}" xmlns:q="urn:q${i}" q:a="1"/>`)}</r>`],
  ])('grows linearly with %s: ten times the input, at most forty times the time (a quadratic reader takes a hundred)', (_what, n, make) => {
    const small = make(n);
    const large = make(n * 10);
    cpuMs(small, 1); // warm-up: the first read compiles the reader
    const times = { small: Infinity, large: Infinity };
    for (let round = 0; round < 2; round++) {
      times.small = Math.min(times.small, cpuMs(small, 2));
      times.large = Math.min(times.large, cpuMs(large, 1));
    }
    expect(times.large).toBeLessThanOrEqual(40 * Math.max(times.small, 1));
  });
});

describe('limits', () => {
  it('stops at the first attribute past the limit', () => {
    expect(refusal(`<r${repeat(300, (i) => ` a${i}="v"`)}/>`)).toBe('more than 256 attributes on one element');
  });

  it('knows a value is too long from where it ends, before copying it', () => {
    expect(refusal(`<r a="${'x'.repeat(20_000_000)}"/>`)).toBe('the value of attribute a is longer than 8192 characters');
  });

  it('bounds names, depth and element count', () => {
    expect(refusal(`<${'n'.repeat(513)}/>`)).toBe('a name longer than 512 characters');
    expect(refusal(`<r ${'a'.repeat(600)}="1"/>`)).toBe('a name longer than 512 characters');
    expect(refusal('<a>'.repeat(65) + '</a>'.repeat(65))).toBe('elements nested deeper than 64 levels');
    expect(refusal(`<r>${'<e/>'.repeat(10)}</r>`, { ...DEFAULT_XML_LIMITS, maxElements: 10 })).toBe('more than 10 elements');
  });
});

describe('namespaces', () => {
  const read = (xml: string) => readXml(xml);
  const child = (element: XmlElement, i = 0) => element.children[i]!;

  it('resolves prefixes and the default namespace by scope', () => {
    const root = read('<p:a xmlns:p="urn:p" xmlns="urn:d"><p:b xmlns:p="urn:q" p:x="1" y="2"/><c xmlns=""/><d/></p:a>');
    expect(root).toMatchObject({ uri: 'urn:p', local: 'a' });
    expect(child(root)).toMatchObject({ uri: 'urn:q', local: 'b' });
    expect([...child(root).attributes]).toEqual([['{urn:q}x', '1'], ['y', '2']]);
    expect(child(root, 1).uri).toBe('');
    expect(child(root, 2).uri).toBe('urn:d');
  });

  it('refuses unbound prefixes and forbidden declarations', () => {
    expect(refusal('<p:a/>')).toBe('the namespace prefix p of p:a is not declared');
    expect(refusal('<a p:x="1"/>')).toBe('the namespace prefix p of p:x is not declared');
    expect(refusal('<a><p:b xmlns:p="urn:p"/><p:c/></a>')).toBe('the namespace prefix p of p:c is not declared');
    expect(refusal('<a xmlns:p=""/>')).toMatch(/the prefix p cannot be bound to no namespace/);
    expect(refusal('<a xmlns:xmlns="urn:x"/>')).toMatch(/the prefix xmlns cannot be declared/);
    expect(refusal('<a xmlns:xml="urn:x"/>')).toMatch(/the prefix xml and its namespace/);
    expect(refusal('<a:b:c/>')).toMatch(/^malformed XML/);
  });

  it('refuses one attribute written twice, under one prefix or two', () => {
    expect(refusal('<a x="1" x="2"/>')).toBe('duplicate attribute x on <a>');
    expect(refusal('<a xmlns:p="urn:p" xmlns:q="urn:p" p:x="1" q:x="2"/>')).toBe('duplicate attribute {urn:p}x on <a> (two prefixes for one namespace)');
    expect(refusal('<a xmlns:p="urn:p" xmlns:p="urn:q"/>')).toBe('duplicate attribute xmlns:p on <a>');
  });
});

describe('XML 1.0', () => {
  it('reads references, CDATA and normalizes line ends as the specification says', () => {
    const root = readXml('<?xml version="1.0" encoding="UTF-8"?>\n<!-- c --><a t="x\ty&#9;z\r\n">1&lt;2&#x41;&#13;\r\n<![CDATA[<&>]]><?pi x?></a>\n');
    expect(root.text).toBe('1<2A\r\n<&>');
    expect(root.attributes.get('t')).toBe('x y\tz ');
  });

  it.each([
    ['a DTD', '<!DOCTYPE a [<!ENTITY e "x">]><a>&e;</a>', /^DTDs are not accepted/],
    ['an undeclared entity', '<a>&e;</a>', /^malformed XML: an undeclared entity/],
    ['a reference to a non-character', '<a>&#0;</a>', /is not an XML character/],
    ['a control character', '<a>\u0001</a>', /character U\+0001 is not allowed/],
    ['an unpaired surrogate', '<a>\ud800</a>', /unpaired surrogate/],
    ["'<' in an attribute", '<a b="<"/>', /'<' in the value of attribute b/],
    ["']]>' in text", '<a>]]></a>', /']]>' in character data/],
    ["'--' in a comment", '<a><!-- - -- --></a>', /'--' inside a comment/],
    ['a mismatched end tag', '<a><b></a></b>', /the end tag <\/a> does not match <b> \(line 1, column 7\)/],
    ['an unclosed element', '<a><b></b>', /element <a> is not closed/],
    ['a late XML declaration', ' <?xml version="1.0"?><a/>', /XML declaration is allowed only at the very start/],
    ['a second root', '<a/><b/>', /^more than one root element$/],
    ['text after the root', '<a/>x', /text after the root element/],
    ['attributes without space between them', '<a b="1"c="2"/>', /expected whitespace/],
    ['an unquoted attribute', '<a b=1/>', /not quoted/],
    ['nothing', '  ', /^no XML document/],
  ])('refuses %s', (_what, xml, message) => {
    expect(refusal(xml)).toMatch(message);
  });
});
