import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { parseCertificate, pemCertificates, type ParsedCertificate } from '../x509/parsed-certificate';

/** One VO's trust, as `X509_VOMS_DIR/<vo>/` describes it. */
export interface VoTrust {
  /** `.lsc` chains: each a list of slash DNs, the VOMS server's subject first, then its issuers. */
  readonly lscChains: readonly (readonly string[])[];
  /** VOMS server certificates trusted as they are (the older layout). */
  readonly certificates: readonly ParsedCertificate[];
}

export interface VomsTrustSnapshot {
  /** Trust for a VO: its own directory, plus certificates at the top of the directory (any VO). */
  forVo(vo: string): VoTrust;
}

/**
 * Reads a VOMS directory: `<vo>/<host>.lsc` files (DN lines, chains separated by dashes lines) and
 * certificate files, in a VO's directory or at the top (legacy: trusted for every VO).
 */
export function loadVomsDirectory(dir: string, logger?: Logger): VomsTrustSnapshot {
  const shared: ParsedCertificate[] = [];
  const byVo = new Map<string, VoTrust>();
  for (const entry of readdirSync(dir).sort()) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) {
      const lscChains: string[][] = [];
      const certificates: ParsedCertificate[] = [];
      for (const file of readdirSync(path).sort()) {
        const filePath = join(path, file);
        if (!statSync(filePath).isFile()) continue;
        if (file.endsWith('.lsc')) lscChains.push(...readLsc(readFileSync(filePath, 'utf8')));
        else certificates.push(...readCertificates(filePath, logger));
      }
      byVo.set(entry, { lscChains, certificates });
    } else if (!entry.endsWith('.lsc')) {
      shared.push(...readCertificates(path, logger));
    }
  }
  return {
    forVo(vo) {
      const own = byVo.get(vo);
      return { lscChains: own?.lscChains ?? [], certificates: [...(own?.certificates ?? []), ...shared] };
    },
  };
}

function readLsc(text: string): string[][] {
  const chains: string[][] = [[]];
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    if (line.startsWith('-')) chains.push([]);
    else chains[chains.length - 1]!.push(line);
  }
  return chains.filter((c) => c.length > 0);
}

function readCertificates(path: string, logger?: Logger): ParsedCertificate[] {
  try {
    const content = readFileSync(path);
    const text = content.toString('latin1');
    return (text.includes('-----BEGIN') ? pemCertificates(text) : [content]).map(parseCertificate);
  } catch (error) {
    logger?.warn({ file: path, err: error }, 'VOMS directory: skipping a file that does not parse');
    return [];
  }
}
