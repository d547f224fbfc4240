/** What a site decides about the characters of new names (see config.ts: REPLICAT_ALLOW_INVISIBLE_NAME_CHARACTERS). */
export interface NameSettings {
  /**
   * `false` (the default): a new LFN or symlink target may not hold characters that render as nothing or
   * reorder the text around them (`INVISIBLE`), so that a listing cannot show one name as another. A site whose
   * names need them (ZWNJ in Persian, ZWJ in emoji sequences and Indic scripts) turns this on.
   */
  readonly allowInvisibleCharacters: boolean;
}

export const DEFAULT_NAME_SETTINGS: NameSettings = { allowInvisibleCharacters: false };

/**
 * Characters a new name may not hold by default: every format character (Cf: bidi embeddings, overrides and
 * isolates, zero-width space/joiners, word joiner, invisible operators, BOM, the Mongolian vowel separator,
 * tags, soft hyphen), everything else Unicode says to render invisibly when unsupported
 * (Default_Ignorable_Code_Point: variation selectors, Hangul fillers, the combining grapheme joiner), and the
 * line and paragraph separators, which break a listing's lines. All of Cf rather than a list: a format
 * character either shows nothing or changes how its neighbours show, which is what spoofing needs, and a
 * list would miss the next one Unicode adds.
 */
const INVISIBLE = /[\p{Cf}\p{Default_Ignorable_Code_Point}\p{Zl}\p{Zp}]/u;

/** `name` with the characters a new name may not hold spelled `\u{…}`, to quote it in a message without its effect. */
export function escapeInvisible(name: string): string {
  return name.replace(new RegExp(INVISIBLE.source, 'gu'), (c) => `\\u{${c.codePointAt(0)!.toString(16).toUpperCase()}}`);
}

/** The first character of `name` a new name may not hold under `settings`, as `U+XXXX`; undefined when none. */
export function invisibleCharacterIn(name: string, settings: NameSettings | undefined): string | undefined {
  if ((settings ?? DEFAULT_NAME_SETTINGS).allowInvisibleCharacters) return undefined;
  const found = INVISIBLE.exec(name);
  if (found === null) return undefined;
  return `U+${found[0].codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;
}
