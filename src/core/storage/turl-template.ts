import { InvalidArgument } from '../errors';

export const TURL_TEMPLATE_MAX_LENGTH = 1024;
const PLACEHOLDER = /\{([^{}]*)\}/g;
const KNOWN_PLACEHOLDERS = new Set(['path', 'host']);

/**
 * Checks a TURL rule: a URL of the protocol's scheme with `{path}` exactly once where the file's path goes,
 * and optionally `{host}` (the SURL's host). Nothing else in braces, so a typo such as `{pth}` is refused
 * when the SE is registered rather than producing broken TURLs later.
 *
 * ```ts
 * parseTurlTemplate('https', 'https://se1.example.org:8443/data{path}') // ok
 * parseTurlTemplate('root', 'root://se1.example.org/{file}')          // throws InvalidArgument
 * ```
 */
export function parseTurlTemplate(scheme: string, template: unknown): string {
  if (typeof template !== 'string' || template.length === 0) throw new InvalidArgument('a TURL template must be a non-empty string');
  if (template.length > TURL_TEMPLATE_MAX_LENGTH) throw new InvalidArgument(`a TURL template is longer than ${TURL_TEMPLATE_MAX_LENGTH} characters`);
  if (/[\u0000-\u0020\u007f-\u009f]/u.test(template)) throw new InvalidArgument(`a TURL template contains white space or control characters: ${show(template)}`);
  if (!template.toLowerCase().startsWith(`${scheme}://`)) {
    throw new InvalidArgument(`the TURL template of ${scheme} must start with ${scheme}:// (${show(template)})`);
  }
  let paths = 0;
  for (const match of template.matchAll(PLACEHOLDER)) {
    const name = match[1]!;
    if (!KNOWN_PLACEHOLDERS.has(name)) throw new InvalidArgument(`unknown placeholder {${name}} in TURL template ${show(template)} (use {path} and {host})`);
    if (name === 'path') paths += 1;
  }
  if (paths !== 1) throw new InvalidArgument(`a TURL template must contain {path} exactly once: ${show(template)}`);
  const sample = fill(template, '/vo/sample.file', 'se.example.org');
  if (/[{}]/.test(sample)) throw new InvalidArgument(`unbalanced braces in TURL template ${show(template)}`);
  try {
    new URL(sample);
  } catch {
    throw new InvalidArgument(`the TURL template does not make a valid URL: ${show(template)}`);
  }
  return template;
}

/**
 * The path of a file on its SE as a SURL names it: the `SFN=` parameter of SRM web-service SURLs
 * (`srm://host:8446/srm/managerv2?SFN=/dpm/vo/f`), else the URL path; repeated slashes become one.
 */
export function surlPath(surl: string): string {
  const url = new URL(surl);
  const sfn = url.searchParams.get('SFN');
  const path = sfn !== null && sfn !== '' ? sfn : decodePath(url.pathname);
  const single = path.replace(/\/{2,}/g, '/');
  return single.startsWith('/') ? single : `/${single}`;
}

/**
 * The TURL of a SURL under a checked template. With `percentEncodePath` each path component is
 * percent-encoded, as a URL the client sends back must be (a file named `a b#1` becomes `a%20b%231`, not a
 * fragment); without it the path goes in as the SURL names it.
 */
export function expandTurl(template: string, surl: string, options: { readonly percentEncodePath?: boolean } = {}): string {
  const path = surlPath(surl);
  return fill(template, options.percentEncodePath === true ? path.split('/').map(encodeURIComponent).join('/') : path, new URL(surl).hostname.toLowerCase());
}

function decodePath(path: string): string {
  try {
    return decodeURIComponent(path);
  } catch {
    return path; // a stray `%` is a character of the name, not an escape
  }
}

function fill(template: string, path: string, host: string): string {
  return template.replace(PLACEHOLDER, (_, name: string) => (name === 'path' ? path : name === 'host' ? host : `{${name}}`));
}

function show(s: string): string {
  return JSON.stringify(s.length > 200 ? `${s.slice(0, 200)}…` : s);
}
