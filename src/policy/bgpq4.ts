// Prefix lists and AS sets as bgpq4 writes them, in the three forms a route server can read without a router's
// grammar (bgpq4's other outputs are router configurations):
// - JSON, `bgpq4 -j -l NAME AS-SET` for prefixes (`-4`/`-6`, with `-R len`/`-r len`/`-A` adding ranges) and
//   `bgpq4 -j -t -l NAME AS-SET` for AS numbers:
//     { "NAME": [ { "prefix": "192.0.2.0\/24", "exact": true },
//                 { "prefix": "10.0.0.0\/30", "exact": false, "greater-equal": 31, "less-equal": 32 } ] }
//     {"NAME": [ 64496,64497 ]}
// - BIRD, `bgpq4 -b` (`-b -t` for AS numbers): `NAME = [ 192.0.2.0/24, 10.0.0.0/30{31,32} ];`, `NAME = [ 64496 ];`
// - a user format of bare prefixes, `bgpq4 -F '%n/%l\n'` (or `'%n/%l '`): one prefix per word.
// Several lists may follow each other in one file (`bgpq4 -4 ...; bgpq4 -6 ...` appended): they are joined.
import { parsePrefix } from '../wire/ip';
import { PrefixSet } from './prefix-set';

export class ListFileError extends Error {}

const FORMS = 'bgpq4 -j, -b or -F "%n/%l\\n" output';

/** The top-level JSON values of `text`, one after another (bgpq4 -j outputs appended to each other). */
function jsonDocuments(text: string): string[] {
  const docs: string[] = [];
  let depth = 0;
  let start = -1;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === '{' || c === '[') {
      if (depth++ === 0) start = i;
    } else if (c === '}' || c === ']') {
      if (depth === 0) throw new ListFileError(`found '${c}' before its opening bracket`);
      if (--depth === 0) docs.push(text.slice(start, i + 1));
    } else if (depth === 0 && !/\s/.test(c)) throw new ListFileError(`found '${c}' between lists, expected ${FORMS}`);
  }
  if (depth !== 0) throw new ListFileError(`a list is not closed (${FORMS})`);
  return docs;
}

function jsonList(doc: string, what: string): unknown[] {
  let value: unknown;
  try {
    value = JSON.parse(doc);
  } catch (e) {
    throw new ListFileError(`not JSON as bgpq4 -j writes it: ${(e as Error).message}`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    throw new ListFileError(`expected { "NAME": [ ${what} ] } as bgpq4 -j writes it`);
  const keys = Object.keys(value);
  if (keys.length !== 1) throw new ListFileError(`expected one list, found ${keys.length}`);
  const list = (value as Record<string, unknown>)[keys[0]!];
  if (!Array.isArray(list)) throw new ListFileError(`"${keys[0]}" is not a list`);
  return list;
}

/** One word of a BIRD or user-format list: a prefix with an optional `{MIN,MAX}` length range, or a number. */
function word(w: string): unknown {
  if (/^\d+$/.test(w)) return Number(w);
  const m = /^([^{}]+)\{(\d+),(\d+)\}$/.exec(w);
  if (m) return { prefix: m[1], exact: false, 'greater-equal': Number(m[2]), 'less-equal': Number(m[3]) };
  return w.includes('/') ? { prefix: w, exact: true } : w;
}

/** Every entry of every list in the file, JSON entries as they are, BIRD and plain words as JSON would give them. */
function theList(text: string, what: string): unknown[] {
  const body = text.trim();
  if (body.startsWith('{') || body.startsWith('[')) return jsonDocuments(body).flatMap((d) => jsonList(d, what));
  if (body.includes('=')) {
    // BIRD: NAME = [ item, item{MIN,MAX}, ... ]; one or more.
    const out: unknown[] = [];
    const re = /\s*([^\s=[\];]+)\s*=\s*\[([^\]]*)\]\s*;/y;
    let at = 0;
    while (at < text.length && /\S/.test(text.slice(at))) {
      re.lastIndex = at;
      const m = re.exec(text);
      if (!m) throw new ListFileError(`expected NAME = [ ${what} ]; as bgpq4 -b writes it`);
      const items = m[2]!.replace(/\{\s*(\d+)\s*,\s*(\d+)\s*\}/g, '{$1;$2}').split(',');
      for (const it of items.map((x) => x.trim().replace(';', ','))) if (it !== '') out.push(word(it));
      at = re.lastIndex;
    }
    return out;
  }
  return body === '' ? [] : body.split(/\s+/).map(word);
}

/** A bgpq4 prefix list. Entries without `exact` true allow the `greater-equal`..`less-equal` lengths. */
export function parsePrefixList(text: string): PrefixSet {
  const set = new PrefixSet();
  theList(text, 'prefix entries').forEach((e, i) => {
    const at = `entry ${i + 1}`;
    if (typeof e === 'string' || typeof e === 'number')
      throw new ListFileError(`${at}: not a prefix: ${JSON.stringify(e)}`);
    if (e === null || typeof e !== 'object') throw new ListFileError(`${at}: expected { "prefix": ... }`);
    const o = e as Record<string, unknown>;
    const p = typeof o.prefix === 'string' ? parsePrefix(o.prefix) : null;
    if (!p || !(o.prefix as string).includes('/'))
      throw new ListFileError(`${at}: "prefix" is not a prefix: ${JSON.stringify(o.prefix)}`);
    const max = p.addr.length * 8;
    const num = (k: string, dflt: number): number => {
      const v = o[k];
      if (v === undefined) return dflt;
      if (typeof v !== 'number' || !Number.isInteger(v) || v < p.len || v > max)
        throw new ListFileError(`${at}: "${k}" must be a length from ${p.len} to ${max}`);
      return v;
    };
    if (o.exact === true) set.add(p.addr, p.len, p.len, p.len);
    else {
      // "less-equal" alone: the prefix and more specifics up to it; "greater-equal" alone: from it to the end.
      const ge = num('greater-equal', p.len);
      const le = num('less-equal', o['greater-equal'] === undefined ? p.len : max);
      if (ge > le) throw new ListFileError(`${at}: greater-equal ${ge} above less-equal ${le}`);
      set.add(p.addr, p.len, ge, le);
    }
  });
  return set;
}

/** A bgpq4 AS list (`-t`). */
export function parseAsSet(text: string): Set<number> {
  const out = new Set<number>();
  theList(text, 'AS numbers').forEach((v, i) => {
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > 0xffffffff)
      throw new ListFileError(`entry ${i + 1}: not an AS number: ${JSON.stringify(v)}`);
    out.add(v);
  });
  return out;
}
