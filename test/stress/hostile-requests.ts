/**
 * A generator of malformed and adversarial requests for both faces, from a seeded random source so
 * that a failing run can be replayed (`--seed`). Each request names its category, so the report says
 * what kind of input broke something.
 */

export interface HostileRequest {
  readonly category: string;
  readonly face: 'rest' | 'soap';
  readonly method: string;
  readonly path: string;
  readonly headers: Record<string, string>;
  readonly body?: Buffer;
}

/** mulberry32: small, fast, and good enough to pick cases. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const FIREMAN = 'http://glite.org/wsdl/services/org.glite.data.catalog.service.fireman';
const META = 'http://glite.org/wsdl/services/org.glite.data.catalog.service.meta';
const SI = 'http://glite.org/wsdl/services/org.glite.data.catalog.service.storageindex';

/** Names that must be refused, or accepted only in normalized form. */
const ODD_LFNS: readonly string[] = [
  '..', '/..', '/a/../b', '/a/./b', '/a//b', '//', '', ' ', '/ ', 'relative/path', '/a/b/', '/a\u0000b', '/a\u0001b', '/a\u007fb',
  '/a\u0085b', '/a\u2028b', '/a\u202eb', '/a\u200bb', '/caf\u00e9', '/cafe\u0301', '/\uff0fetc\uff0fpasswd', '/\ud800', '/\udfff\ud800',
  '/emoji/\u{1f4a9}', '/%2e%2e/%2e%2e/etc/passwd', '/a\\..\\b', `/${'x'.repeat(255)}`, `/${'x'.repeat(256)}`, `/${'y'.repeat(10_000)}`,
  `/${Array.from({ length: 600 }, () => 'ab').join('/')}`, `/${'\u00e9'.repeat(200)}`, '/\u0130stanbul', '/\u212b', '/A\u030a',
  "/a'; DROP TABLE entries;--", '/a" OR "1"="1', "/a' OR '1'='1", '/a%', '/a_', '/*', '/a\nb', '/a\rb', '/a\tb', '/$(reboot)', '/`id`',
  '/grid/../../root', '/.', '/./', '/...', '/a/.../b', '\\', 'C:\\Windows', '/\u0000', '/a'.repeat(1000),
];

const INJECTIONS: readonly string[] = [
  "' OR 1=1 --", "'; DROP TABLE entries; --", '1; SELECT pg_sleep(10)', "run = 1 OR 1=1", "run = '1' ; DROP TABLE entries",
  ') OR (1=1', 'EXISTS run) UNION SELECT * FROM users --', "detector = 'x' || (SELECT password_hash FROM users LIMIT 1)",
  `${'('.repeat(5000)}run = 1${')'.repeat(5000)}`, 'run IN (' + Array.from({ length: 20_000 }, (_, i) => i).join(',') + ')',
  "run LIKE '%'", "name = '\u0000'", 'run = 99999999999999999999999999999', 'run = 1e400', 'run = -', 'NOT NOT NOT NOT', '',
  "detector = 'a\\' OR 1=1", '$1', '?', '%s%s%s%n', "run = 1 AND pg_sleep(5) IS NULL", "run = 1; COMMIT; DROP TABLE replicas",
];

const HUGE_NUMBERS: readonly unknown[] = [1e308, -1, -0.5, 1.5, 2 ** 53 + 1, 2 ** 63, Number.MAX_SAFE_INTEGER, '1', '1e3', null, true, {}, [], 'NaN'];
const HUGE_NUMBER_LITERALS: readonly string[] = ['1e400', '-1e400', '123456789012345678901234567890', '0x10', '1.', '.5', '01', 'NaN', 'Infinity', '-0'];

const BULK_PATHS: readonly string[] = [
  '/api/v1/directories', '/api/v1/files', '/api/v1/symlinks', '/api/v1/entries/stat', '/api/v1/entries/move', '/api/v1/entries/remove',
  '/api/v1/replicas/add', '/api/v1/replicas/remove', '/api/v1/replicas/list', '/api/v1/guids/lookup', '/api/v1/permissions/get',
  '/api/v1/permissions/set', '/api/v1/permissions/check', '/api/v1/entries/chown', '/api/v1/attributes/set', '/api/v1/attributes/get',
  '/api/v1/attributes/clear', '/api/v1/replicas/set-master',
];

const SOAP_OPERATIONS: readonly { readonly port: string; readonly ns: string; readonly op: string; readonly part: string }[] = [
  { port: 'FiremanCatalog', ns: FIREMAN, op: 'mkdir', part: 'directories' },
  { port: 'FiremanCatalog', ns: FIREMAN, op: 'getLfnStat', part: 'lfns' },
  { port: 'FiremanCatalog', ns: FIREMAN, op: 'remove', part: 'lfns' },
  { port: 'FiremanCatalog', ns: FIREMAN, op: 'getGuidForLfn', part: 'lfns' },
  { port: 'FiremanCatalog', ns: FIREMAN, op: 'listReplicas', part: 'lfns' },
  { port: 'FiremanCatalog', ns: FIREMAN, op: 'unlink', part: 'lfns' },
  { port: 'FiremanCatalog', ns: FIREMAN, op: 'rmdir', part: 'directories' },
  { port: 'MetadataCatalog', ns: META, op: 'getAttributes', part: 'entries' },
  { port: 'StorageIndex', ns: SI, op: 'listSEbyLFN', part: 'in0' },
];

export class HostileRequests {
  readonly #random: () => number;
  readonly #authorization: string;
  readonly #maxBodyBytes: number;
  readonly #maxItems: number;
  #n = 0;

  constructor(seed: number, authorization: string, limits: { maxBodyBytes: number; maxItems: number }) {
    this.#random = seededRandom(seed);
    this.#authorization = authorization;
    this.#maxBodyBytes = limits.maxBodyBytes;
    this.#maxItems = limits.maxItems;
  }

  next(): HostileRequest {
    this.#n++;
    const makers = [
      () => this.#brokenJson(),
      () => this.#wrongTypes(),
      () => this.#hugeNumbers(),
      () => this.#deepJson(),
      () => this.#oddNames(),
      () => this.#oddNames(),
      () => this.#injection(),
      () => this.#queryString(),
      () => this.#wrongHeaders(),
      () => this.#oddRoutes(),
      () => this.#soapBroken(),
      () => this.#soapEntities(),
      () => this.#soapOddValues(),
      () => this.#soapStructure(),
      () => this.#oversize(),
    ];
    return makers[this.#int(makers.length)]!();
  }

  #int(n: number): number {
    return Math.floor(this.#random() * n);
  }

  #one<T>(list: readonly T[]): T {
    return list[this.#int(list.length)]!;
  }

  #rest(category: string, path: string, body: string | Buffer | undefined, headers: Record<string, string> = {}, method = 'POST'): HostileRequest {
    return {
      category,
      face: 'rest',
      method,
      path,
      headers: { authorization: this.#authorization, 'content-type': 'application/json', ...headers },
      ...(body !== undefined ? { body: typeof body === 'string' ? Buffer.from(body) : body } : {}),
    };
  }

  #soap(category: string, port: string, xml: string | Buffer, headers: Record<string, string> = {}): HostileRequest {
    return {
      category,
      face: 'soap',
      method: 'POST',
      path: `/soap/${port}`,
      headers: { authorization: this.#authorization, 'content-type': 'text/xml; charset=utf-8', soapaction: '""', ...headers },
      body: typeof xml === 'string' ? Buffer.from(xml) : xml,
    };
  }

  #brokenJson(): HostileRequest {
    const valid = JSON.stringify({ items: [{ lfn: '/fuzz/a' }] });
    const variants: (() => string | Buffer)[] = [
      () => valid.slice(0, this.#int(valid.length)),
      () => `${valid}garbage`,
      () => valid.replace('"', "'"),
      () => '{"items": [,]}',
      () => '{"items": [{"lfn": "/a",}]}',
      () => '{"items"}',
      () => '[]',
      () => 'null',
      () => '"items"',
      () => '',
      () => Buffer.from([0xff, 0xfe, 0x00, 0x7b]),
      () => Buffer.concat([Buffer.from('{"items":[{"lfn":"/a'), Buffer.from([0xc3, 0x28]), Buffer.from('"}]}')]),
      () => Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(valid)]),
      () => Buffer.from(Array.from({ length: 1 + this.#int(2000) }, () => this.#int(256))),
      () => '{"items": [{"lfn": "/a", "lfn": "/b"}]}',
      () => '{"__proto__": {"admin": true}, "items": [{"lfn": "/fuzz/proto"}]}',
      () => '{"constructor": {"prototype": {"admin": true}}, "items": []}',
    ];
    return this.#rest('broken JSON', this.#one(BULK_PATHS), this.#one(variants)());
  }

  #wrongTypes(): HostileRequest {
    const values: unknown[] = [null, 1, -1, true, 'x', [], {}, [[]], { lfn: '/a' }, ['/a'], 1e308];
    const shapes: (() => unknown)[] = [
      () => ({ items: this.#one(values) }),
      () => ({ items: [this.#one(values)] }),
      () => ({ items: [{ lfn: this.#one(values) }] }),
      () => ({ items: [{ lfn: '/fuzz/f', guid: this.#one(values), size: this.#one(values) }] }),
      () => ({ items: [{ lfn: '/fuzz/f', replicas: this.#one(values) }] }),
      () => ({ items: [{ lfn: '/fuzz/f', replicas: [{ surl: this.#one(values), master: this.#one(values) }] }] }),
      () => ({ items: [{ lfn: '/fuzz/f', checksum: { type: this.#one(['adler32', 'md5', 'sha1', '', null]), value: this.#one(['zz', '', 'ffffffffff', 1, null]) } }] }),
      () => ({ items: [{ from: this.#one(values), to: this.#one(values) }] }),
      () => ({ items: [{ lfn: '/fuzz', permission: this.#one(values), mode: this.#one(['replace', 'add', 'x', 1]) }] }),
      () => ({ items: [{ lfn: '/fuzz', permission: { acl: [{ principal: this.#one(values), kind: this.#one(['user', 'group', 'x']), allow: [this.#one(['read', 'root', 1])] }] } }] }),
      () => ({ items: [{ lfn: '/fuzz', attributes: { [this.#one(['stress_run', 'x', '', '__proto__'])]: this.#one(values) } }] }),
      () => ({ items: [{ lfn: '/fuzz/f' }], extra: true }),
      () => ({ items: [{ lfn: '/fuzz/f', unknownField: 1 }] }),
    ];
    return this.#rest('wrong types', this.#one(BULK_PATHS), JSON.stringify(this.#one(shapes)()));
  }

  #hugeNumbers(): HostileRequest {
    if (this.#int(2) === 0) {
      const literal = this.#one(HUGE_NUMBER_LITERALS);
      return this.#rest('huge numbers', '/api/v1/files', `{"items":[{"lfn":"/fuzz/n${this.#n}","size":${literal}}]}`);
    }
    const value = this.#one(HUGE_NUMBERS);
    const body = this.#one([
      { items: [{ lfn: `/fuzz/n${this.#n}`, size: value }] },
      { query: 'EXISTS stress_run', limit: value },
      { query: 'EXISTS stress_run', count: value },
      { ttlSeconds: value },
    ]);
    const path = 'query' in body ? '/api/v1/query' : 'ttlSeconds' in body ? '/api/v1/tokens' : '/api/v1/files';
    return this.#rest('huge numbers', path, JSON.stringify(body));
  }

  #deepJson(): HostileRequest {
    const depth = this.#one([100, 1000, 10_000, 100_000]);
    const variants = [
      `${'['.repeat(depth)}${']'.repeat(depth)}`,
      `{"items":[{"lfn":"/a","x":${'['.repeat(depth)}1${']'.repeat(depth)}}]}`,
      `{"items":${'['.repeat(depth)}${']'.repeat(depth)}}`,
      `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`,
      `{"query":"EXISTS x","under":${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}}`,
    ];
    const body = this.#one(variants);
    return this.#rest('deep nesting', body.includes('query') ? '/api/v1/query' : this.#one(BULK_PATHS), body);
  }

  #oddNames(): HostileRequest {
    const lfn = this.#one(ODD_LFNS);
    const other = this.#one(ODD_LFNS);
    const path = this.#one(BULK_PATHS.slice(0, 11));
    const item =
      path.endsWith('/move') ? { from: lfn, to: other } : path.endsWith('/symlinks') ? { lfn, target: other } : path.includes('/replicas/') && !path.endsWith('list') ? { lfn, surl: `srm://se.example.org${lfn}` } : path.endsWith('lookup') ? { surl: `srm://h${lfn}` } : { lfn };
    // Several items in one request: odd names among ordinary ones must not spoil the ordinary ones.
    return this.#rest('odd names', path, JSON.stringify({ items: [item, { ...item, lfn: `/fuzz/ok${this.#n}` }] }));
  }

  #injection(): HostileRequest {
    const text = this.#one(INJECTIONS);
    const variants: HostileRequest[] = [
      this.#rest('query injection', '/api/v1/query', JSON.stringify({ query: text, under: '/' })),
      this.#rest('query injection', '/api/v1/query', JSON.stringify({ query: text, count: true })),
      this.#rest('query injection', '/api/v1/query', JSON.stringify({ query: 'EXISTS stress_run', under: text })),
      this.#rest('query injection', '/api/v1/query', JSON.stringify({ query: 'EXISTS stress_run', cursor: text })),
      this.#rest('sql injection', '/api/v1/files', JSON.stringify({ items: [{ lfn: `/fuzz/${text.slice(0, 200)}`, checksum: { type: 'md5', value: text.slice(0, 40) } }] })),
      this.#rest('sql injection', '/api/v1/replicas/add', JSON.stringify({ items: [{ lfn: '/fuzz', surl: `srm://se.example.org/${text.slice(0, 500)}` }] })),
      this.#rest('sql injection', '/api/v1/guids/lookup', JSON.stringify({ items: [{ surl: text }, { guid: text }] })),
      this.#rest('sql injection', '/api/v1/attributes/set', JSON.stringify({ items: [{ lfn: '/fuzz', attributes: { stress_tag: text } }] })),
      this.#rest('sql injection', '/api/v1/schemas', JSON.stringify({ name: text.slice(0, 100), attributes: [{ name: text.slice(0, 60), type: 'string' }] })),
      this.#rest('sql injection', `/api/v1/schemas/${percentEncode(text.slice(0, 200))}`, undefined, {}, 'GET'),
      this.#rest('sql injection', '/api/v1/users', JSON.stringify({ items: [{ name: text.slice(0, 60), password: 'a long enough password' }] })),
    ];
    return this.#one(variants);
  }

  #queryString(): HostileRequest {
    const values = ['-1', '0', 'abc', '1e400', '99999999999999999999', '', '%00', '%ff%fe', '1&limit=2', percentEncode(this.#one(ODD_LFNS))];
    const paths = [
      `/api/v1/directories/entries?lfn=${percentEncode(this.#one(ODD_LFNS))}`,
      `/api/v1/directories/entries?lfn=/fuzz&limit=${this.#one(values)}`,
      `/api/v1/directories/entries?lfn=/fuzz&cursor=${this.#one(values)}`,
      `/api/v1/directories/entries?lfn=/a&lfn=/b`,
      `/api/v1/directories/entries`,
      `/api/v1/replicas?se=${this.#one(values)}&limit=${this.#one(values)}`,
      `/api/v1/replicas?se=se1&cursor=${Buffer.from(this.#one(INJECTIONS).slice(0, 300)).toString('base64url')}`,
      `/api/v1/directories/entries?lfn=/fuzz&${'a=1&'.repeat(2000)}`,
    ];
    return this.#rest('query strings', this.#one(paths), undefined, this.#int(2) === 0 ? { accept: 'application/x-ndjson' } : {}, 'GET');
  }

  #wrongHeaders(): HostileRequest {
    const body = JSON.stringify({ items: [{ lfn: '/fuzz' }] });
    const variants: HostileRequest[] = [
      this.#rest('headers', '/api/v1/entries/stat', body, { 'content-type': 'text/plain' }),
      this.#rest('headers', '/api/v1/entries/stat', body, { 'content-type': 'application/json; charset=utf-16' }),
      this.#rest('headers', '/api/v1/entries/stat', body, { 'content-type': 'application/x-www-form-urlencoded' }),
      this.#rest('headers', '/api/v1/entries/stat', body, { 'content-encoding': 'gzip' }),
      this.#rest('headers', '/api/v1/entries/stat', body, { 'content-encoding': 'br, compress' }),
      this.#rest('headers', '/api/v1/entries/stat', body, { authorization: 'Basic !!!' }),
      this.#rest('headers', '/api/v1/entries/stat', body, { authorization: `Bearer ${'x'.repeat(4000)}` }),
      this.#rest('headers', '/api/v1/entries/stat', body, { authorization: `Basic ${Buffer.from("admin' OR '1'='1:x").toString('base64')}` }),
      this.#rest('headers', '/api/v1/entries/stat', body, { authorization: 'Negotiate abc' }),
      this.#rest('headers', '/api/v1/entries/stat', body, { authorization: '' }),
      this.#rest('headers', '/api/v1/entries/stat', body, { 'ssl-client-escaped-cert': '-----BEGIN%20CERTIFICATE-----garbage' }),
      this.#rest('headers', '/api/v1/entries/stat', body, { 'x-request-id': '\u00ff'.repeat(10) }),
      this.#rest('headers', '/api/v1/entries/stat', body, { accept: 'application/x-ndjson' }),
    ];
    return this.#one(variants);
  }

  #oddRoutes(): HostileRequest {
    const paths = [
      '/api/v1/../../etc/passwd', '/api/v1/%2e%2e/%2e%2e/etc/passwd', '/api/v1/files%00', '/api/v1/files/', '/api/v2/files', '/api/v1/users/%00',
      `/api/v1/users/${'a'.repeat(5000)}`, '/api/v1/users/..%2f..%2fadmin', '/api/v1/schemas/%ff', '/soap/../api/v1/whoami', '/api/v1/files?x=%',
      '/docs/../openapi.json', '/metrics?format=json', '/readyz/../healthz',
    ];
    const method = this.#one(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'HEAD']);
    return this.#rest('odd routes', this.#one(paths), method === 'GET' || method === 'HEAD' ? undefined : '{"items":[]}', {}, method);
  }

  #envelope(inner: string, prolog = '', version: '1.1' | '1.2' = '1.1'): string {
    const ns = version === '1.1' ? 'http://schemas.xmlsoap.org/soap/envelope/' : 'http://www.w3.org/2003/05/soap-envelope';
    return `<?xml version="1.0" encoding="UTF-8"?>${prolog}<soapenv:Envelope xmlns:soapenv="${ns}"><soapenv:Body>${inner}</soapenv:Body></soapenv:Envelope>`;
  }

  #call(items: readonly string[], op = this.#one(SOAP_OPERATIONS)): { port: string; xml: string } {
    const list = items.map((i) => `<item>${i}</item>`).join('');
    return { port: op.port, xml: `<f:${op.op} xmlns:f="${op.ns}"><${op.part}>${list}</${op.part}></f:${op.op}>` };
  }

  #soapBroken(): HostileRequest {
    const { port, xml } = this.#call(['/fuzz/s']);
    const full = this.#envelope(xml);
    const variants: (() => string | Buffer)[] = [
      () => full.slice(0, this.#int(full.length)),
      () => full.replace('</soapenv:Body>', ''),
      () => `${full}<trailing/>`,
      () => 'not xml at all',
      () => '',
      () => '<?xml version="1.0"?>',
      () => Buffer.from(Array.from({ length: 1 + this.#int(2000) }, () => this.#int(256))),
      () => Buffer.concat([Buffer.from(full.slice(0, 200)), Buffer.from([0xc0, 0xaf, 0xff]), Buffer.from(full.slice(200))]),
      () => full.replace('<item>', '<item a="1" a="2">'),
      () => full.replace('<item>', '<item xmlns:x="">'),
      () => full.replace('/fuzz/s', '&#0;'),
      () => full.replace('/fuzz/s', '&#xD800;'),
      () => full.replace('/fuzz/s', '<![CDATA[/fuzz/cdata]]>'),
      () => full.replace('/fuzz/s', '<!-- comment -->/fuzz/c'),
      () => full.replace('<soapenv:Body>', `<soapenv:Body ${Array.from({ length: 5000 }, (_, i) => `a${i}="x"`).join(' ')}>`),
      () => full.replace('f:', `f${'x'.repeat(10_000)}:`).replace('xmlns:f=', `xmlns:f${'x'.repeat(10_000)}=`),
    ];
    return this.#soap('broken XML', port, this.#one(variants)());
  }

  #soapEntities(): HostileRequest {
    const { port, xml } = this.#call(['&e;']);
    const lol = ['<!ENTITY lol "lol">', ...Array.from({ length: 9 }, (_, i) => `<!ENTITY lol${i + 1} "${`&lol${i === 0 ? '' : i};`.repeat(10)}">`)].join('');
    const prologs = [
      '<!DOCTYPE e [<!ENTITY e SYSTEM "file:///etc/passwd">]>',
      '<!DOCTYPE e [<!ENTITY e SYSTEM "http://127.0.0.1:1/x">]>',
      `<!DOCTYPE e [${lol}<!ENTITY e "&lol9;">]>`,
      '<!DOCTYPE e SYSTEM "http://127.0.0.1:1/evil.dtd">',
      '<!DOCTYPE e [<!ENTITY % p SYSTEM "file:///etc/shadow"> %p;]>',
      '<?xml-stylesheet href="http://127.0.0.1:1/x.xsl"?>',
      '',
    ];
    return this.#soap('XXE and entities', port, this.#envelope(xml, this.#one(prologs)));
  }

  #soapOddValues(): HostileRequest {
    const names = Array.from({ length: 1 + this.#int(3) }, () => this.#one(ODD_LFNS).replace(/[<&]/g, (c) => (c === '<' ? '&lt;' : '&amp;')));
    const withInjection = this.#int(3) === 0 ? [...names, this.#one(INJECTIONS).replace(/[<&]/g, (c) => (c === '<' ? '&lt;' : '&amp;'))] : names;
    const { port, xml } = this.#call(withInjection);
    const typed = [
      `<f:locate xmlns:f="${FIREMAN}"><startDir>/</startDir><pattern>${this.#one(['*', '%', "'", '**/**', '[', '\\'])}</pattern><limit>${this.#one(['abc', '-1', '99999999999999999999', '1e400', ''])}</limit></f:locate>`,
      `<f:mkdir xmlns:f="${FIREMAN}"><directories><item>/fuzz/b</item></directories><createParents>${this.#one(['maybe', '2', '', 'TRUE '])}</createParents></f:mkdir>`,
      `<f:updateModifyTime xmlns:f="${FIREMAN}"><lfns><item>/fuzz</item></lfns><time>${this.#one(['-1', '1e30', 'now', '99999999999999999999'])}</time></f:updateModifyTime>`,
      `<m:query xmlns:m="${META}"><query>${this.#one(INJECTIONS).replace(/[<&]/g, (c) => (c === '<' ? '&lt;' : '&amp;'))}</query><type>x</type><limit>10</limit><offset>${this.#one(['-5', 'x', '1e99'])}</offset></m:query>`,
    ];
    return this.#int(3) === 0
      ? this.#soap('SOAP odd values', this.#one(['FiremanCatalog', 'MetadataCatalog']), this.#envelope(this.#one(typed)))
      : this.#soap('SOAP odd names', port, this.#envelope(xml));
  }

  #soapStructure(): HostileRequest {
    const depth = this.#one([100, 1000, 50_000]);
    const { port, xml } = this.#call(['/fuzz/s']);
    const variants: (() => string)[] = [
      () => this.#envelope(`<f:mkdir xmlns:f="${FIREMAN}">${'<a>'.repeat(depth)}x${'</a>'.repeat(depth)}</f:mkdir>`),
      () => this.#envelope(`<f:noSuchOperation xmlns:f="${FIREMAN}"/>`),
      () => this.#envelope(xml.replace(/xmlns:f="[^"]*"/, 'xmlns:f="urn:wrong"')),
      () => this.#envelope(xml, '', '1.2'),
      () => '<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Header/></soapenv:Envelope>',
      () => `<Envelope><Body>${xml}</Body></Envelope>`,
      () => this.#envelope(`${xml}${xml}`),
      () => this.#envelope(''),
      () => this.#call(Array.from({ length: this.#maxItems + 1 }, (_, i) => `/fuzz/many${i}`)).xml.replace(/^/, '<?xml version="1.0"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body>') + '</soapenv:Body></soapenv:Envelope>',
    ];
    return this.#soap('SOAP structure', port, this.#one(variants)());
  }

  #oversize(): HostileRequest {
    const over = this.#maxBodyBytes + 1 + this.#int(this.#maxBodyBytes);
    if (this.#int(2) === 0) {
      const items = Array.from({ length: this.#maxItems + 1 }, (_, i) => ({ lfn: `/fuzz/o${i}` }));
      return this.#rest('too many items', this.#one(BULK_PATHS), JSON.stringify({ items }));
    }
    const filler = `{"items":[{"lfn":"/fuzz/${'x'.repeat(over)}"}]}`;
    return this.#int(2) === 0
      ? this.#rest('oversize body', this.#one(BULK_PATHS), filler)
      : this.#soap('oversize body', 'FiremanCatalog', this.#envelope(this.#call([`/${'x'.repeat(over)}`]).xml));
  }
}

/** Percent-encodes the UTF-8 bytes of a string; unlike encodeURIComponent it takes lone surrogates too. */
function percentEncode(text: string): string {
  return [...Buffer.from(text, 'utf8')].map((b) => (/[A-Za-z0-9._~-]/.test(String.fromCharCode(b)) ? String.fromCharCode(b) : `%${b.toString(16).padStart(2, '0')}`)).join('');
}
