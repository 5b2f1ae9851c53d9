// Community names for people: the well-known communities IANA registers ("BGP Well-known Communities"), and the
// operator's own standard and large communities from a JSON file (tsbgp.http.names), the way looking glasses
// (Alice-LG, birdwatcher) let an IX name what its communities mean. RFC 8092 defines no well-known large
// communities, so every large community name comes from the file.

import * as fs from 'node:fs';

/** IANA's well-known communities, with the RFC that defines each. */
const WELL_KNOWN: ReadonlyMap<number, string> = new Map([
  [0xffff0000, 'graceful-shutdown'], // RFC 8326
  [0xffff0001, 'accept-own'], // RFC 7611
  [0xffff0006, 'llgr-stale'], // RFC 9494
  [0xffff0007, 'no-llgr'], // RFC 9494
  [0xffff0008, 'accept-own-nexthop'], // draft-ietf-idr-accept-own-nexthop
  [0xffff029a, 'blackhole'], // RFC 7999
  [0xffffff01, 'no-export'], // RFC 1997
  [0xffffff02, 'no-advertise'], // RFC 1997
  [0xffffff03, 'no-export-subconfed'], // RFC 1997
  [0xffffff04, 'no-peer'], // RFC 3765
]);

export interface NamedCommunity {
  /** `ASN:VALUE` (standard) or `ASN:LOCAL1:LOCAL2` (large). */
  value: string;
  name?: string;
  wellKnown?: boolean;
}

/**
 * Names for communities: exact values (`65000:666`, `65000:1:2`) and patterns with `*` for one field
 * (`65000:*`, `65000:1:*`), exact first.
 */
export class CommunityNames {
  private readonly names = new Map<string, string>();

  constructor(entries: Record<string, string> = {}) {
    for (const [k, v] of Object.entries(entries)) {
      if (!/^(\d+|\*)(:(\d+|\*)){1,2}$/.test(k) || typeof v !== 'string')
        throw new Error(`community name '${k}': expected ASN:VALUE or ASN:LOCAL1:LOCAL2 (digits or *) with a string`);
      this.names.set(k, v);
    }
  }

  /** Reads the file named by tsbgp.http.names ('' = none). Throws with the file name on a bad file. */
  static load(file: string): CommunityNames {
    if (file === '') return new CommunityNames();
    try {
      return new CommunityNames(JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, string>);
    } catch (e) {
      throw new Error(`${file}: community names: ${(e as Error).message}`);
    }
  }

  private find(parts: string[]): string | undefined {
    const exact = this.names.get(parts.join(':'));
    if (exact !== undefined) return exact;
    for (let i = parts.length - 1; i >= 0; i--) {
      const p = [...parts];
      p[i] = '*';
      const hit = this.names.get(p.join(':'));
      if (hit !== undefined) return hit;
    }
    return undefined;
  }

  standard(c: number): NamedCommunity {
    const value = `${c >>> 16}:${c & 0xffff}`;
    const wk = WELL_KNOWN.get(c >>> 0);
    if (wk !== undefined) return { value, name: wk, wellKnown: true };
    const name = this.find([String(c >>> 16), String(c & 0xffff)]);
    return name === undefined ? { value } : { value, name };
  }

  large(c: readonly [number, number, number]): NamedCommunity {
    const value = `${c[0]}:${c[1]}:${c[2]}`;
    const name = this.find(c.map(String));
    return name === undefined ? { value } : { value, name };
  }
}

/** A community given as text (`65000:1`, `65000:1:2` or a well-known name) as what routes are matched on. */
export function parseCommunityQuery(s: string): { standard: number } | { large: [number, number, number] } | null {
  for (const [v, n] of WELL_KNOWN) if (n === s.toLowerCase()) return { standard: v };
  const m = /^(\d+):(\d+)(?::(\d+))?$/.exec(s);
  if (!m) return null;
  const a = Number(m[1]);
  const b = Number(m[2]);
  if (m[3] === undefined) return a <= 0xffff && b <= 0xffff ? { standard: ((a << 16) | b) >>> 0 } : null;
  const c = Number(m[3]);
  return a <= 0xffffffff && b <= 0xffffffff && c <= 0xffffffff ? { large: [a, b, c] } : null;
}
