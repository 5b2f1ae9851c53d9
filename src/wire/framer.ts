// Splits the TCP byte stream into BGP messages (RFC 4271 §4.1) and builds message headers.
//
// Bytes arrive in chunks of any size. The framer keeps the chunks as they came and hands out each message
// body as a view into its chunk; it copies only a message that straddles chunks (and then only that message).

import { writeHeader } from './bytes';
import { DecodeError, ErrorCode } from './errors';
import { HEADER_LENGTH, MAX_EXTENDED_MESSAGE, MAX_MESSAGE, MessageType } from './types';

/** Message Header Error subcodes, RFC 4271 §4.5 / §6.1. */
export const HeaderSubcode = {
  CONNECTION_NOT_SYNCHRONIZED: 1,
  BAD_MESSAGE_LENGTH: 2,
  BAD_MESSAGE_TYPE: 3,
} as const;

/** Smallest valid total length per message type (RFC 4271 §4.2-§4.5, RFC 2918 §3). */
const MIN_LENGTH: readonly number[] = [0, 29, 23, 21, 19, 23];

const u16 = (v: number): Uint8Array => Uint8Array.of((v >>> 8) & 0xff, v & 0xff);

/** RFC 4271 §6.1: the length field is bad; the data is the erroneous length field. */
export const badLength = (len: number, why: string): DecodeError =>
  new DecodeError(
    ErrorCode.MESSAGE_HEADER,
    HeaderSubcode.BAD_MESSAGE_LENGTH,
    `bad message length ${len}: ${why}`,
    'session-reset',
    u16(len),
  );

/**
 * Check a header's marker, length and type (RFC 4271 §6.1). `h` holds at least 19 bytes from `off`.
 * Returns the total message length.
 */
export function checkHeader(h: Uint8Array, off: number, maxMessage: number): number {
  for (let i = 0; i < 16; i++) {
    if (h[off + i] !== 0xff) {
      throw new DecodeError(
        ErrorCode.MESSAGE_HEADER,
        HeaderSubcode.CONNECTION_NOT_SYNCHRONIZED,
        'marker is not all ones',
      );
    }
  }
  const len = (h[off + 16]! << 8) | h[off + 17]!;
  const type = h[off + 18]!;
  if (len < HEADER_LENGTH || len > maxMessage) throw badLength(len, `outside ${HEADER_LENGTH}..${maxMessage}`);
  if (type < MessageType.OPEN || type > MessageType.ROUTE_REFRESH) {
    throw new DecodeError(
      ErrorCode.MESSAGE_HEADER,
      HeaderSubcode.BAD_MESSAGE_TYPE,
      `bad message type ${type}`,
      'session-reset',
      Uint8Array.of(type),
    );
  }
  if (len < MIN_LENGTH[type]!) throw badLength(len, `below the minimum ${MIN_LENGTH[type]} for type ${type}`);
  // RFC 4271 §4.4: a KEEPALIVE is the header alone.
  if (type === MessageType.KEEPALIVE && len !== HEADER_LENGTH) throw badLength(len, 'KEEPALIVE must be 19 bytes');
  return len;
}

/** A full message: header + body. Throws RangeError when it would exceed 65535 bytes. */
export function frame(type: number, body: Uint8Array): Uint8Array {
  const len = HEADER_LENGTH + body.length;
  if (len > MAX_EXTENDED_MESSAGE) throw new RangeError(`message of ${len} bytes exceeds ${MAX_EXTENDED_MESSAGE}`);
  const out = new Uint8Array(len);
  writeHeader(out, len, type);
  out.set(body, HEADER_LENGTH);
  return out;
}

export class Framer {
  private maxMessage: number;
  /** Unconsumed chunks; chunks[first] is read from offset `head`. */
  private chunks: Uint8Array[] = [];
  private first = 0;
  private head = 0;
  private buffered = 0;
  /** Header bytes gathered when a header straddles chunks. */
  private readonly scratch = new Uint8Array(HEADER_LENGTH);

  constructor(maxMessage: number = MAX_MESSAGE) {
    this.maxMessage = maxMessage;
    this.setMaxMessage(maxMessage);
  }

  /** RFC 8654: 65535 once extended messages are in use for what we receive; otherwise 4096. */
  setMaxMessage(n: number): void {
    if (!Number.isInteger(n) || n < MAX_MESSAGE || n > MAX_EXTENDED_MESSAGE) {
      throw new RangeError(`max message ${n} outside ${MAX_MESSAGE}..${MAX_EXTENDED_MESSAGE}`);
    }
    this.maxMessage = n;
  }

  /** Bytes received and not yet returned as messages. */
  get pending(): number {
    return this.buffered;
  }

  push(chunk: Uint8Array): void {
    if (chunk.length === 0) return;
    this.chunks.push(chunk);
    this.buffered += chunk.length;
  }

  /**
   * The next complete message, or null when more bytes are needed. A bad header throws DecodeError code 1
   * as soon as its 19 bytes are in, without waiting for the body.
   */
  next(): { type: number; body: Uint8Array } | null {
    if (this.buffered < HEADER_LENGTH) return null;
    const cur = this.chunks[this.first]!;
    let len: number;
    let type: number;
    if (cur.length - this.head >= HEADER_LENGTH) {
      len = checkHeader(cur, this.head, this.maxMessage);
      type = cur[this.head + 18]!;
    } else {
      this.copyOut(this.scratch, HEADER_LENGTH, false);
      len = checkHeader(this.scratch, 0, this.maxMessage);
      type = this.scratch[18]!;
    }
    if (this.buffered < len) return null;
    let body: Uint8Array;
    if (cur.length - this.head >= len) {
      body = cur.subarray(this.head + HEADER_LENGTH, this.head + len);
      this.head += len;
      this.buffered -= len;
      if (this.head === cur.length) this.dropFirst();
    } else {
      const msg = new Uint8Array(len);
      this.copyOut(msg, len, true);
      body = msg.subarray(HEADER_LENGTH);
    }
    return { type, body };
  }

  /** Copy the first n buffered bytes into dst; consume them when `consume`. */
  private copyOut(dst: Uint8Array, n: number, consume: boolean): void {
    let idx = this.first;
    let off = this.head;
    let done = 0;
    while (done < n) {
      const c = this.chunks[idx]!;
      const take = Math.min(c.length - off, n - done);
      dst.set(c.subarray(off, off + take), done);
      done += take;
      off += take;
      if (off === c.length) {
        idx++;
        off = 0;
      }
    }
    if (!consume) return;
    this.buffered -= n;
    // dropFirst may compact the array, so count the drops instead of comparing indices.
    for (let k = idx - this.first; k > 0; k--) this.dropFirst();
    this.head = off;
  }

  private dropFirst(): void {
    this.chunks[this.first] = EMPTY_CHUNK;
    this.first++;
    this.head = 0;
    // Compact now and then so the array does not grow without bound.
    if (this.first === this.chunks.length) {
      this.chunks.length = 0;
      this.first = 0;
    } else if (this.first >= 64) {
      this.chunks = this.chunks.slice(this.first);
      this.first = 0;
    }
  }
}

const EMPTY_CHUNK = new Uint8Array(0);
