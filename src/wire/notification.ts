// NOTIFICATION message (RFC 4271 §4.5), the names of its codes and subcodes, and the RFC 9003 shutdown
// communication carried by Cease / Administrative Shutdown and Administrative Reset.

import { bytesToHex } from './bytes';
import { type DecodeError, ErrorCode } from './errors';
import { badLength, frame } from './framer';
import { HEADER_LENGTH, MAX_MESSAGE, MessageType, type Notification } from './types';

/** Cease subcodes, RFC 4486 §4, RFC 8538 §5 (Hard Reset), RFC 9384 §2 (BFD Down). */
export const CeaseSubcode = {
  MAX_PREFIXES: 1,
  ADMIN_SHUTDOWN: 2,
  PEER_DECONFIGURED: 3,
  ADMIN_RESET: 4,
  CONNECTION_REJECTED: 5,
  OTHER_CONFIGURATION_CHANGE: 6,
  CONNECTION_COLLISION_RESOLUTION: 7,
  OUT_OF_RESOURCES: 8,
  HARD_RESET: 9,
  BFD_DOWN: 10,
} as const;

/** UPDATE Message Error subcodes, RFC 4271 §6.3 (7 deprecated). */
export const UpdateErrorSubcode = {
  MALFORMED_ATTRIBUTE_LIST: 1,
  UNRECOGNIZED_WELL_KNOWN_ATTRIBUTE: 2,
  MISSING_WELL_KNOWN_ATTRIBUTE: 3,
  ATTRIBUTE_FLAGS_ERROR: 4,
  ATTRIBUTE_LENGTH_ERROR: 5,
  INVALID_ORIGIN: 6,
  INVALID_NEXT_HOP: 8,
  OPTIONAL_ATTRIBUTE_ERROR: 9,
  INVALID_NETWORK_FIELD: 10,
  MALFORMED_AS_PATH: 11,
} as const;

/** Finite State Machine Error subcodes, RFC 6608 §3. */
export const FsmErrorSubcode = {
  UNSPECIFIED: 0,
  UNEXPECTED_IN_OPENSENT: 1,
  UNEXPECTED_IN_OPENCONFIRM: 2,
  UNEXPECTED_IN_ESTABLISHED: 3,
} as const;

/** ROUTE-REFRESH Message Error subcodes, RFC 7313 §5. */
export const RouteRefreshErrorSubcode = { INVALID_MESSAGE_LENGTH: 1 } as const;

/** Error code names, RFC 4271 §4.5, RFC 6608 (5), RFC 7313 (7). */
export const NOTIFICATION_CODE_NAMES: Readonly<Record<number, string>> = {
  1: 'Message Header Error',
  2: 'OPEN Message Error',
  3: 'UPDATE Message Error',
  4: 'Hold Timer Expired',
  5: 'Finite State Machine Error',
  6: 'Cease',
  7: 'ROUTE-REFRESH Message Error',
};

/** Subcode names per code (IANA "BGP Error Subcodes"). */
export const NOTIFICATION_SUBCODE_NAMES: Readonly<Record<number, Readonly<Record<number, string>>>> = {
  // RFC 4271 §6.1
  1: {
    1: 'Connection Not Synchronized',
    2: 'Bad Message Length',
    3: 'Bad Message Type',
  },
  // RFC 4271 §6.2; 7 RFC 5492; 5 and 8-10 deprecated; 11 RFC 9234
  2: {
    1: 'Unsupported Version Number',
    2: 'Bad Peer AS',
    3: 'Bad BGP Identifier',
    4: 'Unsupported Optional Parameter',
    5: 'Authentication Failure (deprecated)',
    6: 'Unacceptable Hold Time',
    7: 'Unsupported Capability',
    8: 'Grouping Conflict (deprecated)',
    9: 'Grouping Required (deprecated)',
    10: 'Capability Value Mismatch (deprecated)',
    11: 'Role Mismatch',
  },
  // RFC 4271 §6.3
  3: {
    1: 'Malformed Attribute List',
    2: 'Unrecognized Well-known Attribute',
    3: 'Missing Well-known Attribute',
    4: 'Attribute Flags Error',
    5: 'Attribute Length Error',
    6: 'Invalid ORIGIN Attribute',
    7: 'AS Routing Loop (deprecated)',
    8: 'Invalid NEXT_HOP Attribute',
    9: 'Optional Attribute Error',
    10: 'Invalid Network Field',
    11: 'Malformed AS_PATH',
  },
  4: {},
  // RFC 6608 §3
  5: {
    0: 'Unspecified Error',
    1: 'Receive Unexpected Message in OpenSent State',
    2: 'Receive Unexpected Message in OpenConfirm State',
    3: 'Receive Unexpected Message in Established State',
  },
  // RFC 4486 §4, RFC 8538 §5, RFC 9384 §2
  6: {
    1: 'Maximum Number of Prefixes Reached',
    2: 'Administrative Shutdown',
    3: 'Peer De-configured',
    4: 'Administrative Reset',
    5: 'Connection Rejected',
    6: 'Other Configuration Change',
    7: 'Connection Collision Resolution',
    8: 'Out of Resources',
    9: 'Hard Reset',
    10: 'BFD Down',
  },
  // RFC 7313 §5
  7: {
    1: 'Invalid Message Length',
  },
};

export const notificationCodeName = (code: number): string =>
  NOTIFICATION_CODE_NAMES[code] ?? `Unknown Error Code ${code}`;

export function notificationSubcodeName(code: number, subcode: number): string {
  const name = NOTIFICATION_SUBCODE_NAMES[code]?.[subcode];
  if (name) return name;
  // RFC 4271 §6: subcode 0 is "Unspecific" where no subcode applies.
  return subcode === 0 ? 'Unspecific' : `Unknown Subcode ${subcode}`;
}

/** RFC 9003 §2: the shutdown communication is at most 255 bytes of UTF-8. */
const MAX_SHUTDOWN = 255;

/**
 * The data of a Cease / Administrative Shutdown or Reset carrying `text` (RFC 9003 §2): a length octet then
 * UTF-8, cut at a character boundary to 255 bytes.
 */
export function shutdownCommunication(text: string): Uint8Array {
  let b = new TextEncoder().encode(text);
  if (b.length > MAX_SHUTDOWN) {
    let n = MAX_SHUTDOWN;
    // Step back over UTF-8 continuation bytes so no character is split.
    while (n > 0 && (b[n]! & 0xc0) === 0x80) n--;
    b = b.subarray(0, n);
  }
  const out = new Uint8Array(1 + b.length);
  out[0] = b.length;
  out.set(b, 1);
  return out;
}

const isShutdown = (n: Notification): boolean =>
  n.code === ErrorCode.CEASE && (n.subcode === CeaseSubcode.ADMIN_SHUTDOWN || n.subcode === CeaseSubcode.ADMIN_RESET);

/**
 * The RFC 9003 shutdown communication of a Cease 2/4 NOTIFICATION, or undefined when there is none.
 * Tolerant (RFC 9003 §3 asks receivers to log malformed ones rather than fail): a length beyond the data takes
 * what is there, invalid UTF-8 becomes U+FFFD.
 */
export function shutdownMessage(n: Notification): string | undefined {
  if (!isShutdown(n) || n.data.length === 0) return undefined;
  const len = Math.min(n.data[0]!, n.data.length - 1);
  if (len === 0) return undefined;
  return new TextDecoder('utf-8', { ignoreBOM: true }).decode(n.data.subarray(1, 1 + len));
}

/**
 * One line for logs: "Cease / Administrative Shutdown: maintenance", "OPEN Message Error / Bad Peer AS",
 * other data shown as hex: "Message Header Error / Bad Message Length (data 0x0FFF)".
 */
export function notificationText(n: Notification): string {
  let s = `${notificationCodeName(n.code)} / ${notificationSubcodeName(n.code, n.subcode)}`;
  if (isShutdown(n)) {
    const m = shutdownMessage(n);
    // Control characters would break the log line.
    if (m !== undefined) return `${s}: ${m.replace(/[\u0000-\u001f\u007f]/g, ' ')}`;
    if (n.data.length <= 1) return s;
  }
  if (n.data.length > 0) s += ` (data 0x${bytesToHex(n.data)})`;
  return s;
}

/**
 * The full NOTIFICATION message. Data that would take it past 4096 bytes is cut: the data is diagnostic
 * (RFC 4271 §4.5), and a session being torn down must still be able to say why to any peer.
 */
export function encodeNotification(n: Notification): Uint8Array {
  let data = n.data ?? new Uint8Array(0);
  const room = MAX_MESSAGE - HEADER_LENGTH - 2;
  if (data.length > room) data = data.subarray(0, room);
  const b = new Uint8Array(2 + data.length);
  b[0] = n.code;
  b[1] = n.subcode;
  b.set(data, 2);
  return frame(MessageType.NOTIFICATION, b);
}

/** Decode a NOTIFICATION body; the data is copied. */
export function decodeNotification(body: Uint8Array): Notification {
  if (body.length < 2) throw badLength(HEADER_LENGTH + body.length, 'NOTIFICATION shorter than 21 bytes');
  return { code: body[0]!, subcode: body[1]!, data: body.slice(2) };
}

/** DecodeError → the NOTIFICATION to send for it. */
export const notificationFor = (e: DecodeError): Notification => ({ code: e.code, subcode: e.subcode, data: e.data });
