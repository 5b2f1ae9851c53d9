// KEEPALIVE message (RFC 4271 §4.4): the header alone.

import { writeHeader } from './bytes';
import { HEADER_LENGTH, MessageType } from './types';

/** A fresh 19-byte KEEPALIVE (a new buffer each call, so callers may hold or hand it to a socket freely). */
export function encodeKeepalive(): Uint8Array {
  const b = new Uint8Array(HEADER_LENGTH);
  writeHeader(b, HEADER_LENGTH, MessageType.KEEPALIVE);
  return b;
}
