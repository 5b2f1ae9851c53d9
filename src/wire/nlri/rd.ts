// RFC 4364 §4.2 route distinguishers as text, both ways, in the forms ExaBGP 4.2 prints and reads.

/** Type 0 "ASN:NN" (2-byte ASN, 4-byte number), type 1 "IPv4:NN", type 2 "ASN4:NN"; other types as 0x + hex. */
export function rdToString(rd: Uint8Array): string {
  const t = (rd[0]! << 8) | rd[1]!;
  const u16 = (o: number): number => (rd[o]! << 8) | rd[o + 1]!;
  const u32 = (o: number): number => u16(o) * 0x10000 + u16(o + 2);
  if (t === 0) return `${u16(2)}:${u32(4)}`;
  if (t === 1) return `${rd[2]}.${rd[3]}.${rd[4]}.${rd[5]}:${u16(6)}`;
  if (t === 2) return `${u32(2)}:${u16(6)}`;
  return `0x${Array.from(rd, (b) => b.toString(16).toUpperCase().padStart(2, '0')).join('')}`;
}
