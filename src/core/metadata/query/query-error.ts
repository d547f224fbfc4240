import { InvalidArgument } from '../../errors';

/**
 * A query the catalog cannot run: bad syntax, an unknown attribute, a literal of the wrong type. It is an
 * InvalidArgument whose message names the column (1-based, in characters) where the problem starts.
 */
export class QueryError extends InvalidArgument {
  readonly column: number;

  constructor(source: string, offset: number, problem: string) {
    const column = columnOf(source, offset);
    super(`invalid query at column ${column}: ${problem}`);
    this.column = column;
  }
}

/** Characters (code points, not UTF-16 units) before the offset, plus one. */
export function columnOf(source: string, offset: number): number {
  let column = 1;
  for (const _ of source.slice(0, offset)) column += 1;
  return column;
}
