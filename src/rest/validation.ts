import Ajv2020, { type ErrorObject, type ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { listOperations, type OpenApiDocument, type OpenApiParameter } from './openapi-document';

const DOC_ID = 'replicat-openapi';
// OpenAPI keywords that are not JSON Schema: known to ajv so that strict mode still catches typos.
const OPENAPI_KEYWORDS = ['openapi', 'info', 'servers', 'tags', 'paths', 'components', 'discriminator', 'xml', 'externalDocs'];

export interface ValidationIssue {
  readonly path: string;
  readonly message: string;
}

export type Check = (value: unknown) => readonly ValidationIssue[];

/**
 * Request (and, for tests, response) validators compiled with ajv straight from the OpenAPI document,
 * so the contract is written once. Query strings are coerced to the declared types before checking.
 */
export class ContractValidators {
  readonly #bodies = new Map<string, Check>();
  readonly #queries = new Map<string, Check>();
  readonly #strict: Ajv2020;
  readonly #coercing: Ajv2020;

  constructor(doc: OpenApiDocument) {
    this.#strict = makeAjv(doc, false);
    this.#coercing = makeAjv(doc, true);
    for (const { operation } of listOperations(doc)) {
      const body = operation.requestBody?.content['application/json']?.schema;
      if (body !== undefined) this.#bodies.set(operation.operationId, this.#compile(this.#strict, rebase(body)));
      const params = (operation.parameters ?? []).map((p) => resolveParameter(doc, p)).filter((p) => p.in === 'query');
      if (params.length > 0) {
        const schema = {
          type: 'object',
          properties: Object.fromEntries(params.map((p) => [p.name, rebase(p.schema)])),
          required: params.filter((p) => p.required === true).map((p) => p.name),
          additionalProperties: false,
        };
        this.#queries.set(operation.operationId, this.#compile(this.#coercing, schema));
      }
    }
  }

  body(operationId: string): Check | undefined {
    return this.#bodies.get(operationId);
  }

  query(operationId: string): Check | undefined {
    return this.#queries.get(operationId);
  }

  /** A checker for any schema of the document, e.g. `#/components/schemas/EntryResults`. */
  schema(pointer: string): Check {
    return this.#compile(this.#strict, { $ref: `${DOC_ID}${pointer}` });
  }

  #compile(ajv: Ajv2020, schema: unknown): Check {
    const validate: ValidateFunction = ajv.compile(schema as object);
    return (value) => (validate(value) ? [] : prioritize(validate.errors ?? []).map(describe));
  }
}

/** Schemas lifted out of the document keep their `#/...` references pointing into it. */
function rebase(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(rebase);
  if (typeof schema !== 'object' || schema === null) return schema;
  return Object.fromEntries(
    Object.entries(schema).map(([key, value]) => [
      key,
      key === '$ref' && typeof value === 'string' && value.startsWith('#/') ? `${DOC_ID}${value}` : rebase(value),
    ]),
  );
}

function makeAjv(doc: OpenApiDocument, coerce: boolean): Ajv2020 {
  const ajv = new Ajv2020({
    strict: true,
    strictRequired: false,
    strictTypes: false,
    allErrors: false,
    coerceTypes: coerce,
    useDefaults: false,
  });
  addFormats(ajv);
  ajv.addVocabulary(OPENAPI_KEYWORDS);
  ajv.addSchema({ ...doc, $id: DOC_ID });
  return ajv;
}

function resolveParameter(doc: OpenApiDocument, p: OpenApiParameter): { name: string; in: string; required?: boolean; schema: unknown } {
  if (!('$ref' in p)) return p;
  const name = p.$ref.replace('#/components/parameters/', '');
  const found = (doc.components as { parameters?: Record<string, OpenApiParameter> }).parameters?.[name];
  if (!found || '$ref' in found) throw new Error(`unresolvable parameter ${p.$ref}`);
  return found;
}

/** A failed `oneOf` says more (lfn or guid, not both) than the branch errors that led to it. */
function prioritize(errors: readonly ErrorObject[]): ErrorObject[] {
  const oneOf = errors.filter((e) => e.keyword === 'oneOf');
  return [...oneOf, ...errors.filter((e) => e.keyword !== 'oneOf')];
}

function describe(error: ErrorObject): ValidationIssue {
  const path = error.instancePath === '' ? '/' : error.instancePath;
  switch (error.keyword) {
    case 'additionalProperties':
      return { path, message: `unknown field ${JSON.stringify((error.params as { additionalProperty: string }).additionalProperty)}` };
    case 'required':
      return { path, message: `missing field ${JSON.stringify((error.params as { missingProperty: string }).missingProperty)}` };
    case 'oneOf':
      return { path, message: 'must have exactly one of the alternative forms (for example lfn or guid, not both)' };
    default:
      return { path, message: error.message ?? 'is invalid' };
  }
}
