// EVPN routes in the configuration (`l2vpn { evpn ... }`, `announce { l2vpn { evpn ... } }`), the API and encode
// text (tsbgp's syntax, config/evpn.ts): what each keyword sets for every route type, the EVPN extended
// communities by name, the errors at file:line:col; and in the daemon's RIB: a route given again with another
// label replaces the first, a withdrawal without the label finds it, a reload withdraws only what is gone.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseCommand } from '../../../src/api/commands';
import { parseEvpn } from '../../../src/config/evpn';
import { parseConfig } from '../../../src/config/parser';
import { evpnEntry, withdrawRemovedEvpn } from '../../../src/daemon/routes';
import { nlriText } from '../../../src/daemon/show';
import { AdjRibOut } from '../../../src/rib/adj-rib-out';
import { bytesToHex } from '../../../src/wire/bytes';

const conf = (family: string, lines: string[], announce: string[] = []): string =>
  `neighbor 192.0.2.2 {\n router-id 1.1.1.1; local-address 192.0.2.1; local-as 65000; peer-as 65000;\n` +
  ` family { ${family}; }\n l2vpn {\n${lines.map((l) => `  ${l};`).join('\n')}\n }\n` +
  ` announce {\n  l2vpn {\n${announce.map((l) => `   ${l};`).join('\n')}\n  }\n }\n}\n`;

const hex = (text: string): string => bytesToHex(evpnEntry(parseEvpn(text, {}, 1)).entry);

test('evpn: every route type from its keywords, in the bytes of RFC 7432 §7 and RFC 9136 §3.1', () => {
  assert.equal(
    hex('evpn ethernet-ad rd 65000:1 esi 00:11:22:33:44:55:66:77:88:99 etag 100 label 100 next-hop 192.0.2.1'),
    '01190000FDE8000000010011223344556677889900000064000641',
  );
  // ESI and Ethernet Tag default to zero; `vni` fills the whole label field (RFC 8365 §5.1.3).
  assert.equal(
    hex('evpn mac-ip rd 65000:1 mac 00:11:22:33:44:55 vni 10100 next-hop 192.0.2.1'),
    '02210000FDE80000000100000000000000000000000000003000112233445500002774',
  );
  assert.equal(
    hex('evpn macadv rd 65000:1 esi - etag 5 mac 00-11-22-33-44-55 ip 2001:db8::1 label [ 100 200 ] next-hop ::1'),
    '02340000FDE8000000010000000000000000000000000005300011223344558020010DB8000000000000000000000001000641000C81',
  );
  assert.equal(
    hex('evpn multicast rd 192.0.2.1:7 ip 192.0.2.1 next-hop 192.0.2.1'),
    '03110001C000020100070000000020C0000201',
  );
  assert.equal(
    hex('evpn segment rd 65000:1 esi 0x01AABBCCDDEEFF010200 ip 192.0.2.1 next-hop 192.0.2.1'),
    '04170000FDE80000000101AABBCCDDEEFF01020020C0000201',
  );
  assert.equal(
    hex('evpn prefix rd 65000:1 etag 0 ip 10.1.0.0/16 gateway 192.0.2.9 label 100 next-hop 192.0.2.1'),
    '05220000FDE8000000010000000000000000000000000000100A010000C0000209000641',
  );
  assert.equal(
    hex('evpn prfxadv rd 65000:1 ip 2001:db8:1::/48 vni 1 next-hop 192.0.2.1'),
    `053A0000FDE800000001${'00'.repeat(14)}3020010DB8000100000000000000000000${'00'.repeat(16)}000001`,
  );
});

test('evpn: the EVPN extended communities by name (RFC 7432 §7.5-7.8, RFC 9135 §8.1)', () => {
  const r = parseEvpn(
    'evpn multicast rd 65000:1 ip 192.0.2.1 next-hop 192.0.2.1 extended-community [ mac-mobility:5 ' +
      'mac-mobility:7:sticky esi-label:100:single-active es-import:00:11:22:33:44:55 router-mac:00:aa:bb:cc:dd:ee ' +
      'default-gateway target:65000:1 ]',
    {},
    1,
  );
  assert.deepEqual(r.attributes.extendedCommunities?.map(bytesToHex), [
    '0600000000000005',
    '0600010000000007',
    '0601010000000640',
    '0602001122334455',
    '060300AABBCCDDEE',
    '030D000000000000',
    '0002FDE800000001',
  ]);
  for (const bad of [
    'mac-mobility:x',
    'mac-mobility:1:slippery',
    'esi-label:1048576',
    'es-import:00:11',
    'default-gateway:1',
  ])
    assert.throws(
      () => parseEvpn(`evpn multicast rd 1:1 ip 1.2.3.4 next-hop 1.2.3.4 extended-community ${bad}`, {}, 1),
      /expected an EVPN extended community/,
      bad,
    );
});

test('evpn: l2vpn and announce l2vpn sections; errors at file:line:col', () => {
  const n = parseConfig(
    conf(
      'l2vpn evpn',
      ['evpn multicast rd 65000:1 ip 192.0.2.1 next-hop 192.0.2.1 med 5'],
      ['evpn segment rd 65000:1 esi 00:11:22:33:44:55:66:77:88:99 ip 192.0.2.1 next-hop self'],
    ),
  ).neighbors[0]!;
  assert.deepEqual(
    n.evpn.map((v) => [v.evpn.code, v.attributes.med]),
    [
      [3, 5],
      [4, undefined],
    ],
  );
  assert.equal(n.evpn[1]!.nextHop, 'self');
  assert.throws(
    () => parseConfig(conf('l2vpn vpls', ['evpn multicast rd 65000:1 ip 192.0.2.1 next-hop 192.0.2.1']), 'f.conf'),
    /f\.conf:5:3: .*evpn route but l2vpn evpn is not in the neighbor's family block/,
  );
  for (const [text, why] of [
    ['evpn mac-ip rd 65000:1 next-hop 192.0.2.1', /evpn mac-ip nlri mac missing/],
    ['evpn mac-ip mac 00:11:22:33:44:55 next-hop 192.0.2.1', /route-distinguisher missing/],
    ['evpn segment rd 65000:1 ip 192.0.2.1 next-hop 192.0.2.1', /evpn segment nlri esi missing/],
    ['evpn multicast rd 65000:1 ip 192.0.2.1', /next-hop missing/],
    ['evpn multicast rd 65000:1 ip 192.0.2.1 label 3 next-hop 192.0.2.1', /'label' is not a field of multicast/],
    ['evpn ethernet-ad rd 1:1 esi 0 label [ 1 2 ] next-hop 192.0.2.1', /1 label field/],
    ['evpn prefix rd 1:1 ip 10.0.0.0/8 gateway ::1 next-hop 192.0.2.1', /same family/],
    ['evpn prefix rd 1:1 ip 10.0.0.1/8 next-hop 192.0.2.1', /host bits set/],
    ['evpn mac-ip rd 1:1 mac 00:11:22:33:44 next-hop 192.0.2.1', /expected a MAC address/],
    ['evpn mac-ip rd 1:1 esi 00:11 mac 00:11:22:33:44:55 next-hop 192.0.2.1', /expected an ESI/],
    ['evpn mac-ip rd 1:1 mac 00:11:22:33:44:55 vni 1 label 2 next-hop 192.0.2.1', /'label' or 'vni'/],
    ['evpn vxlan rd 1:1', /expected an EVPN route type/],
  ] as const)
    assert.throws(
      () => parseConfig(conf('l2vpn evpn', [text]), 'f.conf'),
      (e: Error) => /^f\.conf:5:\d+: /.test(e.message) && why.test(e.message),
      text,
    );
});

test('evpn: API commands, in the short and the family form', () => {
  for (const line of [
    'announce evpn multicast rd 65000:1 ip 192.0.2.1 next-hop 192.0.2.1',
    'neighbor 192.0.2.2 announce evpn multicast rd 65000:1 ip 192.0.2.1 next-hop 192.0.2.1',
    'announce l2vpn evpn multicast rd 65000:1 ip 192.0.2.1 next-hop 192.0.2.1',
  ]) {
    const c = parseCommand(line);
    assert.ok(c.ok, line);
    assert.equal(c.ok && c.command.kind, 'announce-evpn', line);
    assert.equal(c.ok && 'text' in c.command && c.command.text, 'multicast rd 65000:1 ip 192.0.2.1 next-hop 192.0.2.1');
  }
  const w = parseCommand('withdraw evpn mac-ip rd 65000:1 mac 00:11:22:33:44:55');
  assert.ok(w.ok && w.command.kind === 'withdraw-evpn');
});

test('evpn: the RIB keys a route without its label and ESI; a reload withdraws only what is gone, once', () => {
  const rib = new AdjRibOut();
  const put = (text: string): void => {
    const e = evpnEntry(parseEvpn(text, {}, 1));
    rib.announce(e.family, e.entry, e.attributes, { nextHop: e.nextHop });
  };
  put('evpn mac-ip rd 65000:1 mac 00:11:22:33:44:55 label 100 next-hop 192.0.2.1 med 1');
  put(
    'evpn mac-ip rd 65000:1 esi 00:11:22:33:44:55:66:77:88:99 mac 00:11:22:33:44:55 label 200 next-hop 192.0.2.1 med 2',
  );
  put('evpn mac-ip rd 65000:1 mac 00:11:22:33:44:66 label 100 next-hop 192.0.2.1');
  const routes = [...rib.routes()];
  assert.equal(routes.length, 2);
  const a = routes.find((r) => nlriText(r.family, r.entry).includes('00:11:22:33:44:55'))!;
  assert.equal(a.attributes.attributes.med, 2);
  assert.equal(
    nlriText(a.family, a.entry),
    'evpn:macadv::65000:1:00:11:22:33:44:55:66:77:88:99:0:00:11:22:33:44:55/48:: label 200 (3201)',
  );
  const gone = evpnEntry(parseEvpn('evpn mac-ip rd 65000:1 mac 00:11:22:33:44:55', { requireNextHop: false }, 1));
  assert.ok(rib.withdraw(gone.family, gone.entry));
  assert.equal([...rib.routes()].length, 1);

  const cfg = (lines: string[]) => parseConfig(conf('l2vpn evpn', lines), 'f').neighbors[0]!.evpn;
  const A = 'evpn multicast rd 65000:1 ip 192.0.2.1 next-hop 192.0.2.1';
  const B = 'evpn mac-ip rd 65000:1 mac 00:11:22:33:44:55 label 1 next-hop 192.0.2.1';
  const removed: string[] = [];
  withdrawRemovedEvpn(cfg([A, B, `${B} med 3`]), cfg([`${A} med 9`, B.replace('label 1', 'label 2')]), (e) =>
    removed.push(e.text),
  );
  assert.equal(removed.length, 0, 'a route given again with another label or med is the same route');
  withdrawRemovedEvpn(cfg([A, B, `${B} med 3`]), cfg([A]), (e) => removed.push(e.text));
  assert.deepEqual(removed, ['evpn:macadv::65000:1:-:0:00:11:22:33:44:55/48:: label 1 (17)']);
});
