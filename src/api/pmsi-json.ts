// The PMSI Tunnel attribute (RFC 6514 §5, type 22) as ExaBGP 4.2 prints it: one string,
// "pmsi:TYPE:FLAGS:LABEL:TUNNEL", the tunnel type's name lower-cased without spaces, the label as the 20-bit value
// (with the 24-bit field in parentheses for ingress replication, as ExaBGP), the tunnel identifier as an address
// for ingress replication (RFC 6514 §5: the replicating router's address) and as hex for the other types.

import { hexUpper, ipString } from './json';

const TUNNEL_NAMES: Record<number, string> = {
  0: 'notunnel',
  1: 'rsvp-tep2mplsp',
  2: 'mldpp2mplsp',
  3: 'pim-ssmtree',
  4: 'pim-smtree',
  5: 'bidir-pimtree',
  6: 'ingressreplication',
  7: 'mldpmp2mplsp',
};

/** The "pmsi" member and its text, or undefined when the attribute is too short to hold its fixed fields. */
export function pmsiJson(v: Uint8Array): { json: string; text: string } | undefined {
  if (v.length < 5) return undefined;
  const type = v[1]!;
  const raw = (v[2]! << 16) | (v[3]! << 8) | v[4]!;
  const label = raw >> 4;
  const id = v.subarray(5);
  let labelText = label ? String(label) : '0';
  let tunnel = id.length ? hexUpper(id) : '';
  if (type === 0) tunnel = '';
  if (type === 6) {
    if (raw) labelText = `${label}(${raw})`;
    if (id.length === 4 || id.length === 16) tunnel = ipString(id);
  }
  const s = `pmsi:${TUNNEL_NAMES[type] ?? 'unknown'}:${v[0]}:${labelText}:${tunnel}`;
  return { json: `"pmsi": "${s}"`, text: ` pmsi ${s}` };
}
