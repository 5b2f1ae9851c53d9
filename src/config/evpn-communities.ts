// The EVPN extended communities (RFC 7432 §7.5-7.8, RFC 9135 §8.1) by name in `extended-community [ ... ]`.
// ExaBGP 4.2 takes them only as 0x + 16 hex digits and names only MAC Mobility when it prints them
// ("mac-mobility:5", "mac-mobility:7:sticky"); the names below are tsbgp's, the first reads back what ExaBGP prints.

import { errorAt, type Token } from './tokenizer';

const WHAT =
  'an EVPN extended community (mac-mobility:SEQ[:sticky], esi-label:LABEL[:single-active], es-import:MAC, ' +
  'router-mac:MAC, default-gateway)';

const macBytes = (parts: string[]): number[] | undefined =>
  parts.length === 6 && parts.every((p) => /^[0-9a-f]{1,2}$/i.test(p)) ? parts.map((p) => parseInt(p, 16)) : undefined;

const number = (p: string | undefined, max: number): number | undefined =>
  p !== undefined && /^[0-9]+$/.test(p) && Number(p) <= max ? Number(p) : undefined;

/** The 8 bytes of an EVPN extended community written by name, undefined when `t` names none, or throws. */
export function evpnExtendedCommunity(t: Token): Uint8Array | undefined {
  const [kind, ...parts] = t.text.split(':');
  let b: number[] | undefined;
  switch (kind) {
    case 'mac-mobility': {
      // RFC 7432 §7.7: type 0x06 sub-type 0x00, flags (low bit: sticky/static MAC), reserved, sequence number.
      const seq = number(parts[0], 0xffffffff);
      const sticky = parts[1] === 'sticky';
      if (seq === undefined || parts.length > 2 || (parts.length === 2 && !sticky)) break;
      b = [0x06, 0x00, sticky ? 1 : 0, 0, seq >>> 24, (seq >>> 16) & 0xff, (seq >>> 8) & 0xff, seq & 0xff];
      break;
    }
    case 'esi-label': {
      // RFC 7432 §7.5: type 0x06 sub-type 0x01, flags (low bit: single-active), 2 reserved, the label in the top
      // 20 bits of 3 bytes.
      const label = number(parts[0], 0xfffff);
      const single = parts[1] === 'single-active';
      if (label === undefined || parts.length > 2 || (parts.length === 2 && !single)) break;
      const raw = label << 4;
      b = [0x06, 0x01, single ? 1 : 0, 0, 0, raw >>> 16, (raw >>> 8) & 0xff, raw & 0xff];
      break;
    }
    case 'es-import':
    case 'router-mac': {
      // RFC 7432 §7.6 ES-Import Route Target (0x06/0x02), RFC 9135 §8.1 Router's MAC (0x06/0x03): a MAC address.
      const mac = macBytes(parts);
      if (mac) b = [0x06, kind === 'es-import' ? 0x02 : 0x03, ...mac];
      break;
    }
    case 'default-gateway':
      // RFC 7432 §7.8: opaque type 0x03, sub-type 0x0d, value zero.
      if (parts.length === 0) b = [0x03, 0x0d, 0, 0, 0, 0, 0, 0];
      break;
    default:
      return undefined;
  }
  if (b === undefined) throw errorAt(t, `found '${t.text}', expected ${WHAT}`);
  return Uint8Array.from(b);
}
