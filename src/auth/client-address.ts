import type { Request } from 'express';
import type { TrustedPeers } from './trusted-peers';

/**
 * The address failed logins are counted against. Behind a trusted front end it is the address that
 * front end appended to `X-Forwarded-For` (the last one; those before it are the client's to invent);
 * otherwise the peer's. IPv4 on a dual-stack socket is shown plain, and IPv6 addresses count by /64,
 * the block one host is usually given, so that a guesser cannot rotate through its own block.
 */
export function clientAddress(req: Request, trustedPeers: TrustedPeers): string {
  const peer = req.socket.remoteAddress ?? 'unknown';
  const forwarded = trustedPeers.includes(peer) ? req.get('x-forwarded-for')?.split(',').pop()?.trim() : undefined;
  return addressBlock(forwarded !== undefined && forwarded !== '' ? forwarded : peer);
}

function addressBlock(address: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)?.[1];
  if (mapped !== undefined) return mapped;
  if (!address.includes(':')) return address;
  const [head = '', tail] = address.toLowerCase().split('::');
  const groups = head === '' ? [] : head.split(':');
  if (tail !== undefined) {
    const rest = tail === '' ? [] : tail.split(':');
    groups.push(...Array<string>(Math.max(0, 8 - groups.length - rest.length)).fill('0'), ...rest);
  }
  return `${groups.slice(0, 4).map((g) => g.replace(/^0+(?=.)/, '')).join(':')}::/64`;
}
