// Attribute interning: routes that share path attributes share one AttrSet, found by the attribute bytes.
// A full table holds a few hundred thousand distinct sets at most, so a million routes cost one reference each.

import type { Attributes } from '../wire/types';
import { encodeAttributes } from '../wire/update';

export interface AttrSet {
  /** Small unique number, handy for grouping and as a Map key. */
  readonly id: number;
  /** The identity: latin1 string of the attribute bytes (without MP_REACH/MP_UNREACH NLRI). */
  readonly key: string;
  /** Never carries mpReach/mpUnreach: NLRI live in the tables, not here. */
  readonly attributes: Attributes;
  /** Next hop of MP_REACH_NLRI (RFC 4760) when the routes came in one; undefined for IPv4 body NLRI. */
  readonly nextHop?: Uint8Array;
  /** Number of routes referring to this set; at 0 the interner forgets it. */
  refs: number;
}

const CANONICAL_CTX = { asn4: true, addPath: new Set<number>(), maxMessage: 65535 };

export const bytesKey = (b: Uint8Array): string => {
  // NLRI keys are short (a prefix is 1 to 17 bytes): building the string directly is several times cheaper
  // than a Buffer view plus latin1 decode per call, which showed at the top of the 1M static-route profile.
  const n = b.length;
  if (n <= 32) {
    let s = '';
    for (let i = 0; i < n; i++) s += String.fromCharCode(b[i]!);
    return s;
  }
  return Buffer.from(b.buffer, b.byteOffset, n).toString('latin1');
};

/** Attributes without the NLRI-carrying attributes (which would pin the received message in memory). */
export function stripMp(a: Attributes): Attributes {
  if (a.mpReach === undefined && a.mpUnreach === undefined) return a;
  const { mpReach: _r, mpUnreach: _u, ...rest } = a;
  return rest;
}

export class AttrInterner {
  private readonly sets = new Map<string, AttrSet>();
  private nextId = 1;

  /** Distinct attribute sets held. */
  get size(): number {
    return this.sets.size;
  }

  /**
   * Intern by an identifying key (e.g. the raw attribute bytes of a received UPDATE, prefixed with whatever
   * changes their meaning such as the AS4 flag). `make` runs only for a key not seen before.
   * The returned set is not yet referenced: call ref() for each route that keeps it.
   */
  internKey(key: string, make: () => { attributes: Attributes; nextHop?: Uint8Array }): AttrSet {
    let s = this.sets.get(key);
    if (s === undefined) {
      const m = make();
      s = { id: this.nextId++, key, attributes: stripMp(m.attributes), nextHop: m.nextHop, refs: 0 };
      this.sets.set(key, s);
    }
    return s;
  }

  /** Intern typed attributes: the key is their canonical encoding (4-octet AS numbers), plus the next hop. */
  intern(attributes: Attributes, nextHop?: Uint8Array): AttrSet {
    const a = stripMp(attributes);
    const enc = encodeAttributes(a, CANONICAL_CTX);
    const key = 'T' + (nextHop ? String.fromCharCode(nextHop.length) + bytesKey(nextHop) : '\u0100') + bytesKey(enc);
    return this.internKey(key, () => ({ attributes: a, nextHop: nextHop ? nextHop.slice() : undefined }));
  }

  ref(s: AttrSet): void {
    s.refs++;
  }

  release(s: AttrSet): void {
    if (--s.refs <= 0 && this.sets.get(s.key) === s) this.sets.delete(s.key);
  }

  /** Forget every set that no route refers to (sets interned but never referenced). */
  sweep(): void {
    for (const [k, s] of this.sets) if (s.refs <= 0) this.sets.delete(k);
  }
}
