import type { Request } from 'express';

/** The `{name}` path parameter of a route (users, groups, schemas, storage elements); the contract checked it. */
export function pathName(req: Request): string {
  return (req.params as Record<string, string | undefined>).name ?? '';
}
