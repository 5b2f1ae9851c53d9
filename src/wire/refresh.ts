// ROUTE-REFRESH message (RFC 2918 §3) with the RFC 7313 §3.2 message subtype in the former reserved octet.

import { DecodeError, ErrorCode } from './errors';
import { badLength, frame } from './framer';
import { HEADER_LENGTH, MAX_EXTENDED_MESSAGE, MessageType, type RouteRefresh } from './types';

/** RFC 7313 §3.2: 0 normal request, 1 Beginning of Route Refresh, 2 End of Route Refresh. */
export const RefreshSubtype = { REQUEST: 0, BORR: 1, EORR: 2 } as const;

/** The full ROUTE-REFRESH message: AFI (2), subtype (1), SAFI (1). */
export function encodeRouteRefresh(r: RouteRefresh): Uint8Array {
  return frame(
    MessageType.ROUTE_REFRESH,
    Uint8Array.of((r.afi >>> 8) & 0xff, r.afi & 0xff, r.subtype & 0xff, r.safi & 0xff),
  );
}

/**
 * Decode a ROUTE-REFRESH body. A body that is not 4 bytes is "ROUTE-REFRESH Message Error / Invalid Message
 * Length" with the whole message as data (RFC 7313 §5); tsbgp never negotiates ORF (RFC 5291), the one use of a
 * longer ROUTE-REFRESH, so the rule applies to every subtype. Shorter than 4 is a header error (RFC 4271 §6.1).
 * Subtypes 3-255 are returned as they are: RFC 7313 §5 says to ignore them, which is the session's call.
 */
export function decodeRouteRefresh(body: Uint8Array): RouteRefresh {
  if (body.length < 4) throw badLength(HEADER_LENGTH + body.length, 'ROUTE-REFRESH shorter than 23 bytes');
  if (body.length !== 4) {
    throw new DecodeError(
      ErrorCode.ROUTE_REFRESH,
      1,
      `ROUTE-REFRESH body of ${body.length} bytes, expected 4`,
      'session-reset',
      HEADER_LENGTH + body.length <= MAX_EXTENDED_MESSAGE ? frame(MessageType.ROUTE_REFRESH, body) : body.slice(0, 4),
    );
  }
  return { afi: (body[0]! << 8) | body[1]!, subtype: body[2]!, safi: body[3]! };
}
