// Families whose NLRI carry fields that are attributes of the route rather than part of its key: labeled and VPN
// routes (their label stack, RFC 8277 §2.2) and EVPN (labels, and the ESI or gateway of some route types, RFC
// 7432 §7, RFC 9136 §3.1). The RIBs key such routes by their identity, so that a route announced again with other
// values replaces the first and a withdrawal finds it whatever it carries there.

import { AFI, type FamilyKey, familyKey, SAFI } from '../types';
import { evpnIdentity } from './evpn';
import { isLabeledFamily, labeledIdentity } from './labeled';

const EVPN = familyKey(AFI.L2VPN, SAFI.EVPN);

/** True when routes of the family are keyed by routeIdentity rather than by their whole entry. */
export const hasRouteIdentity = (f: FamilyKey): boolean => f === EVPN || isLabeledFamily(f);

/** The identity of an encoded entry (no path id) of a family for which hasRouteIdentity holds. */
export function routeIdentity(f: FamilyKey, entry: Uint8Array): Uint8Array {
  return f === EVPN ? evpnIdentity(entry) : labeledIdentity(f, entry);
}
