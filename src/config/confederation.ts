// tsbgp's own top-level `confederation { ... }` section (RFC 5065): the AS the confederation shows the rest of
// the world, and its member ASes. Each neighbor's local-as is then the member AS tsbgp sits in.
//
//   confederation {
//     identifier 65000;           # the confederation's AS, seen by peers outside it
//     members [ 65001 65002 ];    # every member AS (FRR: bgp confederation peers; GoBGP: member-as-list)
//   }
import { parseAsn } from './route';
import type { Location } from './tokenizer';
import { errorAt, expected, listWords, type Token } from './tokenizer';

export interface ConfederationConfig {
  /** The confederation identifier: the AS number peers outside the confederation know us by (RFC 5065 §2). */
  identifier: number;
  /** The member ASes (our own among them). */
  members: number[];
  pos: Location;
}

/** Where a neighbor stands towards the confederation of its local AS (RFC 5065 §1). */
export type ConfederationPlace = 'internal' | 'member' | 'outside';

/**
 * `internal`: the same member AS (iBGP); `member`: another member AS (confederation eBGP, RFC 5065 §5: the
 * session is external, the attributes are handled as inside one AS); `outside`: an AS outside the
 * confederation, which sees the identifier as our AS (RFC 5065 §4). Undefined: the neighbor has no confederation.
 */
export function confederationPlace(n: {
  localAs: number | 'auto';
  peerAs: number | 'auto';
  confederation?: ConfederationConfig;
}): ConfederationPlace | undefined {
  const c = n.confederation;
  if (c === undefined) return undefined;
  if (n.peerAs === n.localAs) return 'internal';
  return n.peerAs !== 'auto' && c.members.includes(n.peerAs) ? 'member' : 'outside';
}

/** Applies one statement of the `confederation` section to `into`; `end` is the `;` (for "missing value" errors). */
export function confederationStatement(s: Token[], end: Token, into: Partial<ConfederationConfig>): void {
  const k = s[0]!;
  switch (k.text) {
    case 'identifier': {
      if (into.identifier !== undefined) throw errorAt(k, 'identifier is given twice');
      const v = s[1];
      if (!v) throw expected(end, 'the confederation identifier (an AS number)');
      if (s.length > 2) throw expected(s[2], "';' (identifier takes one AS number)");
      into.identifier = asNumber(v, 'the confederation identifier (an AS number, 1-4294967295)');
      return;
    }
    case 'members': {
      if (into.members !== undefined) throw errorAt(k, 'members is given twice: list every member AS in one');
      const words = listWords(s, 1, 'a member AS number');
      const members: number[] = [];
      for (const t of words) {
        const asn = asNumber(t, 'a member AS number (1-4294967295)');
        if (members.includes(asn)) throw errorAt(t, `member AS ${asn} is listed twice`);
        members.push(asn);
      }
      if (members.length === 0) throw expected(end, 'at least one member AS in members [ ]');
      into.members = members;
      return;
    }
    default:
      throw errorAt(k, `found '${k.text}', expected one of 'identifier', 'members' (in confederation)`);
  }
}

/** RFC 7607: AS 0 names no AS; RFC 6793 §9: AS_TRANS is only a placeholder. */
function asNumber(t: Token, what: string): number {
  const asn = parseAsn(t, what);
  if (asn === 0 || asn === 23456) throw errorAt(t, `found '${t.text}', expected ${what}; AS ${asn} is reserved`);
  return asn;
}

/** The section once closed: both statements are required and the identifier is none of the members. */
export function finishConfederation(c: Partial<ConfederationConfig>, at: Token): ConfederationConfig {
  if (c.identifier === undefined) throw errorAt(at, "confederation section without 'identifier'");
  if (c.members === undefined) throw errorAt(at, "confederation section without 'members'");
  if (c.members.includes(c.identifier))
    throw errorAt(at, `confederation: the identifier ${c.identifier} is also listed as a member AS`);
  return { identifier: c.identifier, members: c.members, pos: { file: at.file, line: at.line, col: at.col } };
}
