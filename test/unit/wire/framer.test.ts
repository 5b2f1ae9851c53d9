import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { Framer, frame } from '../../../src/wire/framer';
import { encodeKeepalive } from '../../../src/wire/keepalive';
import { encodeNotification, shutdownCommunication } from '../../../src/wire/notification';
import { encodeOpen } from '../../../src/wire/open';
import { encodeRouteRefresh } from '../../../src/wire/refresh';
import { throwsDecode } from './helpers-msg';

type Msg = { type: number; body: Uint8Array };

/** A stream of many mixed messages, with one near 4096 bytes and some tiny ones. */
function mixedMessages(): Uint8Array[] {
  const out: Uint8Array[] = [];
  const open = encodeOpen({
    version: 4,
    myAs: 65001,
    holdTime: 90,
    routerId: Uint8Array.of(192, 0, 2, 1),
    capabilities: [{ code: 1, afi: 1, safi: 1 }, { code: 2 }, { code: 65, asn: 4200000000 }],
  });
  out.push(open);
  for (let i = 0; i < 6; i++) {
    out.push(encodeKeepalive());
    // UPDATE bodies are opaque to the framer: give each a distinct pattern.
    const body = new Uint8Array(4 + i * 37).map((_, j) => (j * 7 + i) & 0xff);
    body[0] = 0;
    body[1] = 0;
    out.push(frame(2, body));
    out.push(encodeRouteRefresh({ afi: 2, safi: 1, subtype: i % 3 }));
  }
  out.push(frame(2, new Uint8Array(4096 - 19).fill(0xab)));
  out.push(encodeKeepalive());
  out.push(encodeNotification({ code: 6, subcode: 2, data: shutdownCommunication('maintenance') }));
  return out;
}

const expected = (msgs: Uint8Array[]): Msg[] => msgs.map((m) => ({ type: m[18]!, body: m.subarray(19) }));

function concat(parts: Uint8Array[]): Uint8Array {
  const n = parts.reduce((a, p) => a + p.length, 0);
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** Feed `chunks` one by one, draining after each; return every message seen. */
function feed(chunks: Uint8Array[], max?: number): Msg[] {
  const f = new Framer(max);
  const got: Msg[] = [];
  for (const c of chunks) {
    f.push(c);
    for (let m = f.next(); m; m = f.next()) got.push({ type: m.type, body: Uint8Array.from(m.body) });
  }
  assert.equal(f.pending, 0);
  return got;
}

const msgs = mixedMessages();
const stream = concat(msgs);
const want = expected(msgs);

test('framer: whole stream in one chunk', () => {
  assert.deepEqual(feed([stream]), want);
});

test('framer: stream split in two at every byte boundary', () => {
  for (let i = 1; i < stream.length; i++) {
    const got = feed([stream.subarray(0, i), stream.subarray(i)]);
    assert.deepEqual(got, want, `split at ${i}`);
  }
});

test('framer: one byte at a time', () => {
  const chunks: Uint8Array[] = [];
  for (let i = 0; i < stream.length; i++) chunks.push(stream.subarray(i, i + 1));
  assert.deepEqual(feed(chunks), want);
});

test('framer: three-way splits around every message boundary', () => {
  const bounds: number[] = [];
  let o = 0;
  for (const m of msgs) bounds.push((o += m.length));
  for (const b of bounds.slice(0, -1)) {
    for (let d = -20; d <= 20; d++) {
      const i = Math.max(1, b + d);
      const j = Math.min(stream.length - 1, i + 19);
      assert.deepEqual(feed([stream.subarray(0, i), stream.subarray(i, j), stream.subarray(j)]), want);
    }
  }
});

test('framer: random chunkings yield the same messages', () => {
  fc.assert(
    fc.property(fc.array(fc.integer({ min: 1, max: stream.length - 1 }), { maxLength: 60 }), (cuts) => {
      const pts = [...new Set(cuts)].sort((a, b) => a - b);
      const chunks: Uint8Array[] = [];
      let prev = 0;
      for (const p of [...pts, stream.length]) {
        chunks.push(stream.subarray(prev, p));
        prev = p;
      }
      assert.deepEqual(feed(chunks), want);
    }),
    { numRuns: 300 },
  );
});

test('framer: a message inside one chunk is a view, not a copy', () => {
  const f = new Framer();
  f.push(stream);
  const m = f.next()!;
  assert.equal(m.body.buffer, stream.buffer);
  assert.equal(m.body.byteOffset, stream.byteOffset + 19);
  // A message straddling two chunks is copied once into its own buffer.
  const k = encodeKeepalive();
  const g = new Framer();
  g.push(k.subarray(0, 10));
  assert.equal(g.next(), null);
  g.push(k.subarray(10));
  const m2 = g.next()!;
  assert.equal(m2.type, 4);
  assert.equal(m2.body.length, 0);
});

test('framer: returns null until the whole message is there, and keeps the rest', () => {
  const f = new Framer();
  const big = msgs.find((m) => m.length === 4096)!;
  f.push(big.subarray(0, 100));
  assert.equal(f.next(), null);
  f.push(big.subarray(100, 4095));
  assert.equal(f.next(), null);
  f.push(concat([big.subarray(4095), encodeKeepalive().subarray(0, 5)]));
  assert.equal(f.next()!.body.length, 4096 - 19);
  assert.equal(f.next(), null);
  assert.equal(f.pending, 5);
});

const header = (len: number, type: number): Uint8Array => {
  const b = new Uint8Array(19).fill(0xff);
  b[16] = len >> 8;
  b[17] = len & 0xff;
  b[18] = type;
  return b;
};
const framerWith = (b: Uint8Array, max?: number): Framer => {
  const f = new Framer(max);
  f.push(b);
  return f;
};

test('framer errors: marker not all ones → 1/1', () => {
  const h = header(19, 4);
  h[7] = 0xfe;
  throwsDecode(() => framerWith(h).next(), 1, 1);
});

test('framer errors: length outside 19..max → 1/2 with the length as data', () => {
  throwsDecode(() => framerWith(header(18, 4)).next(), 1, 2, Uint8Array.of(0, 18));
  throwsDecode(() => framerWith(header(0, 4)).next(), 1, 2, Uint8Array.of(0, 0));
  throwsDecode(() => framerWith(header(4097, 2)).next(), 1, 2, Uint8Array.of(0x10, 0x01));
  // The error is raised from the header alone, before the body arrives.
  throwsDecode(() => framerWith(header(65535, 2)).next(), 1, 2, Uint8Array.of(0xff, 0xff));
});

test('framer: RFC 8654 extended messages after setMaxMessage(65535)', () => {
  const big = frame(2, new Uint8Array(65535 - 19));
  const f = new Framer();
  f.setMaxMessage(65535);
  f.push(big.subarray(0, 30000));
  assert.equal(f.next(), null);
  f.push(big.subarray(30000));
  assert.equal(f.next()!.body.length, 65535 - 19);
  assert.equal(framerWith(frame(2, new Uint8Array(5000)), 65535).next()!.body.length, 5000);
  assert.throws(() => f.setMaxMessage(4095), RangeError);
  assert.throws(() => f.setMaxMessage(65536), RangeError);
});

test('framer errors: bad type → 1/3 with the type as data', () => {
  throwsDecode(() => framerWith(header(19, 0)).next(), 1, 3, Uint8Array.of(0));
  throwsDecode(() => framerWith(header(19, 6)).next(), 1, 3, Uint8Array.of(6));
  throwsDecode(() => framerWith(header(100, 255)).next(), 1, 3, Uint8Array.of(255));
});

test('framer errors: per-type minimum lengths → 1/2', () => {
  throwsDecode(() => framerWith(header(28, 1)).next(), 1, 2, Uint8Array.of(0, 28));
  throwsDecode(() => framerWith(header(22, 2)).next(), 1, 2, Uint8Array.of(0, 22));
  throwsDecode(() => framerWith(header(20, 3)).next(), 1, 2, Uint8Array.of(0, 20));
  throwsDecode(() => framerWith(header(20, 4)).next(), 1, 2, Uint8Array.of(0, 20));
  throwsDecode(() => framerWith(header(22, 5)).next(), 1, 2, Uint8Array.of(0, 22));
  // The minimums themselves pass the header check.
  for (const [len, type] of [
    [29, 1],
    [23, 2],
    [21, 3],
    [19, 4],
    [23, 5],
  ] as const) {
    const f = framerWith(concat([header(len, type), new Uint8Array(len - 19)]));
    assert.equal(f.next()!.type, type);
  }
});

test('framer errors: a header split across chunks is checked the same way', () => {
  const h = header(18, 4);
  const f = new Framer();
  f.push(h.subarray(0, 17));
  assert.equal(f.next(), null);
  f.push(h.subarray(17));
  throwsDecode(() => f.next(), 1, 2, Uint8Array.of(0, 18));
});

test('frame(): header + body, RangeError past 65535', () => {
  const m = frame(4, new Uint8Array(0));
  assert.deepEqual(m, encodeKeepalive());
  assert.throws(() => frame(2, new Uint8Array(65535 - 18)), RangeError);
});
