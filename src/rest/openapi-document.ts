import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import YAML from 'yaml';
import { packageRoot } from '../package-root';

/** The parts of the OpenAPI document the service reads; the rest is passed through untouched. */
export interface OpenApiDocument {
  readonly openapi: string;
  readonly info: { readonly version: string };
  readonly paths: Readonly<Record<string, Readonly<Record<string, OpenApiOperation>>>>;
  readonly components: { readonly schemas: Readonly<Record<string, unknown>> };
}

export interface OpenApiOperation {
  readonly operationId: string;
  readonly parameters?: readonly OpenApiParameter[];
  readonly requestBody?: { readonly content: Readonly<Record<string, { readonly schema: unknown }>> };
  /** The handler reads the body itself, as it arrives (storage-index/rank); no JSON parsing nor body validation up front. */
  readonly 'x-replicat-streamed-body'?: boolean;
}

export type OpenApiParameter =
  | { readonly name: string; readonly in: string; readonly required?: boolean; readonly schema: unknown }
  | { readonly $ref: string };

export const HTTP_METHODS = ['get', 'head', 'post', 'put', 'patch', 'delete'] as const;
export type HttpMethod = (typeof HTTP_METHODS)[number];

let cached: OpenApiDocument | undefined;

/** `openapi/openapi.yaml`, the single source of the REST contract, parsed once. */
export function openApiDocument(): OpenApiDocument {
  cached ??= readOpenApiDocument('openapi.yaml');
  return cached;
}

/** A contract of `openapi/` (`openapi.yaml`, `srm.yaml`), parsed. */
export function readOpenApiDocument(file: string): OpenApiDocument {
  return YAML.parse(readFileSync(join(packageRoot(), 'openapi', file), 'utf8')) as OpenApiDocument;
}

/** Every operation with its path and method, as the router binds them. */
export function listOperations(doc: OpenApiDocument): { path: string; method: HttpMethod; operation: OpenApiOperation }[] {
  const out: { path: string; method: HttpMethod; operation: OpenApiOperation }[] = [];
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const method of HTTP_METHODS) {
      const operation = item[method];
      if (operation) out.push({ path, method, operation });
    }
  }
  return out;
}
