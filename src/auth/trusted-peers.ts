import { BlockList, isIPv4 } from 'node:net';

/** The front ends (addresses and CIDR blocks) allowed to vouch for a client certificate in a header. */
export class TrustedPeers {
  readonly #list = new BlockList();
  readonly #empty: boolean;

  constructor(peers: readonly string[]) {
    this.#empty = peers.length === 0;
    for (const peer of peers) {
      const [address, bits] = peer.split('/');
      const family = isIPv4(address!) ? 'ipv4' : 'ipv6';
      if (bits === undefined) this.#list.addAddress(address!, family);
      else this.#list.addSubnet(address!, Number(bits), family);
    }
  }

  includes(address: string | undefined): boolean {
    if (this.#empty || address === undefined) return false;
    // An IPv4 peer on a dual-stack socket shows up as ::ffff:a.b.c.d.
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)?.[1];
    const plain = mapped ?? address;
    return this.#list.check(plain, isIPv4(plain) ? 'ipv4' : 'ipv6');
  }
}
