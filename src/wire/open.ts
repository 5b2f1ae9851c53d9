// OPEN message (RFC 4271 §4.2) with Capabilities optional parameters (RFC 5492) and the RFC 9072 extended
// optional parameters length.

import { decodeCapabilities, encodeCapability } from './capabilities';
import { DecodeError, ErrorCode } from './errors';
import { badLength, frame } from './framer';
import { type Capability, HEADER_LENGTH, MAX_MESSAGE, MessageType, type Open } from './types';

/** OPEN Message Error subcodes, RFC 4271 §6.2, RFC 5492 §5, RFC 9234 §4.2. */
export const OpenErrorSubcode = {
  UNSPECIFIC: 0,
  UNSUPPORTED_VERSION: 1,
  BAD_PEER_AS: 2,
  BAD_BGP_IDENTIFIER: 3,
  UNSUPPORTED_OPTIONAL_PARAMETER: 4,
  UNACCEPTABLE_HOLD_TIME: 6,
  UNSUPPORTED_CAPABILITY: 7,
  ROLE_MISMATCH: 11,
} as const;

/** Optional parameter type for capabilities (RFC 5492 §4). */
const PARAM_CAPABILITIES = 2;
/** RFC 9072 §2: the "Non-Ext OP Type" value that announces the extended encoding. */
const PARAM_EXTENDED = 255;
/** Fixed OPEN fields after the header: version, my AS, hold time, BGP identifier, optional parameters length. */
const FIXED = 10;

const openError = (subcode: number, msg: string, data?: Uint8Array): DecodeError =>
  new DecodeError(ErrorCode.OPEN_MESSAGE, subcode, msg, 'session-reset', data);

/**
 * The full OPEN message. Capabilities go into as few type-2 parameters as fit in 255 bytes each; when all
 * parameters together exceed 255 bytes the RFC 9072 encoding is used, with every capability in one parameter.
 * Throws RangeError for values that do not fit their fields or an OPEN over 4096 bytes (RFC 8654 §4).
 */
export function encodeOpen(o: Open): Uint8Array {
  if (o.routerId.length !== 4) throw new RangeError('BGP identifier must be 4 bytes');
  if (!(o.myAs >= 0 && o.myAs <= 0xffff))
    throw new RangeError(`my AS ${o.myAs} does not fit 2 octets (use AS_TRANS, RFC 6793)`);
  if (!(o.holdTime >= 0 && o.holdTime <= 0xffff)) throw new RangeError(`hold time ${o.holdTime} does not fit 2 octets`);
  const caps = o.capabilities.map(encodeCapability);
  let capBytes = 0;
  for (const c of caps) capBytes += c.length;

  // Group capabilities into parameters of at most 255 value bytes (each capability is at most 257 bytes,
  // so one that does not fit an empty parameter only happens with the extended encoding below).
  const groups: Uint8Array[][] = [];
  let size = 256; // forces a first group
  for (const c of caps) {
    if (size + c.length > 255) {
      groups.push([]);
      size = 0;
    }
    groups[groups.length - 1]!.push(c);
    size += c.length;
  }
  const oversize = caps.some((c) => c.length > 255);
  const shortLen = groups.length * 2 + capBytes;
  const extended = oversize || shortLen > 255;

  const paramsLen = extended ? 3 + capBytes : shortLen;
  const bodyLen = FIXED + (extended ? 3 : 0) + paramsLen;
  if (HEADER_LENGTH + bodyLen > MAX_MESSAGE)
    throw new RangeError(`OPEN of ${HEADER_LENGTH + bodyLen} bytes exceeds ${MAX_MESSAGE}`);
  const b = new Uint8Array(bodyLen);
  b[0] = o.version;
  b[1] = (o.myAs >>> 8) & 0xff;
  b[2] = o.myAs & 0xff;
  b[3] = (o.holdTime >>> 8) & 0xff;
  b[4] = o.holdTime & 0xff;
  b.set(o.routerId, 5);
  let off: number;
  if (extended) {
    // RFC 9072 §2: Non-Ext OP Len 255, Non-Ext OP Type 255, 2-byte Extended Opt. Parm. Length,
    // then parameters with a 2-byte length.
    b[9] = 255;
    b[10] = PARAM_EXTENDED;
    b[11] = paramsLen >>> 8;
    b[12] = paramsLen & 0xff;
    b[13] = PARAM_CAPABILITIES;
    b[14] = capBytes >>> 8;
    b[15] = capBytes & 0xff;
    off = 16;
    for (const c of caps) {
      b.set(c, off);
      off += c.length;
    }
  } else {
    b[9] = shortLen;
    off = 10;
    for (const g of groups) {
      let n = 0;
      for (const c of g) n += c.length;
      b[off] = PARAM_CAPABILITIES;
      b[off + 1] = n;
      off += 2;
      for (const c of g) {
        b.set(c, off);
        off += c.length;
      }
    }
  }
  return frame(MessageType.OPEN, b);
}

/**
 * Decode an OPEN body (after the 19-byte header). Applies the checks that need nothing but the message
 * (RFC 4271 §6.2, RFC 6286 §2.2, RFC 7607 §2); checks against the configuration are the session's.
 */
export function decodeOpen(body: Uint8Array): Open {
  if (body.length < FIXED) throw badLength(HEADER_LENGTH + body.length, 'OPEN shorter than 29 bytes');
  const version = body[0]!;
  // RFC 4271 §6.2: the data is the largest supported version, as 2 octets.
  if (version !== 4)
    throw openError(OpenErrorSubcode.UNSUPPORTED_VERSION, `unsupported BGP version ${version}`, Uint8Array.of(0, 4));
  const myAs = (body[1]! << 8) | body[2]!;
  const holdTime = (body[3]! << 8) | body[4]!;
  const routerId = body.slice(5, 9);
  // RFC 7607 §2: AS 0 is a bad peer AS.
  if (myAs === 0) throw openError(OpenErrorSubcode.BAD_PEER_AS, 'peer AS 0');
  // RFC 4271 §4.2: the hold time is 0 or at least 3.
  if (holdTime === 1 || holdTime === 2)
    throw openError(OpenErrorSubcode.UNACCEPTABLE_HOLD_TIME, `hold time ${holdTime}`);
  // RFC 6286 §2.2: any non-zero identifier is valid.
  if (routerId[0] === 0 && routerId[1] === 0 && routerId[2] === 0 && routerId[3] === 0) {
    throw openError(OpenErrorSubcode.BAD_BGP_IDENTIFIER, 'BGP identifier 0.0.0.0');
  }

  const optLen = body[9]!;
  const capabilities: Capability[] = [];
  // RFC 9072 §2: a non-zero length followed by type 255 means 2-byte lengths throughout.
  const extended = optLen !== 0 && body.length > FIXED && body[FIXED] === PARAM_EXTENDED;
  let off: number;
  let end: number;
  if (extended) {
    if (body.length < FIXED + 3)
      throw openError(OpenErrorSubcode.UNSPECIFIC, 'truncated extended optional parameters length');
    const extLen = (body[FIXED + 1]! << 8) | body[FIXED + 2]!;
    off = FIXED + 3;
    end = off + extLen;
  } else {
    off = FIXED;
    end = FIXED + optLen;
  }
  if (end !== body.length) {
    throw openError(
      OpenErrorSubcode.UNSPECIFIC,
      `optional parameters length ${end - off} does not match the ${body.length - off} bytes present`,
    );
  }
  const hdr = extended ? 3 : 2;
  while (off < end) {
    if (off + hdr > end) throw openError(OpenErrorSubcode.UNSPECIFIC, 'truncated optional parameter');
    const type = body[off]!;
    const len = extended ? (body[off + 1]! << 8) | body[off + 2]! : body[off + 1]!;
    const vstart = off + hdr;
    if (vstart + len > end)
      throw openError(OpenErrorSubcode.UNSPECIFIC, `optional parameter ${type} length ${len} overruns the OPEN`);
    if (type !== PARAM_CAPABILITIES) {
      throw openError(OpenErrorSubcode.UNSUPPORTED_OPTIONAL_PARAMETER, `unsupported optional parameter ${type}`);
    }
    decodeCapabilities(body.subarray(vstart, vstart + len), capabilities);
    off = vstart + len;
  }
  for (const c of capabilities) {
    if (c.code === 65 && !('unknown' in c) && (c as { asn: number }).asn === 0) {
      throw openError(OpenErrorSubcode.BAD_PEER_AS, 'peer AS 0 in the 4-octet AS capability');
    }
  }
  return { version, myAs, holdTime, routerId, capabilities };
}
