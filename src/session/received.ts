// Checks of a received UPDATE that depend on the session it came on, not only on its bytes (wire/update.ts
// checks those). Pure: they add RFC 7606 issues to the decoded update, and the Adj-RIB-In and the API encoders
// then treat its routes as withdrawn, as they do for the decoder's own findings.

import { isConfed } from '../wire/attributes/aspath';
import { UpdateError } from '../wire/attributes/codes';
import { DecodeError, ErrorCode } from '../wire/errors';
import { ipToString } from '../wire/ip';
import { forEachLabeled, isLabeledFamily } from '../wire/nlri/labeled';
import { type FamilyKey, SegmentType, type Update } from '../wire/types';

export interface SessionFacts {
  /** The neighbor is outside our AS and outside our confederation, if we are in one (RFC 5065 §5). */
  ebgp: boolean;
  /** The neighbor is in another member AS of our confederation (RFC 5065 §5). */
  confederationPeer?: boolean;
  /** Our address on this connection (4 or 16 bytes), when known. */
  localAddress: Uint8Array | null;
  /** RFC 8277 §2.1: the labels per route we announced we can receive, per family (one when missing). */
  labels?: ReadonlyMap<FamilyKey, number>;
}

const treatAsWithdraw = (subcode: number, why: string): DecodeError =>
  new DecodeError(ErrorCode.UPDATE_MESSAGE, subcode, why, 'treat-as-withdraw');

const same = (a: Uint8Array, b: Uint8Array, n: number): boolean => {
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return false;
  return true;
};

/** The next hop names us: the NEXT_HOP itself, or the global address of an MP_REACH_NLRI next hop. */
function namesUs(nextHop: Uint8Array, local: Uint8Array): boolean {
  const n = local.length;
  // An IPv6 next hop may carry a link-local address after the global one (RFC 2545 §3).
  if (nextHop.length !== n && !(n === 16 && nextHop.length === 32)) return false;
  return same(nextHop, local, n);
}

/** Add the session's findings to `u.issues` (nothing when the update is fine). */
export function checkReceived(u: Update, s: SessionFacts): void {
  const a = u.attributes;
  // RFC 5065 §5: confederation segments from a neighbor outside our confederation make the AS_PATH malformed;
  // RFC 7606 §7.2: a malformed AS_PATH is treat-as-withdraw.
  if (s.ebgp && a.asPath?.some((seg) => isConfed(seg.type))) {
    u.issues.push(
      treatAsWithdraw(UpdateError.MALFORMED_AS_PATH, 'AS_PATH: confederation segment from an external neighbor'),
    );
  }
  // RFC 5065 §5: a neighbor in another member AS puts its member AS first, in an AS_CONFED_SEQUENCE; a path
  // that does not start with one is malformed.
  if (s.confederationPeer && a.asPath !== undefined && a.asPath[0]?.type !== SegmentType.AS_CONFED_SEQUENCE) {
    u.issues.push(
      treatAsWithdraw(
        UpdateError.MALFORMED_AS_PATH,
        'AS_PATH: a neighbor in another member AS of the confederation did not start it with AS_CONFED_SEQUENCE',
      ),
    );
  }
  // RFC 8277 §2.1: a route with more labels than our Multiple Labels capability counts (one without it).
  const mp = a.mpReach?.nlri;
  if (mp !== undefined && mp.count > 0 && isLabeledFamily(mp.family)) {
    const max = s.labels?.get(mp.family) ?? 1;
    let most = 0;
    forEachLabeled(mp, (l) => {
      if (l.count > most) most = l.count;
    });
    if (most > max) {
      u.issues.push(
        treatAsWithdraw(
          UpdateError.OPTIONAL_ATTRIBUTE,
          `MP_REACH_NLRI: a route with ${most} labels, more than the ${max} we accept (RFC 8277 §2.1 Multiple Labels)`,
        ),
      );
    }
  }
  // RFC 4271 §6.3: a NEXT_HOP that is the receiving speaker's own address is semantically incorrect; the route
  // is ignored without a NOTIFICATION (here: treat-as-withdraw, so that an earlier version of it goes too).
  const local = s.localAddress;
  if (local === null) return;
  const own =
    (u.nlri.count > 0 && a.nextHop !== undefined && namesUs(a.nextHop, local)) ||
    (a.mpReach !== undefined && a.mpReach.nlri.count > 0 && namesUs(a.mpReach.nextHop, local));
  if (own) {
    u.issues.push(treatAsWithdraw(UpdateError.INVALID_NEXT_HOP, `next hop ${ipToString(local)} is our own address`));
  }
}
