/** The header of read-your-writes (see docs/scale-out.md of the service). */
export const CONSISTENCY_HEADER = 'replicat-consistency';

const LSN = /^([0-9A-Fa-f]{1,8})\/([0-9A-Fa-f]{1,8})$/;

/**
 * The newest consistency token the service gave this client: every successful write answer carries
 * one (the WAL position of its commit), and sending it back on later requests makes the service serve
 * them only from a database that has replayed that far — the client reads its own writes even when a
 * read replica answers. Tokens are kept as the service wrote them; the newest is the largest position.
 */
export class ConsistencyToken {
  #text: string | undefined;
  #position = -1n;

  /** The token to send, or undefined before any write answered. */
  get current(): string | undefined {
    return this.#text;
  }

  /** Keeps a token an answer carried when it is newer than the one kept; ignores anything else. */
  note(text: string | null): void {
    if (text === null) return;
    const match = LSN.exec(text.trim());
    if (match === null) return;
    const position = (BigInt(`0x${match[1]}`) << 32n) | BigInt(`0x${match[2]}`);
    if (position > this.#position) {
      this.#position = position;
      this.#text = text.trim();
    }
  }
}
