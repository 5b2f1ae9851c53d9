// RPKI-to-Router PDUs (RFC 6810 §5 = version 0, RFC 8210 §5 = version 1): a pure codec, no I/O.
// Every PDU starts with version (1), type (1), a 16-bit field (session id, error code or zero) and a 32-bit length.

export const PDU = {
  SERIAL_NOTIFY: 0,
  SERIAL_QUERY: 1,
  RESET_QUERY: 2,
  CACHE_RESPONSE: 3,
  IPV4_PREFIX: 4,
  IPV6_PREFIX: 6,
  END_OF_DATA: 7,
  CACHE_RESET: 8,
  ROUTER_KEY: 9,
  ERROR_REPORT: 10,
} as const;

/** RFC 8210 §12 error codes. */
export const RTR_ERROR = {
  CORRUPT_DATA: 0,
  INTERNAL_ERROR: 1,
  NO_DATA: 2,
  INVALID_REQUEST: 3,
  UNSUPPORTED_VERSION: 4,
  UNSUPPORTED_PDU: 5,
  UNKNOWN_WITHDRAWAL: 6,
  DUPLICATE_ANNOUNCEMENT: 7,
  UNEXPECTED_VERSION: 8,
} as const;

/** The highest protocol version we speak (RFC 8210); RFC 6810 is version 0. */
export const RTR_VERSION_MAX = 1;

/** Longest PDU we accept: a Router Key or an Error Report carrying text; anything larger is corrupt. */
const MAX_PDU = 64 * 1024;

export type Pdu =
  | { type: 'serial-notify'; version: number; session: number; serial: number }
  | { type: 'cache-response'; version: number; session: number }
  | {
      type: 'prefix';
      version: number;
      announce: boolean;
      v6: boolean;
      /** 4 or 16 bytes, a copy. */
      prefix: Uint8Array;
      len: number;
      maxLen: number;
      asn: number;
    }
  | {
      type: 'end-of-data';
      version: number;
      session: number;
      serial: number;
      /** Seconds, only in version 1 (RFC 8210 §5.8). */
      refresh?: number;
      retry?: number;
      expire?: number;
    }
  | { type: 'cache-reset'; version: number }
  | { type: 'router-key'; version: number }
  | { type: 'error-report'; version: number; code: number; text: string }
  | { type: 'query'; version: number; pduType: number };

export class RtrDecodeError extends Error {
  constructor(
    message: string,
    readonly code: number,
    /** The bytes of the offending PDU, echoed back in the Error Report (RFC 8210 §5.11). */
    readonly pdu: Uint8Array,
  ) {
    super(message);
  }
}

function header(version: number, type: number, field: number, length: number): Uint8Array {
  const b = new Uint8Array(length);
  const v = new DataView(b.buffer);
  b[0] = version;
  b[1] = type;
  v.setUint16(2, field);
  v.setUint32(4, length);
  return b;
}

/** RFC 8210 §5.4: ask for everything. */
export function resetQuery(version: number): Uint8Array {
  return header(version, PDU.RESET_QUERY, 0, 8);
}

/** RFC 8210 §5.3: ask for what changed since `serial` of `session`. */
export function serialQuery(version: number, session: number, serial: number): Uint8Array {
  const b = header(version, PDU.SERIAL_QUERY, session, 12);
  new DataView(b.buffer).setUint32(8, serial >>> 0);
  return b;
}

/** RFC 8210 §5.11: an Error Report with the erroneous PDU and a text. */
export function errorReport(version: number, code: number, pdu: Uint8Array, text: string): Uint8Array {
  const t = Buffer.from(text, 'utf8');
  const len = 8 + 4 + pdu.length + 4 + t.length;
  const b = header(version, PDU.ERROR_REPORT, code, len);
  const v = new DataView(b.buffer);
  v.setUint32(8, pdu.length);
  b.set(pdu, 12);
  v.setUint32(12 + pdu.length, t.length);
  b.set(t, 16 + pdu.length);
  return b;
}

/** Test and cache side: an IPv4/IPv6 Prefix PDU (RFC 8210 §5.6, §5.7). */
export function prefixPdu(
  version: number,
  announce: boolean,
  prefix: Uint8Array,
  len: number,
  maxLen: number,
  asn: number,
): Uint8Array {
  const v6 = prefix.length === 16;
  const b = header(version, v6 ? PDU.IPV6_PREFIX : PDU.IPV4_PREFIX, 0, v6 ? 32 : 20);
  b[8] = announce ? 1 : 0;
  b[9] = len;
  b[10] = maxLen;
  b.set(prefix, 12);
  new DataView(b.buffer).setUint32(12 + prefix.length, asn >>> 0);
  return b;
}

/**
 * The length of the PDU at the start of `buf`, or 0 when fewer than 8 bytes are there. Throws when the length
 * field cannot be right (below 8 or absurdly large): the stream cannot be resynchronised after that.
 */
export function pduLength(buf: Uint8Array, off: number, end: number): number {
  if (end - off < 8) return 0;
  const len = ((buf[off + 4]! << 24) | (buf[off + 5]! << 16) | (buf[off + 6]! << 8) | buf[off + 7]!) >>> 0;
  if (len < 8 || len > MAX_PDU)
    throw new RtrDecodeError(`PDU length ${len} out of range`, RTR_ERROR.CORRUPT_DATA, buf.slice(off, off + 8));
  return len;
}

/** Decodes one complete PDU (exactly `len` bytes at `off`). */
export function decodePdu(buf: Uint8Array, off: number, len: number): Pdu {
  const v = new DataView(buf.buffer, buf.byteOffset + off, len);
  const version = buf[off]!;
  const type = buf[off + 1]!;
  const field = v.getUint16(2);
  const bad = (why: string, code: number = RTR_ERROR.CORRUPT_DATA): never => {
    throw new RtrDecodeError(why, code, buf.slice(off, off + len));
  };
  const need = (n: number) => {
    if (len !== n) bad(`PDU type ${type} has length ${len}, expected ${n}`);
  };
  if (version > RTR_VERSION_MAX) bad(`protocol version ${version} not supported`, RTR_ERROR.UNSUPPORTED_VERSION);
  switch (type) {
    case PDU.SERIAL_NOTIFY:
      need(12);
      return { type: 'serial-notify', version, session: field, serial: v.getUint32(8) };
    case PDU.CACHE_RESPONSE:
      need(8);
      return { type: 'cache-response', version, session: field };
    case PDU.IPV4_PREFIX:
    case PDU.IPV6_PREFIX: {
      const v6 = type === PDU.IPV6_PREFIX;
      const alen = v6 ? 16 : 4;
      need(12 + alen + 4);
      const plen = buf[off + 9]!;
      const maxLen = buf[off + 10]!;
      // RFC 8210 §5.6: 0 <= prefix length <= max length <= 32 (128).
      if (plen > alen * 8 || maxLen > alen * 8 || maxLen < plen)
        bad(`prefix length ${plen} / max length ${maxLen} invalid for IPv${v6 ? 6 : 4}`);
      return {
        type: 'prefix',
        version,
        announce: (buf[off + 8]! & 1) === 1,
        v6,
        prefix: buf.slice(off + 12, off + 12 + alen),
        len: plen,
        maxLen,
        asn: v.getUint32(12 + alen),
      };
    }
    case PDU.END_OF_DATA:
      if (version === 0) {
        need(12);
        return { type: 'end-of-data', version, session: field, serial: v.getUint32(8) };
      }
      need(24);
      return {
        type: 'end-of-data',
        version,
        session: field,
        serial: v.getUint32(8),
        refresh: v.getUint32(12),
        retry: v.getUint32(16),
        expire: v.getUint32(20),
      };
    case PDU.CACHE_RESET:
      need(8);
      return { type: 'cache-reset', version };
    case PDU.ROUTER_KEY:
      // RFC 8210 §5.10: BGPsec router keys; we do not validate BGPsec and skip them.
      if (version === 0) bad('Router Key PDU in protocol version 0', RTR_ERROR.UNSUPPORTED_PDU);
      return { type: 'router-key', version };
    case PDU.ERROR_REPORT: {
      if (len < 16) bad('Error Report too short');
      const encLen = v.getUint32(8);
      if (12 + encLen + 4 > len) bad('Error Report: encapsulated PDU longer than the report');
      const textLen = v.getUint32(12 + encLen);
      if (16 + encLen + textLen !== len) bad('Error Report: text length does not match');
      const text = Buffer.from(buf.buffer, buf.byteOffset + off + 16 + encLen, textLen).toString('utf8');
      return { type: 'error-report', version, code: field, text };
    }
    case PDU.SERIAL_QUERY:
    case PDU.RESET_QUERY:
      // A cache never sends queries (RFC 8210 §5.3, §5.4): the caller answers Invalid Request.
      return { type: 'query', version, pduType: type };
    default:
      return bad(`unknown PDU type ${type}`, RTR_ERROR.UNSUPPORTED_PDU);
  }
}

/** The RFC 8210 §12 name of an error code, for logs. */
export function errorName(code: number): string {
  const names = [
    'Corrupt Data',
    'Internal Error',
    'No Data Available',
    'Invalid Request',
    'Unsupported Protocol Version',
    'Unsupported PDU Type',
    'Withdrawal of Unknown Record',
    'Duplicate Announcement Received',
    'Unexpected Protocol Version',
  ];
  return names[code] ?? `error ${code}`;
}
