// A VOMS FQAN: /vo[/group...][/Role=r][/Capability=c], with the characters VOMS allows in names.
const FQAN = /^(\/[A-Za-z0-9_.-]+)+(\/Role=[A-Za-z0-9_.-]+)?(\/Capability=[A-Za-z0-9_.-]+)?$/;

/**
 * The form replicat uses as a group: `/Role=NULL` and `/Capability=NULL` dropped, as LFC and DPM did,
 * so that `/vo/Role=NULL/Capability=NULL` and `/vo` are the same group. Undefined when malformed.
 */
export function normalizeFqan(fqan: string): string | undefined {
  if (!FQAN.test(fqan)) return undefined;
  return fqan.replace(/\/Capability=NULL$/, '').replace(/\/Role=NULL$/, '');
}

/** Whether an FQAN belongs to a VO (its first component). */
export function inVo(fqan: string, vo: string): boolean {
  return fqan === `/${vo}` || fqan.startsWith(`/${vo}/`);
}
