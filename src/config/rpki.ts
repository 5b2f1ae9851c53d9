// tsbgp's own top-level `rpki { ... }` section: the RPKI-to-Router caches (RFC 8210 / RFC 6810) and timers.
//
//   rpki {
//     cache 192.0.2.5 port 8323 preference 1;   # port defaults to 323 (IANA rpki-rtr), preference to 100
//     cache 192.0.2.6;
//     refresh 3600; retry 600; expire 7200;     # seconds (RFC 8210 §6); a version 1 cache's own values win
//   }
import { ipBytes } from './addr';
import { parseUint } from './route';
import type { Location } from './tokenizer';
import { errorAt, expected, type Token } from './tokenizer';

export interface RpkiCacheConfig {
  host: string;
  port: number;
  preference: number;
  pos: Location;
}

export interface RpkiConfig {
  caches: RpkiCacheConfig[];
  refresh?: number;
  retry?: number;
  expire?: number;
  pos: Location;
}

/** IANA port of rpki-rtr over plain TCP (RFC 6810 §7). */
export const RPKI_DEFAULT_PORT = 323;
export const RPKI_DEFAULT_PREFERENCE = 100;

/** RFC 8210 §6 ranges of the timers, in seconds. */
const TIMER_RANGE = { refresh: [1, 86400], retry: [1, 7200], expire: [600, 172800] } as const;

/** Applies one statement of the `rpki` section to `into`; `end` is the `;` token (for "missing value" errors). */
export function rpkiStatement(s: Token[], end: Token, into: RpkiConfig): void {
  const k = s[0]!;
  switch (k.text) {
    case 'cache': {
      const host = s[1];
      if (!host) throw expected(end, 'the IP address of an RPKI cache');
      if (!ipBytes(host.text)) throw expected(host, 'the IP address of an RPKI cache');
      const c: RpkiCacheConfig = {
        host: host.text,
        port: RPKI_DEFAULT_PORT,
        preference: RPKI_DEFAULT_PREFERENCE,
        pos: { file: k.file, line: k.line, col: k.col },
      };
      const seen = new Set<string>();
      for (let i = 2; i < s.length; i += 2) {
        const opt = s[i]!;
        const v = s[i + 1];
        if (opt.text !== 'port' && opt.text !== 'preference') throw expected(opt, "'port', 'preference' or ';'");
        if (seen.has(opt.text)) throw errorAt(opt, `'${opt.text}' given twice`);
        seen.add(opt.text);
        if (!v) throw expected(end, `a value after '${opt.text}'`);
        if (opt.text === 'port') {
          c.port = parseUint(v, 65535, 'a TCP port');
          if (c.port === 0) throw expected(v, 'a TCP port (1-65535)');
        } else c.preference = parseUint(v, 255, 'a preference (0-255, lower is preferred)');
      }
      if (into.caches.some((o) => o.host === c.host && o.port === c.port))
        throw errorAt(host, `cache ${c.host} port ${c.port} is listed twice`);
      into.caches.push(c);
      return;
    }
    case 'refresh':
    case 'retry':
    case 'expire': {
      const [lo, hi] = TIMER_RANGE[k.text];
      const v = s[1];
      if (!v) throw expected(end, `seconds after '${k.text}'`);
      if (s.length > 2) throw expected(s[2], `';' (${k.text} takes one value)`);
      const n = parseUint(v, hi, `seconds (${lo}-${hi}, RFC 8210 §6)`);
      if (n < lo) throw errorAt(v, `found '${v.text}', expected seconds (${lo}-${hi}, RFC 8210 §6)`);
      into[k.text] = n;
      return;
    }
    default:
      throw errorAt(k, `found '${k.text}', expected one of 'cache', 'refresh', 'retry', 'expire' (in rpki)`);
  }
}
