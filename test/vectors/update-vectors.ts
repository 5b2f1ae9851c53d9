// UPDATE messages as ExaBGP 4.2.21 encodes them (`exabgp -d -t CONF`, "parsed hex"), with the route each came from.
// They pin tsbgp's decoder to an independent encoder and, where the attribute order agrees, its encoder too.

export interface UpdateVector {
  name: string;
  /** The ExaBGP static route the bytes came from. */
  route: string;
  /** Full message, header included. */
  hex: string;
  asn4: boolean;
  /** ADD-PATH on for IPv4 unicast. */
  addPath?: boolean;
  /** True when tsbgp's encodeAttributes reproduces ExaBGP's attribute bytes exactly. */
  sameEncoding: boolean;
}

export const EXABGP_VECTORS: UpdateVector[] = [
  {
    name: 'ipv4 med community large-community, 4-octet path',
    route:
      'route 10.0.0.0/24 next-hop 192.0.2.1 origin igp as-path [ 65000 65010 4200000000 ] med 100 community [ 65000:1 no-export ] large-community [ 2914:0:666 ]',
    hex: 'FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF005F02000000444001010040020E02030000FDE80000FDF2FA56EA00400304C00002018004040000006440050400000064C00808FDE80001FFFFFF01C0200C00000B62000000000000029A180A0000',
    asn4: true,
    sameEncoding: true,
  },
  {
    name: 'ipv4 as-set atomic-aggregate aggregator extended-community',
    route:
      'route 10.1.0.0/16 next-hop 192.0.2.1 origin incomplete as-path [ 65000 ( 1 2 3 ) ] local-preference 200 atomic-aggregate aggregator ( 65005:192.0.2.9 ) extended-community [ target:65000:1 origin:1.2.3.4:5 ]',
    hex: 'FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF0064020000004A4001010240021402010000FDE80103000000010000000200000003400304C0000201400504000000C8400600C007080000FDEDC0000209C010100002FDE8000000010003010203040005100A01',
    asn4: true,
    sameEncoding: true,
  },
  {
    name: 'ipv4 originator-id cluster-list aigp',
    route:
      'route 10.2.0.0/20 next-hop 192.0.2.1 origin egp originator-id 1.1.1.1 cluster-list [ 2.2.2.2 3.3.3.3 ] aigp 1234',
    hex: 'FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF0050020000003540010101400200400304C00002014005040000006480090401010101800A080202020203030303801A0B01000B00000000000004D2140A0200',
    asn4: true,
    sameEncoding: true,
  },
  {
    name: 'ipv4 on a 2-octet session: AS_TRANS, AS4_PATH, AS4_AGGREGATOR',
    route:
      'route 10.3.0.0/24 next-hop 192.0.2.1 as-path [ 65000 4200000000 ] aggregator ( 4200000001:192.0.2.9 ) (asn4 disable)',
    hex: 'FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF0057020000003C400101004002060202FDE85BA0C0110A02020000FDE8FA56EA00400304C000020140050400000064C007065BA0C0000209C01208FA56EA01C0000209180A0300',
    asn4: false,
    // ExaBGP puts AS4_PATH right after AS_PATH; tsbgp keeps strict type code order.
    sameEncoding: false,
  },
  {
    name: 'ipv6 unicast in MP_REACH_NLRI',
    route: 'route 2001:db8:1::/48 next-hop 2001:db8::1 as-path [ 65000 ] community [ 1:1 ]',
    hex: 'FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF0051020000003A4001010040020602010000FDE840050400000064C0080400010001800E1C0002011020010DB8000000000000000000000001003020010DB80001',
    asn4: true,
    sameEncoding: true,
  },
  {
    name: 'ipv4 with ADD-PATH path identifier 7',
    route: 'route 10.4.0.0/24 path-information 0.0.0.7 next-hop 192.0.2.1',
    hex: 'FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF0034020000001540010100400200400304C00002014005040000006400000007180A0400',
    asn4: true,
    addPath: true,
    sameEncoding: true,
  },
];
