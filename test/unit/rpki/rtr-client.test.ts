// The RTR client against a cache scripted byte by byte on loopback, for the answers StayRTR cannot be made to give
// on demand: Cache Reset (RFC 8210 §5.9), a Cache Response for another session than our Serial Query named
// (§5.1), a malformed Error Report (§5.11: never answered with one), No Data Available (§12) from the preferred
// cache. The cache sees every PDU the client sends.
import assert from 'node:assert/strict';
import * as net from 'node:net';
import { afterEach, test } from 'node:test';
import { errorReport, PDU, pduLength, prefixPdu, RTR_ERROR } from '../../../src/rpki/pdu';
import { RtrClient } from '../../../src/rpki/rtr-client';
import { NOT_FOUND, VALID } from '../../../src/rpki/vrp-table';
import { parsePrefix } from '../../../src/wire/ip';

function pdu(type: number, field: number, length: number, body: (v: DataView) => void = () => {}): Uint8Array {
  const b = new Uint8Array(length);
  const v = new DataView(b.buffer);
  b[0] = 1;
  b[1] = type;
  v.setUint16(2, field);
  v.setUint32(4, length);
  body(v);
  return b;
}
const cacheResponse = (session: number) => pdu(PDU.CACHE_RESPONSE, session, 8);
const cacheReset = () => pdu(PDU.CACHE_RESET, 0, 8);
const notify = (session: number, serial: number) => pdu(PDU.SERIAL_NOTIFY, session, 12, (v) => v.setUint32(8, serial));
/** Version 1 End of Data, by default with refresh 3600, retry 1, expire 7200. */
const endOfData = (session: number, serial: number, [refresh, retry, expire] = [3600, 1, 7200]) =>
  pdu(PDU.END_OF_DATA, session, 24, (v) => {
    v.setUint32(8, serial);
    v.setUint32(12, refresh!);
    v.setUint32(16, retry!);
    v.setUint32(20, expire!);
  });
const vrp = (prefix: string, asn: number) => {
  const p = parsePrefix(prefix)!;
  return prefixPdu(1, true, p.addr, p.len, p.len, asn);
};
const answer = (session: number, serial: number, ...vrps: Uint8Array[]) =>
  Buffer.concat([cacheResponse(session), ...vrps, endOfData(session, serial)]);

interface Received {
  conn: number;
  type: number;
  field: number;
}

/** A cache on 127.0.0.1 that hands every PDU it receives to `script`, with the connection's number. */
class ScriptedCache {
  readonly got: Received[] = [];
  closedConns = 0;
  private readonly server: net.Server;
  private conns = 0;
  port = 0;

  constructor(script: (type: number, conn: number, sock: net.Socket) => void) {
    this.server = net.createServer((sock) => {
      const conn = ++this.conns;
      let buf = Buffer.alloc(0);
      sock.on('data', (d) => {
        buf = Buffer.concat([buf, d]);
        for (;;) {
          const len = pduLength(buf, 0, buf.length);
          if (len === 0 || len > buf.length) break;
          const type = buf[1]!;
          this.got.push({ conn, type, field: buf.readUInt16BE(2) });
          buf = buf.subarray(len);
          script(type, conn, sock);
        }
      });
      sock.on('close', () => this.closedConns++);
      sock.on('error', () => {});
    });
  }

  async listen(): Promise<void> {
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    this.port = (this.server.address() as net.AddressInfo).port;
  }

  close(): void {
    this.server.close();
  }
}

const cleanup: (() => void)[] = [];
afterEach(() => {
  for (const f of cleanup.splice(0)) f();
});

async function until(pred: () => boolean, what: string): Promise<void> {
  const end = Date.now() + 5000;
  while (!pred()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

function start(...caches: ScriptedCache[]) {
  const logs: string[] = [];
  const c = new RtrClient(
    caches.map((k, i) => ({ host: '127.0.0.1', port: k.port, preference: i })),
    { retry: 600 },
    () => {},
    (m) => logs.push(m),
  );
  cleanup.push(() => c.stop());
  c.start();
  return { c, logs };
}

const state = (c: RtrClient, prefix: string, asn: number) => {
  const p = parsePrefix(prefix)!;
  return c.table.validate(false, p.addr, 0, p.len, asn);
};

test('Cache Reset (RFC 8210 §5.9): a Serial Query answered with Cache Reset is followed by a Reset Query whose answer replaces the set', async () => {
  let resets = 0;
  const cache = new ScriptedCache((type, _conn, sock) => {
    if (type === PDU.RESET_QUERY && resets++ === 0) {
      sock.write(answer(7, 1, vrp('198.51.100.0/24', 65001)));
      sock.write(notify(7, 2));
    } else if (type === PDU.SERIAL_QUERY) sock.write(cacheReset());
    else if (type === PDU.RESET_QUERY) sock.write(answer(7, 2, vrp('203.0.113.0/24', 65002)));
  });
  await cache.listen();
  cleanup.push(() => cache.close());
  const { c } = start(cache);
  await until(() => state(c, '203.0.113.0/24', 65002) === VALID, 'the second full set');
  assert.deepEqual(
    cache.got.map((g) => g.type),
    [PDU.RESET_QUERY, PDU.SERIAL_QUERY, PDU.RESET_QUERY],
  );
  assert.equal(new Set(cache.got.map((g) => g.conn)).size, 1, 'on the same connection');
  assert.equal(state(c, '198.51.100.0/24', 65001), NOT_FOUND, 'what the new set lacks is gone');
  assert.equal(c.table.size, 1);
  assert.equal(c.status().serial, 2);
});

test('RFC 8210 §5.1: a Cache Response for another session than our Serial Query named is refused with Corrupt Data; a Reset Query follows', async () => {
  const cache = new ScriptedCache((type, conn, sock) => {
    if (type === PDU.RESET_QUERY && conn === 1) {
      sock.write(answer(7, 1, vrp('198.51.100.0/24', 65001)));
      sock.write(notify(7, 2));
    } else if (type === PDU.SERIAL_QUERY) sock.write(answer(9, 5, vrp('203.0.113.0/24', 65002)));
    else if (type === PDU.RESET_QUERY) sock.write(answer(9, 5, vrp('203.0.113.0/24', 65002)));
  });
  await cache.listen();
  cleanup.push(() => cache.close());
  const { c, logs } = start(cache);
  await until(() => c.status().session === 9, 'the new session');
  assert.deepEqual(
    cache.got.map((g) => [g.conn, g.type, g.field]),
    [
      [1, PDU.RESET_QUERY, 0],
      [1, PDU.SERIAL_QUERY, 7],
      [1, PDU.ERROR_REPORT, RTR_ERROR.CORRUPT_DATA],
      [2, PDU.RESET_QUERY, 0],
    ],
  );
  assert.equal(state(c, '203.0.113.0/24', 65002), VALID);
  assert.equal(state(c, '198.51.100.0/24', 65001), NOT_FOUND, 'the incremental answer was not applied');
  assert.ok(logs.some((l) => /session 9 answered a Serial Query for session 7; asking for the whole set/.test(l)));
});

test('RFC 8210 §5.11: a malformed Error Report ends the connection and is not answered with an Error Report', async () => {
  const cache = new ScriptedCache((type, _conn, sock) => {
    if (type !== PDU.RESET_QUERY) return;
    const bad = Buffer.from(errorReport(1, RTR_ERROR.INTERNAL_ERROR, new Uint8Array(0), 'oops'));
    bad.writeUInt32BE(99, 12); // a text length past the end of the PDU
    sock.write(bad);
  });
  await cache.listen();
  cleanup.push(() => cache.close());
  const { logs } = start(cache);
  await until(() => cache.closedConns === 1, 'the connection closed');
  assert.deepEqual(
    cache.got.map((g) => g.type),
    [PDU.RESET_QUERY],
  );
  assert.match(logs.join('\n'), /Corrupt Data: Error Report: text length does not match/);
});

test('No Data Available (RFC 8210 §12) from the preferred cache: the next one is asked', async () => {
  const empty = new ScriptedCache((type, _conn, sock) => {
    if (type === PDU.RESET_QUERY) sock.write(errorReport(1, RTR_ERROR.NO_DATA, new Uint8Array(0), 'not ready'));
  });
  const full = new ScriptedCache((type, _conn, sock) => {
    if (type === PDU.RESET_QUERY) sock.write(answer(3, 1, vrp('198.51.100.0/24', 65001)));
  });
  await empty.listen();
  await full.listen();
  cleanup.push(
    () => empty.close(),
    () => full.close(),
  );
  const { c, logs } = start(empty, full);
  await until(() => c.table.size === 1, 'VRPs from the second cache');
  assert.equal(c.status().cache, `127.0.0.1:${full.port}`);
  assert.deepEqual(
    empty.got.map((g) => g.type),
    [PDU.RESET_QUERY],
    'no Error Report back',
  );
  assert.match(logs[0]!, /No Data Available: not ready/);
});

test('RFC 8210 §6: timers outside the ranges are brought within them (refresh 0 would ask without pause, expire 2^32-1 would drop at once)', async () => {
  const cache = new ScriptedCache((type, _conn, sock) => {
    if (type !== PDU.RESET_QUERY) return;
    sock.write(Buffer.concat([cacheResponse(4), vrp('198.51.100.0/24', 65001), endOfData(4, 1, [0, 0, 0xffffffff])]));
  });
  await cache.listen();
  cleanup.push(() => cache.close());
  const { c, logs } = start(cache);
  await until(() => c.table.size === 1, 'the VRP');
  assert.deepEqual(c.status().timers, { refresh: 1, retry: 1, expire: 172800 });
  await new Promise((r) => setTimeout(r, 300));
  assert.equal(c.table.size, 1, 'not expired');
  assert.deepEqual(
    cache.got.map((g) => g.type),
    [PDU.RESET_QUERY],
    'no Serial Query before a second',
  );
  assert.match(logs.join('\n'), /sent refresh 0 s, outside RFC 8210 §6 \(1-86400\): using 1/);
});
