// One entry point per direction: a framed message's type and body to a typed Message, and back.

import { writeU16 } from './bytes';
import { DecodeError, ErrorCode, isDecodeError } from './errors';
import { encodeKeepalive } from './keepalive';
import { decodeNotification, encodeNotification } from './notification';
import { decodeOpen, encodeOpen } from './open';
import { decodeRouteRefresh, encodeRouteRefresh } from './refresh';
import { type CodecContext, HEADER_LENGTH, type Message, MessageType } from './types';
import { decodeUpdate, encodeUpdate } from './update';

/** Error code to report for a message type whose decoder failed unexpectedly. */
const FAILURE_CODE: readonly number[] = [
  ErrorCode.MESSAGE_HEADER,
  ErrorCode.OPEN_MESSAGE,
  ErrorCode.UPDATE_MESSAGE,
  ErrorCode.MESSAGE_HEADER,
  ErrorCode.MESSAGE_HEADER,
  ErrorCode.ROUTE_REFRESH,
];

/**
 * Decode one message body (after the 19-byte header, as the Framer returns it). Throws DecodeError only:
 * anything else thrown below is turned into one, so a malformed message can never take the process down.
 */
export function decodeMessage(type: number, body: Uint8Array, ctx: CodecContext): Message {
  try {
    switch (type) {
      case MessageType.OPEN:
        return { type: 1, open: decodeOpen(body) };
      case MessageType.UPDATE:
        return { type: 2, update: decodeUpdate(body, ctx) };
      case MessageType.NOTIFICATION:
        return { type: 3, notification: decodeNotification(body) };
      case MessageType.KEEPALIVE:
        // RFC 4271 §4.4: nothing follows the header.
        if (body.length !== 0) {
          throw new DecodeError(
            ErrorCode.MESSAGE_HEADER,
            2,
            `KEEPALIVE with ${body.length} body bytes`,
            'session-reset',
            u16(HEADER_LENGTH + body.length),
          );
        }
        return { type: 4 };
      case MessageType.ROUTE_REFRESH:
        return { type: 5, refresh: decodeRouteRefresh(body) };
      default:
        throw new DecodeError(
          ErrorCode.MESSAGE_HEADER,
          3,
          `bad message type ${type}`,
          'session-reset',
          Uint8Array.of(type & 0xff),
        );
    }
  } catch (e) {
    if (isDecodeError(e)) throw e;
    const why = e instanceof Error ? e.message : String(e);
    throw new DecodeError(
      FAILURE_CODE[type] ?? ErrorCode.MESSAGE_HEADER,
      type === MessageType.UPDATE ? 1 : 0,
      `undecodable message type ${type}: ${why}`,
    );
  }
}

const u16 = (v: number): Uint8Array => {
  const b = new Uint8Array(2);
  writeU16(b, 0, v & 0xffff);
  return b;
};

/**
 * Encode a message value to wire messages (header included): one message for every type. An UPDATE that does
 * not fit ctx.maxMessage throws RangeError (packUpdates splits routes over several messages).
 */
export function encodeMessage(m: Message, ctx: CodecContext): Uint8Array[] {
  switch (m.type) {
    case 1:
      return [encodeOpen(m.open)];
    case 2:
      return [encodeUpdate(m.update, ctx)];
    case 3:
      return [encodeNotification(m.notification)];
    case 4:
      return [encodeKeepalive()];
    case 5:
      return [encodeRouteRefresh(m.refresh)];
  }
}
