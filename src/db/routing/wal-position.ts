/**
 * A position in PostgreSQL's write-ahead log (an LSN, written `16/B374D848`: the high and low 32 bits
 * in hex), as a number that compares. It is what a write's answer gives the client as its consistency
 * token, and what a replica's `pg_last_wal_replay_lsn()` is compared with.
 */
export type WalPosition = bigint;

const LSN = /^([0-9A-Fa-f]{1,8})\/([0-9A-Fa-f]{1,8})$/;

/** The position of an LSN's text, or undefined when the text is not one. */
export function parseWalPosition(text: string): WalPosition | undefined {
  const match = LSN.exec(text.trim());
  if (match === null) return undefined;
  return (BigInt(`0x${match[1]}`) << 32n) | BigInt(`0x${match[2]}`);
}

export function formatWalPosition(position: WalPosition): string {
  return `${(position >> 32n).toString(16).toUpperCase()}/${(position & 0xffffffffn).toString(16).toUpperCase()}`;
}
