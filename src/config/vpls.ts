// VPLS routes (RFC 4761) as ExaBGP 4.2 writes them: `l2vpn { vpls KEYWORDS; vpls NAME { KEYWORD VALUE; ... } }`,
// `announce { l2vpn { vpls KEYWORDS; } }` and the API's `announce vpls KEYWORDS`. The NLRI keywords are
// endpoint (VE ID), base (label base), offset and size (VE block) and rd; the rest are the route attributes of
// `route` (configuration/l2vpn/vpls.py and announce/vpls.py list the same set). Facts from ExaBGP 4.2; own code.

import type { Vpls } from '../wire/nlri/vpls';
import { parseRouteTail, parseUint, type RouteTail, statementCursor } from './route';
import { errorAt, type Location, type Token } from './tokenizer';

/** One VPLS route as written: the NLRI, then what `route` tails hold (no labels, path id or split). */
export interface VplsRoute extends Omit<RouteTail, 'labels' | 'rd' | 'pathId' | 'split'> {
  vpls: Vpls;
  pos: Location;
}

export interface VplsParseOptions {
  file?: string;
  /** Default true: an announcement needs `next-hop` (ExaBGP: "vpls nlri next-hop missing"). */
  requireNextHop?: boolean;
  /** Where errors about the route as a whole point (the `vpls` keyword); default the first token. */
  at?: Token;
}

/** ExaBGP's limits: 16 bits for the VE fields, 20 for the label base (RFC 4761 §3.2.2). */
const FIELDS: Record<string, { max: number; what: string }> = {
  endpoint: { max: 0xffff, what: 'a VE ID (endpoint, 0-65535)' },
  offset: { max: 0xffff, what: 'a VE block offset (0-65535)' },
  size: { max: 0xffff, what: 'a VE block size (0-65535)' },
  base: { max: 0xfffff, what: 'a label base (0-1048575)' },
};

/** Parses the keywords of one VPLS route (tokens [from, to), a trailing `;` ignored). Throws ConfigError. */
export function parseVpls(input: Token[] | string, opts: VplsParseOptions = {}, from = 0, to?: number): VplsRoute {
  const { c: cursor, where } = statementCursor(input, opts, from, to);
  const nums = new Map<string, number>();
  const tail = parseRouteTail(cursor, (kw, c) => {
    const f = FIELDS[kw.text];
    if (f === undefined) return false;
    const v = parseUint(c.word(f.what), f.max, f.what);
    if (!nums.has(kw.text)) nums.set(kw.text, v);
    return true;
  });
  const fail = (why: string): never => {
    throw errorAt(where, why);
  };
  // ExaBGP 4.2 has no label, path-information or split for VPLS (its vpls parsers do not know them).
  if (tail.labels !== undefined) fail("vpls: 'label' is not a VPLS keyword (the label block is 'base' and 'size')");
  if (tail.pathId !== undefined) fail("vpls: 'path-information' is not a VPLS keyword");
  if (tail.split !== undefined) fail("vpls: 'split' applies to prefixes, not to VPLS routes");
  // The checks and words of ExaBGP's VPLS feedback().
  if (tail.nextHop === undefined && !tail.withdraw && opts.requireNextHop !== false) fail('vpls nlri next-hop missing');
  for (const k of ['endpoint', 'base', 'offset', 'size']) if (!nums.has(k)) fail(`vpls nlri ${k} missing`);
  if (tail.rd === undefined) fail('vpls nlri route-distinguisher missing');
  const base = nums.get('base')!;
  const size = nums.get('size')!;
  // The label block is base .. base + size - 1, all 20-bit labels.
  if (base > 0xfffff - size) fail(`vpls nlri size inconsistency: base ${base} + size ${size} exceeds 20 bits`);
  const r: VplsRoute = {
    attributes: tail.attributes,
    vpls: { rd: tail.rd!, endpoint: nums.get('endpoint')!, base, offset: nums.get('offset')!, size },
    pos: where,
  };
  if (tail.nextHop !== undefined) r.nextHop = tail.nextHop;
  if (tail.watchdog !== undefined) r.watchdog = tail.watchdog;
  if (tail.withdraw) r.withdraw = true;
  if (tail.name !== undefined) r.name = tail.name;
  return r;
}
