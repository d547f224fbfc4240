/**
 * Thrown inside a transaction when a set-based step finds the world changed under it (a parent moved
 * or removed between the walk and the insert). It carries SQLSTATE 40001 so that `inTransaction`
 * runs the whole operation again on fresh data, exactly as for a serialization failure.
 */
export class RaceLost extends Error {
  readonly code = '40001';
  constructor(what: string) {
    super(`lost a race: ${what}`);
  }
}
