// Every event line is valid whatever a peer sends: mutated UPDATEs (every fuzz class: empty and zero-length
// FlowSpec NLRI and components, odd attribute lengths, unknown attributes with quotes and control bytes in
// them, thousands of communities, every family including ones tsbgp has no codec for), OPENs (hostname and
// unknown capabilities) and NOTIFICATIONs (shutdown communication text) go through the JSON encoder, each line
// is JSON.parse'd; and the text encoder's lines never contain a line break. Seeded: a failure reproduces.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { JsonEncoder, type NeighborContext } from '../../../src/api/json';
import { ExabgpTextEncoder } from '../../../src/api/text';
import { DecodeError } from '../../../src/wire/errors';
import { decodeNotification, encodeNotification } from '../../../src/wire/notification';
import { decodeOpen, encodeOpen } from '../../../src/wire/open';
import { type CodecContext, HEADER_LENGTH, IPV4_UNICAST, IPV6_UNICAST, type Update } from '../../../src/wire/types';
import { decodeUpdate } from '../../../src/wire/update';
import { corpus, mutate, rng } from '../../support/fuzz';

const MUTATIONS = 20_000;
const N: NeighborContext = { localAddress: '127.0.0.2', peerAddress: '127.0.0.1', localAs: 65001, peerAs: 65002 };

const u16 = (n: number): number[] => [n >> 8, n & 255];

/** A path attribute, extended length when the value needs it. */
function attr(flags: number, code: number, value: number[]): number[] {
  return value.length > 255
    ? [flags | 0x10, code, ...u16(value.length), ...value]
    : [flags, code, value.length, ...value];
}

/** An UPDATE body: no withdrawn routes, these attributes, this NLRI. */
const update = (attrs: number[], nlri: number[] = []): Uint8Array =>
  Uint8Array.from([0, 0, ...u16(attrs.length), ...attrs, ...nlri]);

const ORIGIN = attr(0x40, 1, [0]);
const AS_PATH = attr(0x40, 2, [2, 2, 0, 0, 0xfd, 0xe9, 0, 0, 0xfd, 0xea]);
const TRAFFIC_RATE_0 = attr(0xc0, 16, [0x80, 0x06, 0, 0, 0, 0, 0, 0, 0x80, 0x08, 0xfd, 0xe9, 0, 0, 0, 1]);
const RD = [0, 0, 0xfd, 0xe9, 0, 0, 0, 7];

/** FlowSpec NLRI values (without their length byte) for IPv4 and IPv6, empty and zero-length ones included. */
const FLOW4 = [
  [],
  [0x01, 0x00],
  [0x01, 0x08, 0x0a],
  [0x01, 0x18, 0x0a, 0x00, 0x01, 0x02, 0x20, 0xc0, 0x00, 0x02, 0x01, 0x03, 0x81, 0x06],
  [0x04, 0x01, 0x50, 0x91, 0x01, 0xbb],
  [0x09, 0x81, 0x02],
  [0x0c, 0x81, 0x01],
  [0x05, 0x03, 0x00, 0x50, 0xd5, 0x04, 0x00],
];
const FLOW6 = [
  [],
  [0x01, 0x00, 0x00],
  [0x01, 0x20, 0x00, 0x20, 0x01, 0x0d, 0xb8],
  [0x02, 0x40, 0x10, 0x0d, 0xb8, 0, 0, 0, 0, 0x03, 0x81, 0x3a],
  [0x0d, 0x81, 0x05],
];

/** Seeds tsbgp's decoder sees as FlowSpec, other families (known and not), and unusual attributes. */
function extraSeeds(): Uint8Array[] {
  const out: Uint8Array[] = [];
  const mp = (afi: number, safi: number, nh: number[], nlri: number[]): number[] =>
    attr(0x80, 14, [...u16(afi), safi, nh.length, ...nh, 0, ...nlri]);
  const unreach = (afi: number, safi: number, nlri: number[]): number[] => attr(0x80, 15, [...u16(afi), safi, ...nlri]);
  for (const [afi, rules] of [
    [1, FLOW4],
    [2, FLOW6],
  ] as const) {
    for (const r of rules) {
      out.push(update([...ORIGIN, ...AS_PATH, ...TRAFFIC_RATE_0, ...mp(afi, 133, [], [r.length, ...r])]));
      out.push(update([...ORIGIN, ...AS_PATH, ...mp(afi, 134, [], [r.length + 8, ...RD, ...r])]));
      out.push(update(unreach(afi, 133, [r.length, ...r])));
      out.push(update(unreach(afi, 134, [r.length + 8, ...RD, ...r])));
      // A next hop on a FlowSpec route (redirect-to-nexthop, RFC 8955 §7.4 and draft-ietf-idr-flowspec-redirect-ip).
      out.push(update([...ORIGIN, ...AS_PATH, ...mp(afi, 133, [192, 0, 2, 1], [r.length, ...r])]));
    }
    out.push(update([...ORIGIN, ...AS_PATH, ...mp(afi, 133, [], [...[0x00], ...[0x02, 0x01, 0x00], ...[0x00]])]));
  }
  // Multicast (a prefix codec like unicast's), IPv6 with a global and a link-local next hop.
  const v6nh = [0x20, 0x01, 0x0d, 0xb8, ...new Array(11).fill(0), 1];
  out.push(update([...ORIGIN, ...AS_PATH, ...mp(1, 2, [192, 0, 2, 1], [24, 10, 0, 0, 32, 10, 1, 2, 3])]));
  out.push(update([...ORIGIN, ...AS_PATH, ...mp(2, 2, v6nh, [64, 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0])]));
  out.push(
    update([
      ...ORIGIN,
      ...AS_PATH,
      ...mp(2, 1, [...v6nh, 0xfe, 0x80, ...v6nh.slice(2)], [48, 0x20, 1, 0xd, 0xb8, 0, 1]),
    ]),
  );
  out.push(update([...unreach(1, 2, [24, 10, 0, 0]), ...unreach(2, 2, [0])]));
  // Families tsbgp renders without a codec (raw), with next hops of several lengths.
  for (const [afi, safi] of [
    [1, 4],
    [1, 128],
    [2, 128],
    [25, 65],
    [25, 70],
    [16388, 71],
    [1, 132],
    [3, 1],
    [1, 250],
  ]) {
    out.push(update([...ORIGIN, ...mp(afi!, safi!, [192, 0, 2, 1], [0x58, 0, 0, 1, ...RD, 10, 0, 0])]));
    out.push(update(unreach(afi!, safi!, [0x58, 0, 0, 1, ...RD, 10, 0, 0])));
  }
  // Unknown attributes holding quotes, backslashes, NUL, ESC and line breaks; odd lengths of known ones.
  const nasty = [...Buffer.from('"\\\n\r\x00\x1b[31m\u2028{,}')];
  out.push(update([...ORIGIN, ...AS_PATH, ...attr(0xc0, 0xfe, nasty), ...attr(0xe0, 0x63, nasty)], [8, 10]));
  out.push(update([...ORIGIN, ...AS_PATH, ...attr(0xc0, 8, [1, 2, 3, 4, 5])], [8, 10]));
  out.push(update([...ORIGIN, ...AS_PATH, ...attr(0xc0, 32, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13])], [8, 10]));
  // Thousands of communities, large and extended communities (extended-length attributes).
  const many = (n: number, size: number): number[] => Array.from({ length: n * size }, (_, i) => (i * 7) & 255);
  out.push(update([...ORIGIN, ...AS_PATH, ...attr(0xc0, 8, many(3000, 4)), ...attr(0xc0, 32, many(500, 12))], [8, 10]));
  out.push(update([...ORIGIN, ...AS_PATH, ...attr(0xc0, 16, many(1000, 8))], [8, 10]));
  return out;
}

/** OPEN bodies with capabilities whose text comes from the peer (hostname) and unknown ones. */
function openSeeds(): Uint8Array[] {
  const base = encodeOpen({
    version: 4,
    myAs: 65002,
    holdTime: 90,
    routerId: Uint8Array.of(192, 0, 2, 9),
    capabilities: [
      { code: 73, hostname: 'a"b\\c\nd\x00\x1b', domain: '{,}\u2028' } as never,
      { code: 65, asn: 4200000000 } as never,
    ],
  }).subarray(HEADER_LENGTH);
  const raw = Uint8Array.from([4, ...u16(65002), ...u16(90), 192, 0, 2, 9, 12, 2, 10, 0xee, 8, ...nastyBytes()]);
  return [base, raw];
}
function nastyBytes(): number[] {
  return [0x22, 0x5c, 0x0a, 0x00, 0x1b, 0xc3, 0x28, 0x7b];
}

/** NOTIFICATIONs, among them Cease/Administrative Shutdown with a communication (RFC 9003). */
function notificationSeeds(): Uint8Array[] {
  const text = Buffer.from('bye "now"\n\x1b[2J\\');
  return [
    encodeNotification({ code: 6, subcode: 2, data: Uint8Array.from([text.length, ...text]) }).subarray(HEADER_LENGTH),
    encodeNotification({ code: 3, subcode: 1, data: Uint8Array.from(nastyBytes()) }).subarray(HEADER_LENGTH),
  ];
}

/** What starts each line the text encoder writes (an UPDATE is several: start, one per route, raw bytes, end). */
const TEXT_LINE = /^(neighbor 127\.0\.0\.1 | header 0x| body 0x)/;

function checkJson(line: string | Uint8Array, what: string): void {
  const text = typeof line === 'string' ? line : Buffer.from(line).toString('utf8');
  try {
    JSON.parse(text);
  } catch (e) {
    assert.fail(`${what}: ${(e as Error).message}\n${text.slice(0, 2000)}`);
  }
  assert.doesNotMatch(text, /\n|\r/, `${what}: a line break inside a JSON line`);
}

function checkText(lines: string | null, what: string): void {
  if (lines === null) return;
  assert.doesNotMatch(lines, /[\r\u2028\u2029]/, `${what}: a line break inside a text line\n${lines}`);
  for (const line of lines.replace(/\n$/, '').split('\n'))
    assert.match(line, TEXT_LINE, `${what}: a line break inside a text line\n${lines}`);
}

test(`fuzz: ${MUTATIONS} mutated UPDATEs, OPENs and NOTIFICATIONs give valid JSON and one-line text`, () => {
  const updates = [...corpus(), ...extraSeeds()];
  const opens = openSeeds();
  const notifications = notificationSeeds();
  const r = rng(0x7e57c0de);
  const json = new JsonEncoder({ host: 'h"\n', pid: 1, ppid: 2 });
  const compact = new JsonEncoder({ host: 'h', pid: 1, ppid: 2, compact: true });
  const text = new ExabgpTextEncoder({ pid: 1, ppid: 2 });
  const contexts: CodecContext[] = [
    { asn4: true, addPath: new Set(), maxMessage: 65535 },
    { asn4: false, addPath: new Set(), maxMessage: 4096 },
    { asn4: true, addPath: new Set([IPV4_UNICAST, IPV6_UNICAST]), maxMessage: 65535 },
  ];
  const counts = { updates: 0, opens: 0, notifications: 0 };
  for (let i = 0; i < MUTATIONS + updates.length; i++) {
    // Every seed once as it is, then mutations of random seeds.
    const body = i < updates.length ? updates[i]! : mutate(updates[r() % updates.length]!, r);
    const hex = Buffer.from(body).toString('hex');
    let u: Update;
    try {
      u = decodeUpdate(body, contexts[r() % contexts.length]!);
    } catch (e) {
      if (!(e instanceof DecodeError)) throw e;
      continue;
    }
    counts.updates++;
    const raw = { header: new Uint8Array(HEADER_LENGTH).fill(0xff), body };
    checkJson(json.update(N, 'receive', u, raw), `update ${hex}`);
    checkJson(json.updateBytes(N, 'receive', u, raw), `update (bytes) ${hex}`);
    checkJson(compact.update(N, 'receive', u), `update (compact) ${hex}`);
    checkText(text.update(N, 'receive', u, raw), `update ${hex}`);
  }
  for (let i = 0; i < MUTATIONS / 4; i++) {
    const body = i < opens.length ? opens[i]! : mutate(opens[r() % opens.length]!, r);
    try {
      const o = decodeOpen(body);
      counts.opens++;
      checkJson(json.open(N, 'receive', o, { body }), `open ${Buffer.from(body).toString('hex')}`);
      checkText(text.open(N, 'receive', o, { body }), `open ${Buffer.from(body).toString('hex')}`);
    } catch (e) {
      if (!(e instanceof DecodeError)) throw e;
    }
    const nb = i < notifications.length ? notifications[i]! : mutate(notifications[r() % notifications.length]!, r);
    try {
      const n = decodeNotification(nb);
      counts.notifications++;
      checkJson(json.notification(N, 'receive', n), `notification ${Buffer.from(nb).toString('hex')}`);
      checkText(text.notification(N, 'receive', n), `notification ${Buffer.from(nb).toString('hex')}`);
      checkJson(json.down(N, `peer reset: ${Buffer.from(nb).toString('latin1')}`), 'down');
    } catch (e) {
      if (!(e instanceof DecodeError)) throw e;
    }
  }
  // The fuzz must reach the encoders, not stop at the decoder.
  assert.ok(counts.updates > MUTATIONS / 10, JSON.stringify(counts));
  assert.ok(counts.opens > MUTATIONS / 100 && counts.notifications > MUTATIONS / 100, JSON.stringify(counts));
});
