// Route Target membership (RFC 4684) routes as ExaBGP 5.0 prints them: ExaBGP 4.2 has no configuration for the
// family, so its --decode refuses it, and 5.0's form is the one there is.

import type { RtcRoute } from '../wire/nlri/rtc';
import { extendedCommunityString, hexUpper } from './json';

/** The route target as ExaBGP prints a RouteTarget: its type with the transitive bits cleared, sub-type 2. */
function targetText(rt: Uint8Array): string {
  const c = Uint8Array.from(rt);
  c[0]! &= 0x3f;
  c[1] = 0x02;
  return extendedCommunityString(c, 0) || hexUpper(rt);
}

export function rtcJson(r: RtcRoute): { json: string; text: string } {
  if (r.rt === undefined) return { json: '{ "origin": 0, "route-target": null }', text: 'rtc wildcard' };
  const t = targetText(r.rt);
  // A prefix shorter than a whole route target (RFC 4684 §4) has no form in ExaBGP, which reads 96 bits always.
  const partial = r.len < 96 ? `, "prefix-length": ${r.len}` : '';
  return { json: `{ "origin": ${r.origin}, "route-target": "${t}"${partial} }`, text: `rtc ${r.origin}:${t}` };
}
