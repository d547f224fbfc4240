import { UsageError } from '../exit-codes';

/**
 * Which SRM serves which storage element. The catalog's registry names SEs but not their SRM (a grid
 * client found it in the information system); here it is given as `--srm URL` (one SRM for every SE, as
 * the mock SRM serves several) and/or `--srm SE=URL` (per SE), else REPLICAT_SRM with the same syntax,
 * comma-separated, else `"srm"` in the config file.
 */
export class SrmEndpoints {
  readonly #bySe: ReadonlyMap<string, string>;
  readonly #fallback: string | undefined;

  private constructor(bySe: ReadonlyMap<string, string>, fallback: string | undefined) {
    this.#bySe = bySe;
    this.#fallback = fallback;
  }

  /** From the first source that gives any value: the options, then the environment, then the config file. */
  static parse(sources: readonly { readonly values: readonly string[]; readonly where: string }[]): SrmEndpoints {
    const source = sources.find((s) => s.values.length > 0);
    if (source === undefined) {
      throw new UsageError('no SRM given: use --srm URL (or --srm SE=URL), set REPLICAT_SRM, or put {"srm": URL} in the config file');
    }
    const bySe = new Map<string, string>();
    let fallback: string | undefined;
    for (const value of source.values) {
      const equals = value.indexOf('=');
      const looksPerSe = equals > 0 && !/^[a-z][a-z0-9+.-]*:\/\//i.test(value.slice(0, equals + 3));
      const url = srmUrl(looksPerSe ? value.slice(equals + 1) : value, source.where);
      if (!looksPerSe) {
        if (fallback !== undefined) throw new UsageError(`${source.where}: two SRMs for every SE (${fallback}, ${url}); give SE=URL`);
        fallback = url;
        continue;
      }
      const se = value.slice(0, equals);
      if (bySe.has(se)) throw new UsageError(`${source.where}: two SRMs for ${se}`);
      bySe.set(se, url);
    }
    return new SrmEndpoints(bySe, fallback);
  }

  /** The SRM of an SE (by its registry name), or undefined when none was given for it. */
  of(se: string): string | undefined {
    return this.#bySe.get(se) ?? this.#fallback;
  }
}


function srmUrl(text: string, where: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new UsageError(`${where}: ${JSON.stringify(text)} is not a URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new UsageError(`${where}: ${JSON.stringify(text)} is not an http:// or https:// URL`);
  return url.toString().replace(/\/+$/, '');
}
