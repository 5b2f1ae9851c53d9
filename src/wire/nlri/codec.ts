import type { FamilyKey, NlriBlock } from '../types';

/**
 * One family's NLRI codec. Families plug into the registry (registry.ts) so that UPDATE and MP_REACH/MP_UNREACH
 * decoding stays family-agnostic: unicast, multicast, FlowSpec, VPN all go through here.
 * `T` is the family's value type (a Prefix for unicast, a FlowRule for FlowSpec, ...).
 */
export interface NlriCodec<T> {
  family: FamilyKey;
  /** ExaBGP's spelling, e.g. "ipv4 unicast", "ipv6 flow". */
  name: string;
  /**
   * Validate `data` (exactly the NLRI bytes) and count the entries, without allocating per entry.
   * Throws DecodeError (action 'treat-as-withdraw' or 'afisafi-disable' per RFC 7606 §5.3) on malformed input.
   */
  scan(data: Uint8Array, addPath: boolean): number;
  /** Materialize the entries of a scanned block. */
  items(block: NlriBlock): T[];
  /** Encode one entry (with its path id if addPath). */
  encode(item: T, addPath: boolean): Uint8Array;
}
