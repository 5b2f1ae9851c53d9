// tsbgp's own `filter { ... }` block of a route server client (a neighbor with `route-server-client;`): the import
// filters of RFC 7948 §4.6 and the maximum number of prefixes. Every line is optional; the defaults are the
// values below. See docs/CONFIGURATION.md.
//
//   filter {
//     max-prefix 1000 teardown 5;          # warn | refuse (default) | teardown [MINUTES, default 5, 0.5 = 30 s]
//     prefix-length ipv4 8 24;             # bounds, inclusive (defaults 8-24 and 16-48)
//     prefix-length ipv6 16 48;
//     as-path-length 64;                   # 0 = no limit
//     bogons true;                         # bogon prefixes and AS numbers refused
//     first-as true;                       # the client's AS must lead the AS_PATH
//     next-hop [ 192.0.2.11 2001:db8::11 ];  # default: the neighbor's address; 'any' to allow every next hop
//     prefix-list as1001-prefixes.json;    # bgpq4 -j, -b or -F '%n/%l\n' output; relative to the configuration file
//     as-set as1001-asns.json;             # bgpq4 -j -t or -b -t output
//     rpki drop;                           # RFC 6811 invalid: drop (default) | tag | off
//     blackhole true;                      # RFC 7999 blackholes for the client's own space, up to /32 and /128
//   }
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ListFileError, parseAsSet, parsePrefixList } from '../policy/bgpq4';
import { DEFAULT_V4_LENGTHS, DEFAULT_V6_LENGTHS } from '../policy/import';
import type { PrefixSet } from '../policy/prefix-set';
import { ipBytes } from './addr';
import { parseUint } from './route';
import { errorAt, expected, type Token } from './tokenizer';

export interface MaxPrefixConfig {
  /** Accepted routes per family (IPv4 and IPv6 unicast counted apart). */
  limit: number;
  action: 'warn' | 'refuse' | 'teardown';
  /** Minutes before a torn-down session is started again (teardown only); fractions allowed. */
  restartMinutes: number;
}

export interface RouteServerFilterConfig {
  maxPrefix?: MaxPrefixConfig;
  v4Lengths: [number, number];
  v6Lengths: [number, number];
  maxAsPathLength: number;
  bogons: boolean;
  firstAs: boolean;
  /** Allowed next hops as written; undefined = the neighbor's address; empty = any. */
  nextHops?: string[];
  prefixList?: { file: string; set: PrefixSet };
  asSet?: { file: string; set: Set<number> };
  rpki: 'drop' | 'tag' | 'off';
  blackhole: boolean;
}

export function defaultFilter(): RouteServerFilterConfig {
  return {
    v4Lengths: [...DEFAULT_V4_LENGTHS],
    v6Lengths: [...DEFAULT_V6_LENGTHS],
    maxAsPathLength: 64,
    bogons: true,
    firstAs: true,
    rpki: 'drop',
    blackhole: true,
  };
}

function onOff(s: Token[], end: Token): boolean {
  if (s.length === 1) return true;
  if (s.length > 2) throw expected(s[2], "';'");
  const t = s[1]!.text;
  if (t === 'true' || t === 'enable') return true;
  if (t === 'false' || t === 'disable') return false;
  throw expected(s[1] ?? end, "'true' or 'false'");
}

/** Minutes as a decimal number, fractions allowed (`0.5` is 30 seconds), at most a week. */
function parseMinutes(t: Token): number {
  const what = 'minutes before the session restarts (a number, fractions allowed)';
  if (!/^\d{1,5}(\.\d{1,6})?$/.test(t.text)) throw expected(t, what);
  const v = Number(t.text);
  if (v > 10080) throw errorAt(t, `found '${t.text}', expected ${what} (at most 10080)`);
  return v;
}

/** Applies one statement of a `filter` block; `confDir` resolves relative list files. */
export function filterStatement(s: Token[], end: Token, f: RouteServerFilterConfig, confDir: string): void {
  const k = s[0]!;
  const need = (i: number, what: string): Token => {
    const t = s[i];
    if (!t) throw expected(end, what);
    return t;
  };
  const done = (n: number) => {
    if (s.length > n) throw expected(s[n], "';'");
  };
  switch (k.text) {
    case 'max-prefix': {
      const limit = parseUint(need(1, 'the maximum number of prefixes'), 0xffffffff, 'a number of prefixes');
      const a = s[2]?.text ?? 'refuse';
      if (a !== 'warn' && a !== 'refuse' && a !== 'teardown') throw expected(s[2], "'warn', 'refuse' or 'teardown'");
      let restartMinutes = 5;
      if (a === 'teardown' && s[3]) restartMinutes = parseMinutes(s[3]);
      done(a === 'teardown' ? 4 : 3);
      f.maxPrefix = { limit, action: a, restartMinutes };
      return;
    }
    case 'prefix-length': {
      const afi = need(1, "'ipv4' or 'ipv6'");
      if (afi.text !== 'ipv4' && afi.text !== 'ipv6') throw expected(afi, "'ipv4' or 'ipv6'");
      const max = afi.text === 'ipv4' ? 32 : 128;
      const lo = parseUint(need(2, 'the shortest length'), max, 'a prefix length');
      const hiTok = need(3, 'the longest length');
      const hi = parseUint(hiTok, max, 'a prefix length');
      if (hi < lo) throw errorAt(hiTok, `found '${hi}', expected a length of at least ${lo}`);
      done(4);
      if (afi.text === 'ipv4') f.v4Lengths = [lo, hi];
      else f.v6Lengths = [lo, hi];
      return;
    }
    case 'as-path-length':
      f.maxAsPathLength = parseUint(need(1, 'the longest AS_PATH (0 = no limit)'), 255, 'an AS_PATH length');
      done(2);
      return;
    case 'bogons':
      f.bogons = onOff(s, end);
      return;
    case 'first-as':
      f.firstAs = onOff(s, end);
      return;
    case 'blackhole':
      f.blackhole = onOff(s, end);
      return;
    case 'rpki': {
      const t = need(1, "'drop', 'tag' or 'off'");
      if (t.text !== 'drop' && t.text !== 'tag' && t.text !== 'off') throw expected(t, "'drop', 'tag' or 'off'");
      done(2);
      f.rpki = t.text;
      return;
    }
    case 'next-hop': {
      const first = need(1, "next hop addresses, '[ ... ]' or 'any'");
      if (first.text === 'any') {
        done(2);
        f.nextHops = [];
        return;
      }
      const words = first.punct && first.text === '[' ? s.slice(2, -1) : s.slice(1);
      if (first.punct && first.text === '[' && !(s[s.length - 1]!.punct && s[s.length - 1]!.text === ']'))
        throw expected(end, "']'");
      if (words.length === 0) throw expected(end, 'a next hop address');
      for (const w of words) if (!ipBytes(w.text)) throw expected(w, 'an IP address');
      f.nextHops = words.map((w) => w.text);
      return;
    }
    case 'prefix-list':
    case 'as-set': {
      const t = need(1, 'a file written by bgpq4 (-j, -b or -F)');
      done(2);
      const file = path.resolve(confDir, t.text);
      let text: string;
      try {
        text = fs.readFileSync(file, 'utf8');
      } catch (e) {
        throw errorAt(t, `cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
      }
      try {
        if (k.text === 'prefix-list') f.prefixList = { file, set: parsePrefixList(text) };
        else f.asSet = { file, set: parseAsSet(text) };
      } catch (e) {
        if (e instanceof ListFileError) throw errorAt(t, `${file}: ${e.message}`);
        throw e;
      }
      return;
    }
    default:
      throw errorAt(
        k,
        `found '${k.text}', expected one of max-prefix, prefix-length, as-path-length, bogons, first-as, next-hop, ` +
          'prefix-list, as-set, rpki, blackhole (in filter)',
      );
  }
}
