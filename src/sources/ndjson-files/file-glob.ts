/**
 * File-name globs as operators write them (`*.ndjson`, `app-??.log`): `*` is any run of
 * characters (a leading dot included), `?` is one character; everything else is literal.
 * Brackets and braces are not supported, so they need no escaping.
 */
export function globToRegExp(glob: string): RegExp {
  let source = '';
  for (const char of glob) {
    if (char === '*') source += '.*';
    else if (char === '?') source += '.';
    else source += char.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${source}$`, 'su');
}
