import { InvalidArgument } from '../errors';

/**
 * Fireman's eight rights, in the field order of its `Perm` struct, with the bit values of the gLite C API
 * (catalog-simple.h), so that a stored mask means the same thing on every face.
 */
export const RIGHTS = ['permission', 'remove', 'read', 'write', 'list', 'execute', 'getMetadata', 'setMetadata'] as const;
export type Right = (typeof RIGHTS)[number];

export const RIGHT_BIT: Readonly<Record<Right, number>> = {
  permission: 1,
  remove: 2,
  read: 4,
  write: 8,
  list: 16,
  execute: 32,
  getMetadata: 64,
  setMetadata: 128,
};

/** A set of rights as a bit mask (0 to 255). */
export type RightMask = number;
export const NO_RIGHTS: RightMask = 0;
export const ALL_RIGHTS: RightMask = 255;

export function isRight(value: unknown): value is Right {
  return typeof value === 'string' && (RIGHTS as readonly string[]).includes(value);
}

export function maskOf(rights: readonly unknown[], what = 'rights'): RightMask {
  let mask = 0;
  for (const right of rights) {
    if (!isRight(right)) throw new InvalidArgument(`unknown right in ${what}: ${JSON.stringify(right)} (one of ${RIGHTS.join(', ')})`);
    mask |= RIGHT_BIT[right];
  }
  return mask;
}

export function rightsOf(mask: RightMask): Right[] {
  return RIGHTS.filter((right) => (mask & RIGHT_BIT[right]) !== 0);
}

export function has(mask: RightMask, right: Right): boolean {
  return (mask & RIGHT_BIT[right]) !== 0;
}
