// Characters XML 1.0 cannot carry at all, even escaped; they are dropped rather than sent broken.
const NOT_XML = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/gu;
const SPECIAL = /[&<>"'\r]/g;
const ENTITIES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;', '\r': '&#13;' };

/** Escapes text for element content or a double-quoted attribute. */
export function escapeXml(value: string): string {
  return value.replace(NOT_XML, '').replace(SPECIAL, (c) => ENTITIES[c]!);
}

/** `<name>text</name>`, or `<name xsi:nil="true"/>` for null (Axis writes nillable fields this way). */
export function textElement(name: string, value: string | number | boolean | null): string {
  if (value === null) return `<${name} xsi:nil="true"/>`;
  return `<${name}>${typeof value === 'string' ? escapeXml(value) : String(value)}</${name}>`;
}

/** An element whose content is already XML, or nil. */
export function element(name: string, content: string | null): string {
  return content === null ? `<${name} xsi:nil="true"/>` : `<${name}>${content}</${name}>`;
}

/** An Axis array: unqualified `<item>` children. */
export function itemArray<T>(values: readonly T[], encode: (value: T, index: number) => string): string {
  let out = '';
  values.forEach((value, index) => (out += `<item>${encode(value, index)}</item>`));
  return out;
}
