import { CatalogError, InvalidArgument } from './errors';

/**
 * Parses every item of a bulk request on its own, so one bad item fails alone. Anything thrown that
 * is not already a catalog error (a malformed item reaching core past a face's validation) becomes
 * InvalidArgument rather than a crash.
 */
export function parseItems<I, T>(items: readonly I[], parse: (item: I, index: number) => T): (T | CatalogError)[] {
  return items.map((item, index) => {
    try {
      return parse(item, index);
    } catch (error) {
      return error instanceof CatalogError ? error : new InvalidArgument(`malformed item ${index}`);
    }
  });
}
