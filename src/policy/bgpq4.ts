// Prefix lists and AS sets as bgpq4 writes them in JSON (`bgpq4 -j -l NAME AS-SET` for prefixes, `-4`/`-6`, with
// `-R len`/`-r len` adding ranges; `bgpq4 -j -t -l NAME AS-SET` for AS numbers):
//   { "NAME": [ { "prefix": "192.0.2.0\/24", "exact": true },
//               { "prefix": "10.0.0.0\/30", "exact": false, "greater-equal": 31, "less-equal": 32 } ] }
//   { "NAME": [ 64496, 64497 ] }
// One file holds one list (one key); both IPv4 and IPv6 prefixes may be mixed in it.
import { parsePrefix } from '../wire/ip';
import { PrefixSet } from './prefix-set';

export class ListFileError extends Error {}

function theList(text: string, what: string): unknown[] {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new ListFileError(`not JSON as bgpq4 -j writes it: ${(e as Error).message}`);
  }
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc))
    throw new ListFileError(`expected { "NAME": [ ${what} ] } as bgpq4 -j writes it`);
  const keys = Object.keys(doc);
  if (keys.length !== 1) throw new ListFileError(`expected one list, found ${keys.length}`);
  const list = (doc as Record<string, unknown>)[keys[0]!];
  if (!Array.isArray(list)) throw new ListFileError(`"${keys[0]}" is not a list`);
  return list;
}

/** A bgpq4 JSON prefix list. Entries without `exact` true allow the `greater-equal`..`less-equal` lengths. */
export function parsePrefixList(text: string): PrefixSet {
  const set = new PrefixSet();
  theList(text, 'prefix entries').forEach((e, i) => {
    const at = `entry ${i + 1}`;
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

/** A bgpq4 JSON AS list (`-t`). */
export function parseAsSet(text: string): Set<number> {
  const out = new Set<number>();
  theList(text, 'AS numbers').forEach((v, i) => {
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > 0xffffffff)
      throw new ListFileError(`entry ${i + 1}: not an AS number: ${JSON.stringify(v)}`);
    out.add(v);
  });
  return out;
}
