// The static EVPN routes the FRR and GoBGP interop tests give tsbgp: one of each route type (RFC 7432 §7.1-7.4,
// RFC 9136 §3.1), with the EVPN extended communities, in an `l2vpn { }` section of a neighbor body.
export const STATIC_EVPN = [
  'family { l2vpn evpn; }',
  'l2vpn {',
  '  evpn ethernet-ad rd 65000:1 esi 00:11:22:33:44:55:66:77:88:99 etag 10 label 100 next-hop 192.0.2.1 extended-community [ target:65000:1 ];',
  '  evpn mac-ip rd 65000:1 esi - etag 10 mac 00:aa:bb:cc:dd:01 ip 10.0.0.1 label 100 next-hop 192.0.2.1 extended-community [ target:65000:1 mac-mobility:3:sticky ];',
  '  evpn multicast rd 65000:1 etag 10 ip 192.0.2.1 next-hop 192.0.2.1 extended-community [ target:65000:1 ];',
  '  evpn segment rd 65000:1 esi 00:11:22:33:44:55:66:77:88:99 ip 192.0.2.1 next-hop 192.0.2.1 extended-community [ es-import:11:22:33:44:55:66 ];',
  '  evpn prefix rd 65000:2 etag 0 ip 10.1.0.0/16 gateway 192.0.2.9 vni 10100 next-hop 192.0.2.1 extended-community [ target:65000:2 router-mac:00:aa:bb:cc:dd:02 ];',
  '}',
];
