import { ERROR_CODES } from '../core/errors';
import { HTTP_METHODS, type OpenApiDocument } from '../rest/openapi-document';
import { STATUS_OF } from '../rest/problem';

/**
 * `GET /docs`: the API as one server-rendered HTML page, made from the same OpenAPI document the
 * router and the validators use, so it cannot drift from what the service accepts. No script and no
 * external asset: the page must work on hosts without internet access.
 */
/** A SOAP port as /docs lists it: its endpoint is `/soap/<name>`, its WSDL `/soap/<name>?wsdl`. */
export interface SoapPortSummary {
  readonly name: string;
  readonly operations: readonly string[];
}

export function renderDocsPage(doc: OpenApiDocument, soapPorts: readonly SoapPortSummary[] = []): string {
  const spec = doc as unknown as Spec;
  const operations = collectOperations(spec);
  const tags = spec.tags ?? [];
  const byTag = new Map<string, SpecOperation[]>();
  for (const op of operations) {
    const tag = op.tags?.[0] ?? 'other';
    byTag.set(tag, [...(byTag.get(tag) ?? []), op]);
  }
  const tagNames = [...tags.map((t) => t.name).filter((n) => byTag.has(n)), ...[...byTag.keys()].filter((n) => !tags.some((t) => t.name === n))];
  const schemas = Object.entries(spec.components?.schemas ?? {});
  const body = [
    `<header><h1>${text(spec.info.title)} <small>${text(spec.info.version)}</small></h1>`,
    spec.info.summary ? `<p class="summary">${text(spec.info.summary)}</p>` : '',
    `<p>Machine-readable: <a href="/openapi.json">/openapi.json</a> (OpenAPI ${text(spec.openapi)}). Error codes: <a href="/docs/errors">/docs/errors</a>.</p></header>`,
    `<nav><h2>Contents</h2><ul>${tagNames
      .map((tag) => `<li><a href="#tag-${attr(tag)}">${text(tag)}</a><ul>${byTag
        .get(tag)!
        .map((op) => `<li><a href="#op-${attr(op.operationId)}"><span class="m m-${op.method}">${op.method.toUpperCase()}</span> ${text(op.path)}</a></li>`)
        .join('')}</ul></li>`)
      .join('')}${soapPorts.length > 0 ? '<li><a href="#soap">SOAP (Fireman)</a></li>' : ''}<li><a href="#schemas">Schemas</a></li></ul></nav>`,
    '<main>',
    spec.info.description ? `<section>${prose(spec.info.description)}</section>` : '',
    ...tagNames.map((tag) => {
      const description = tags.find((t) => t.name === tag)?.description;
      return `<section id="tag-${attr(tag)}"><h2>${text(tag)}</h2>${description ? prose(description) : ''}${restExample(byTag.get(tag)!)}${byTag.get(tag)!.map(renderOperation).join('')}</section>`;
    }),
    soapPorts.length > 0 ? renderSoapPorts(soapPorts) : '',
    `<section id="schemas"><h2>Schemas</h2>${schemas.map(([name, schema]) => renderSchema(name, schema)).join('')}</section>`,
    '</main>',
  ].join('\n');
  return page(`${spec.info.title} API`, body, 'api');
}

/** `GET /docs/errors`: the error codes, the target of problem+json `type` links (`/docs/errors#NotExists`). */
export function renderErrorsPage(): string {
  const rows = ERROR_CODES.map(
    (code) => `<tr id="${code}"><td><code>${code}</code></td><td>${STATUS_OF[code]}</td><td>${text(ERROR_MEANINGS[code])}</td></tr>`,
  ).join('');
  return page(
    'replicat error codes',
    `<header><h1>Error codes</h1><p>Every failed item of a bulk answer and every <code>application/problem+json</code> body carries one of
these codes; SOAP faults carry the matching Fireman exception. The HTTP status applies to whole-request failures.
See also <a href="/docs">the API</a>.</p></header><main><table><thead><tr><th>code</th><th>HTTP</th><th>meaning</th></tr></thead><tbody>${rows}</tbody></table></main>`,
  );
}

const ERROR_MEANINGS: Readonly<Record<(typeof ERROR_CODES)[number], string>> = {
  NotExists: 'No such entry, GUID, SURL, user, schema or route.',
  Exists: 'The name, GUID or SURL is already taken.',
  PermissionDenied: 'The caller lacks a right (403), or is not authenticated (401: see the methods listed in the body).',
  InvalidArgument: 'The request or item is malformed: bad JSON, a field of the wrong type, an invalid LFN, GUID or SURL, a bad query.',
  NotEmpty: 'A directory to remove has entries (use recursive).',
  NotADirectory: 'A path component or a target is not a directory.',
  IsADirectory: 'A file operation named a directory.',
  Loop: 'More than 16 symlink hops, or a cycle.',
  Conflict: 'A concurrent change conflicted with this one; retrying succeeds or reports the new state.',
  LimitExceeded: 'Too many items in one request, or too large a body.',
  DeadlineExceeded:
    'A database statement of the request ran past the statement deadline (REPLICAT_DB_STATEMENT_TIMEOUT_MS, 30 s by default) and was stopped: the request asked for too much at once. Narrow it (a more selective query, a smaller page or bulk); the same request would take as long again, so clients do not retry it.',
  TooManyRequests: 'Too many failed logins from this address or for this account, or password checks are busy (429): retry after the `Retry-After` seconds.',
  Unavailable: 'The database cannot be reached now; retry later (the service recovers by itself).',
  Internal: 'A bug: the request id in the answer finds the details in the service log.',
};

interface Spec {
  readonly openapi: string;
  readonly info: { readonly title: string; readonly version: string; readonly summary?: string; readonly description?: string };
  readonly tags?: readonly { readonly name: string; readonly description?: string }[];
  readonly paths: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
  readonly components?: {
    readonly schemas?: Readonly<Record<string, Schema>>;
    readonly responses?: Readonly<Record<string, SpecResponse>>;
    readonly parameters?: Readonly<Record<string, SpecParameter>>;
  };
}

interface SpecOperation {
  readonly path: string;
  readonly method: string;
  readonly operationId: string;
  readonly tags?: readonly string[];
  readonly summary?: string;
  readonly description?: string;
  readonly parameters?: readonly (SpecParameter | Ref)[];
  readonly requestBody?: { readonly content?: Readonly<Record<string, { readonly schema?: Schema }>> };
  readonly responses?: Readonly<Record<string, SpecResponse | Ref>>;
  readonly resolve: (ref: string) => unknown;
}

interface SpecParameter {
  readonly name: string;
  readonly in: string;
  readonly required?: boolean;
  readonly description?: string;
  readonly schema?: Schema;
}

interface SpecResponse {
  readonly description?: string;
  readonly content?: Readonly<Record<string, { readonly schema?: Schema }>>;
}

interface Ref {
  readonly $ref: string;
}

interface Schema {
  readonly $ref?: string;
  readonly type?: string | readonly string[];
  readonly description?: string;
  readonly enum?: readonly unknown[];
  readonly const?: unknown;
  readonly items?: Schema;
  readonly properties?: Readonly<Record<string, Schema>>;
  readonly required?: readonly string[];
  readonly oneOf?: readonly Schema[];
  readonly anyOf?: readonly Schema[];
  readonly allOf?: readonly Schema[];
  readonly additionalProperties?: boolean | Schema;
  readonly format?: string;
  readonly pattern?: string;
  readonly minimum?: number;
  readonly maximum?: number;
  readonly minLength?: number;
  readonly maxLength?: number;
  readonly minItems?: number;
  readonly maxItems?: number;
  readonly default?: unknown;
}

function collectOperations(spec: Spec): SpecOperation[] {
  const resolve = (ref: string): unknown =>
    ref
      .replace(/^#\//, '')
      .split('/')
      .reduce<unknown>((node, key) => (typeof node === 'object' && node !== null ? (node as Record<string, unknown>)[key] : undefined), spec);
  const out: SpecOperation[] = [];
  for (const [path, item] of Object.entries(spec.paths)) {
    for (const method of HTTP_METHODS) {
      const operation = item[method] as Omit<SpecOperation, 'path' | 'method' | 'resolve'> | undefined;
      if (operation !== undefined) out.push({ ...operation, path, method, resolve });
    }
  }
  return out;
}

function renderOperation(op: SpecOperation): string {
  const parameters = (op.parameters ?? []).map((p) => ('$ref' in p ? (op.resolve(p.$ref) as SpecParameter) : p)).filter((p) => p !== undefined);
  const parts = [
    `<article id="op-${attr(op.operationId)}"><h3><span class="m m-${op.method}">${op.method.toUpperCase()}</span> <code>${text(op.path)}</code></h3>`,
    `<p class="summary">${text(op.summary ?? '')} <span class="opid">${text(op.operationId)}</span></p>`,
    op.description ? prose(op.description) : '',
  ];
  if (parameters.length > 0) {
    parts.push(
      `<table><thead><tr><th>parameter</th><th>in</th><th>type</th><th>description</th></tr></thead><tbody>${parameters
        .map((p) => `<tr><td><code>${text(p.name)}</code>${p.required ? ' <span class="req">required</span>' : ''}</td><td>${text(p.in)}</td><td>${typeOf(p.schema)}</td><td>${text(p.description ?? '')}</td></tr>`)
        .join('')}</tbody></table>`,
    );
  }
  for (const [mediaType, content] of Object.entries(op.requestBody?.content ?? {})) {
    parts.push(`<p><strong>Body</strong> (<code>${text(mediaType)}</code>): ${typeOf(content.schema)}</p>`);
  }
  const responses = Object.entries(op.responses ?? {}).map(([status, response]) => {
    const resolved = ('$ref' in response ? op.resolve(response.$ref) : response) as SpecResponse | undefined;
    const contents = Object.entries(resolved?.content ?? {})
      .map(([mediaType, c]) => `<code>${text(mediaType)}</code> ${typeOf(c.schema)}`)
      .join('; ');
    return `<li><strong>${text(status)}</strong> ${text(resolved?.description ?? '')}${contents ? `: ${contents}` : ''}</li>`;
  });
  if (responses.length > 0) parts.push(`<p><strong>Responses</strong></p><ul>${responses.join('')}</ul>`);
  parts.push('</article>');
  return parts.join('\n');
}

function renderSchema(name: string, schema: Schema): string {
  const properties = Object.entries(schema.properties ?? {});
  const required = new Set(schema.required ?? []);
  const table =
    properties.length === 0
      ? `<p>${typeOf(schema, false)}</p>`
      : `<table><thead><tr><th>field</th><th>type</th><th>description</th></tr></thead><tbody>${properties
          .map(([field, s]) => `<tr><td><code>${text(field)}</code>${required.has(field) ? ' <span class="req">required</span>' : ''}</td><td>${typeOf(s)}${constraints(s)}</td><td>${text(s.description ?? '')}</td></tr>`)
          .join('')}</tbody></table>`;
  return `<article id="schema-${attr(name)}"><h3>${text(name)}</h3>${schema.description ? prose(schema.description) : ''}${table}</article>`;
}

/** A JSON schema as a short type expression, with links to named schemas. */
function typeOf(schema: Schema | undefined, linkRefs = true): string {
  if (schema === undefined) return 'any';
  if (schema.$ref !== undefined) {
    const name = schema.$ref.split('/').pop() ?? schema.$ref;
    return linkRefs ? `<a href="#schema-${attr(name)}">${text(name)}</a>` : text(name);
  }
  if (schema.const !== undefined) return `<code>${text(JSON.stringify(schema.const))}</code>`;
  if (schema.enum !== undefined) return schema.enum.map((v) => `<code>${text(JSON.stringify(v))}</code>`).join(' | ');
  const alternatives = schema.oneOf ?? schema.anyOf;
  if (alternatives !== undefined) return alternatives.map((s) => typeOf(s)).join(' | ');
  if (schema.allOf !== undefined) return schema.allOf.map((s) => typeOf(s)).join(' &amp; ');
  const types = Array.isArray(schema.type) ? schema.type : schema.type !== undefined ? [schema.type] : [];
  return (
    types
      .map((type) => {
        if (type === 'array') return `array of ${typeOf(schema.items)}`;
        if (type === 'object' && schema.properties !== undefined) {
          return `{ ${Object.keys(schema.properties).map((k) => text(k)).join(', ')} }`;
        }
        return text(schema.format !== undefined ? `${type} (${schema.format})` : type);
      })
      .join(' | ') || 'any'
  );
}

function constraints(s: Schema): string {
  const notes: string[] = [];
  if (s.minimum !== undefined) notes.push(`≥ ${s.minimum}`);
  if (s.maximum !== undefined) notes.push(`≤ ${s.maximum}`);
  if (s.minLength !== undefined) notes.push(`length ≥ ${s.minLength}`);
  if (s.maxLength !== undefined) notes.push(`length ≤ ${s.maxLength}`);
  if (s.minItems !== undefined) notes.push(`≥ ${s.minItems} items`);
  if (s.maxItems !== undefined) notes.push(`≤ ${s.maxItems} items`);
  if (s.default !== undefined) notes.push(`default ${JSON.stringify(s.default)}`);
  return notes.length > 0 ? ` <span class="note">${text(notes.join(', '))}</span>` : '';
}

/** Descriptions are Markdown-ish: paragraphs, `code`, and **bold** are kept; everything else is text. */
function prose(markdown: string): string {
  return markdown
    .trim()
    .split(/\n\s*\n/)
    .map((paragraph) => `<p>${inline(paragraph)}</p>`)
    .join('');
}

function inline(markdown: string): string {
  return text(markdown)
    .replace(/`([^`]+)`/g, '<code>$1</code>')
    .replace(/\*\*([^*]+)\*\*/g, '<strong>$1</strong>');
}

function text(value: string): string {
  return value.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

function attr(value: string): string {
  return text(value.replace(/[^A-Za-z0-9_-]/g, '-'));
}

const STYLE = `body{font:15px/1.5 system-ui,sans-serif;margin:0;color:#1b1f24}body.api{display:grid;grid-template-columns:18rem 1fr}
header{grid-column:1/3;padding:1rem 2rem;background:#f3f5f8;border-bottom:1px solid #d8dde3}
nav{padding:1rem;border-right:1px solid #d8dde3;font-size:13px;position:sticky;top:0;max-height:100vh;overflow:auto}
nav ul{list-style:none;padding-left:.6rem;margin:.2rem 0}main{padding:1rem 2rem;max-width:70rem}
article{border-top:1px solid #e4e7eb;padding:.4rem 0}code{background:#f3f5f8;padding:0 .2em;border-radius:3px}
table{border-collapse:collapse;margin:.4rem 0}td,th{border:1px solid #d8dde3;padding:.2rem .5rem;text-align:left;vertical-align:top}
.m{display:inline-block;min-width:3.6em;font:600 12px monospace;color:#fff;border-radius:3px;padding:0 .3em;text-align:center}
.m-get{background:#2f6fb3}.m-post{background:#2e8b57}.m-put,.m-patch{background:#b7791f}.m-delete{background:#c0392b}
.opid,.note{color:#6a737d;font-size:12px}.req{color:#c0392b;font-size:11px}small{color:#6a737d;font-weight:400}
a{color:#2f6fb3;text-decoration:none}a:hover{text-decoration:underline}`;

function page(title: string, body: string, bodyClass = ''): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${text(title)}</title><style>${STYLE}</style></head><body class="${bodyClass}">${body}</body></html>`;
}

/** One runnable request for an operation group: its first operation, with the body example the contract gives. */
function restExample(operations: readonly SpecOperation[]): string {
  const op = operations.find((o) => o.method === 'get' && !o.path.includes('{')) ?? operations.find((o) => exampleBody(o) !== undefined) ?? operations[0];
  if (op === undefined) return '';
  const body = exampleBody(op);
  const command = [
    'curl -u admin:PASSWORD',
    ...(op.method !== 'get' ? [`-X ${op.method.toUpperCase()}`] : []),
    `http://localhost:8080${op.path.replace(/\{(\w+)\}/g, (_m, name: string) => name.toUpperCase())}`,
    ...(body !== undefined ? ["-H 'content-type: application/json'", `-d '${body}'`] : []),
  ].join(' ');
  return `<p><strong>Example</strong> (${text(op.operationId)}):</p><pre>${text(command)}</pre>`;
}

function exampleBody(op: SpecOperation): string | undefined {
  const content = op.requestBody?.content?.['application/json'] as { example?: unknown } | undefined;
  return content?.example === undefined ? undefined : JSON.stringify(content.example);
}

/** The SOAP face: each port's endpoint, WSDL and operations, and one request to try. */
function renderSoapPorts(ports: readonly SoapPortSummary[]): string {
  const items = ports
    .map((port) => {
      const example = [
        `curl -u admin:PASSWORD -H 'content-type: text/xml; charset=utf-8' -H 'SOAPAction: ""' http://localhost:8080/soap/${port.name} -d `,
        `'<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body>`,
        `<getInterfaceVersion/></soapenv:Body></soapenv:Envelope>'`,
      ].join('');
      return (
        `<article id="soap-${attr(port.name)}"><h3>${text(port.name)}</h3>` +
        `<p>Endpoint <code>/soap/${text(port.name)}</code>, WSDL <a href="/soap/${attr(port.name)}?wsdl">/soap/${text(port.name)}?wsdl</a>.</p>` +
        `<p>Operations: ${port.operations.map((o) => `<code>${text(o)}</code>`).join(', ')}</p>` +
        `<p><strong>Example</strong>:</p><pre>${text(example)}</pre></article>`
      );
    })
    .join('');
  return `<section id="soap"><h2>SOAP (Fireman)</h2><p>The gLite FiReMan interfaces over the same catalog (rpc/literal, SOAP 1.1 and 1.2), for existing clients (gSOAP, Axis, zeep).</p>${items}</section>`;
}
