import { isIP } from 'node:net';
import type { Selectable } from 'kysely';
import type { StorageElementStatus, StorageElementsTable } from '../../db/schema';
import { InvalidArgument } from '../errors';
import { parseSurl } from '../names/surl';
import { parseTurlTemplate } from './turl-template';

export const SE_STATUSES: readonly StorageElementStatus[] = ['online', 'readonly', 'offline'];
export const MAX_SURL_PREFIXES = 32;
export const MAX_PROTOCOLS = 16;

/** How a storage element hands out bytes: a URL scheme and the rule making a TURL from a SURL's path. */
export interface Protocol {
  readonly scheme: string;
  readonly turlTemplate: string;
}

/**
 * A registered storage element. `host` is compared with the host of SURLs; `surlPrefixes` claim SURLs
 * more precisely (several SEs on one host, or an SE known under a name that is not its host).
 */
export interface StorageElement {
  readonly name: string;
  readonly host: string;
  readonly surlPrefixes: readonly string[];
  readonly status: StorageElementStatus;
  readonly nearline: boolean;
  /** In the SE's order of preference. */
  readonly protocols: readonly Protocol[];
  readonly ctime: Date;
  readonly mtime: Date;
}

/** What an administrator registers; absent fields take the defaults (online, disk, no prefixes, no protocols). */
export interface StorageElementInput {
  readonly name: string;
  readonly host: string;
  readonly surlPrefixes?: readonly string[];
  readonly status?: string;
  readonly nearline?: boolean;
  readonly protocols?: readonly { readonly scheme: string; readonly turlTemplate: string }[];
}

export interface ParsedStorageElement {
  readonly name: string;
  readonly host: string;
  readonly surlPrefixes: readonly ParsedPrefix[];
  readonly status: StorageElementStatus;
  readonly nearline: boolean;
  readonly protocols: readonly Protocol[];
}

export interface ParsedPrefix {
  readonly prefix: string;
  /** The prefix's own host: a SURL is only compared with prefixes of its host. */
  readonly host: string;
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
const HOST_NAME = /^(?=.{1,253}$)[a-z0-9_](?:[a-z0-9_-]{0,62})(?:\.[a-z0-9_](?:[a-z0-9_-]{0,62}))*\.?$/;
const SCHEME = /^[a-z][a-z0-9+.-]{0,31}$/;

export function parseSeName(input: unknown): string {
  if (typeof input !== 'string' || !NAME.test(input)) {
    throw new InvalidArgument(`a storage element name is 1 to 128 of A-Z a-z 0-9 . _ -, starting with a letter or digit: ${show(input)}`);
  }
  return input;
}

/**
 * A host as SURLs carry it (see names/surl.ts): lower case, no port, IPv6 without brackets. Anything else
 * could never match a replica, so it is refused rather than stored.
 */
export function parseSeHost(input: unknown): string {
  if (typeof input !== 'string') throw new InvalidArgument('host must be a string');
  // A port is tolerated and dropped: SURLs of one SE differ in ports (8446 for SRM, none for gsiftp), hosts do not.
  const host = input
    .trim()
    .toLowerCase()
    .replace(/^\[(.*)\](:\d{1,5})?$/, '$1')
    .replace(/^([^:]*):\d{1,5}$/, '$1');
  if (host.includes(':') ? isIP(host) !== 6 : !HOST_NAME.test(host)) {
    throw new InvalidArgument(`host must be a host name or IP address (a port is dropped; no scheme, no path): ${show(input)}`);
  }
  return host.endsWith('.') ? host.slice(0, -1) : host;
}

export function parseSeStatus(input: unknown): StorageElementStatus {
  if (typeof input === 'string' && (SE_STATUSES as readonly string[]).includes(input)) return input as StorageElementStatus;
  throw new InvalidArgument(`status must be one of ${SE_STATUSES.join(', ')}: ${show(input)}`);
}

/** SURL prefixes are kept byte for byte, like SURLs; one listed twice is a mistake worth reporting. */
export function parseSurlPrefixes(input: unknown): ParsedPrefix[] {
  if (!Array.isArray(input)) throw new InvalidArgument('surlPrefixes must be a list of SURL prefixes');
  if (input.length > MAX_SURL_PREFIXES) throw new InvalidArgument(`at most ${MAX_SURL_PREFIXES} SURL prefixes per storage element`);
  const seen = new Set<string>();
  return input.map((raw: unknown) => {
    const { surl, se } = parseSurl(raw);
    if (seen.has(surl)) throw new InvalidArgument(`SURL prefix listed twice: ${surl}`);
    seen.add(surl);
    return { prefix: surl, host: se };
  });
}

export function parseProtocols(input: unknown): Protocol[] {
  if (!Array.isArray(input)) throw new InvalidArgument('protocols must be a list of {scheme, turlTemplate}');
  if (input.length > MAX_PROTOCOLS) throw new InvalidArgument(`at most ${MAX_PROTOCOLS} protocols per storage element`);
  const seen = new Set<string>();
  return input.map((raw: unknown) => {
    if (typeof raw !== 'object' || raw === null) throw new InvalidArgument('a protocol is {scheme, turlTemplate}');
    const { scheme, turlTemplate } = raw as { scheme?: unknown; turlTemplate?: unknown };
    if (typeof scheme !== 'string' || !SCHEME.test(scheme)) throw new InvalidArgument(`a protocol scheme is a lower-case URL scheme such as https or root: ${show(scheme)}`);
    if (seen.has(scheme)) throw new InvalidArgument(`protocol listed twice: ${scheme}`);
    seen.add(scheme);
    return { scheme, turlTemplate: parseTurlTemplate(scheme, turlTemplate) };
  });
}

export function parseStorageElementInput(input: StorageElementInput): ParsedStorageElement {
  return {
    name: parseSeName(input.name),
    host: parseSeHost(input.host),
    surlPrefixes: parseSurlPrefixes(input.surlPrefixes ?? []),
    status: input.status === undefined ? 'online' : parseSeStatus(input.status),
    nearline: input.nearline === true,
    protocols: parseProtocols(input.protocols ?? []),
  };
}

export type StorageElementRow = Selectable<StorageElementsTable>;

export function toStorageElement(row: StorageElementRow, prefixes: readonly string[]): StorageElement {
  return {
    name: row.name,
    host: row.host,
    surlPrefixes: prefixes,
    status: row.status,
    nearline: row.nearline,
    protocols: row.protocols as Protocol[],
    ctime: row.ctime,
    mtime: row.mtime,
  };
}

function show(value: unknown): string {
  const s = typeof value === 'string' ? value : String(JSON.stringify(value));
  return JSON.stringify(s.length > 200 ? `${s.slice(0, 200)}…` : s);
}
