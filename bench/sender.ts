// The fastest table sender we have for benchmarks: a minimal BGP speaker that opens one session,
// blasts N prefixes in maximum-size UPDATEs as fast as the socket drains, sends End-of-RIB and then only
// keeps the session up. OPEN and End-of-RIB come from src/wire; the UPDATEs are packed here because
// packUpdates() takes one Uint8Array per prefix, and a benchmark sender must not allocate a million of
// them: with one fixed attribute set the hot loop only writes prefix bytes at offsets into large buffers.
//
// CLI: node dist/bench/sender.js --host 127.0.0.2 --port 179 --as 65001 --count 1000000
//        [--local-address 127.0.0.3] [--family ipv4|ipv6] [--next-hop 192.0.2.1] [--hold 180]
//        [--router-id 10.0.0.1] [--first 20.0.0.0] [--per-update N] [--quiet]
// Prints one JSON line with the timings after End-of-RIB, then keeps the session up until SIGINT/SIGTERM.
import * as net from 'node:net';
import { parseIp } from '../src/wire/ip';
import { encodeOpen } from '../src/wire/open';
import { AFI, HEADER_LENGTH, IPV4_UNICAST, IPV6_UNICAST, MAX_MESSAGE, MessageType, SAFI } from '../src/wire/types';
import { encodeEndOfRib } from '../src/wire/update';

export interface SenderOptions {
  host: string;
  port: number;
  /** Source address to bind (the target's neighbor address). */
  localAddress?: string;
  as: number;
  /** The AS in the AS_PATH (default `as`); an iBGP sender gives the AS it would have learnt the routes from. */
  pathAs?: number;
  /** Router id (dotted quad); defaults to localAddress when IPv4, else 10.255.255.254. */
  routerId?: string;
  holdTime?: number;
  family?: 'ipv4' | 'ipv6';
  /** Number of prefixes: IPv4 /24s or IPv6 /48s, consecutive from `first`. */
  count: number;
  /** First prefix address: default 20.0.0.0 (IPv4) or 2400:: (IPv6). */
  first?: string;
  /** Default 192.0.2.1 / 2001:db8::1 (documentation addresses: GoBGP/FRR reject 127/8 next hops). */
  nextHop?: string;
  /** Bytes handed to one socket.write (several UPDATEs each). */
  chunkBytes?: number;
  /** Prefixes per UPDATE: default as many as fit in 4096 bytes; 1 makes one UPDATE (and one API event) per prefix. */
  perUpdate?: number;
  /** Called for messages the peer sends us (type, body); UPDATEs are otherwise ignored. */
  onMessage?: (type: number, body: Buffer) => void;
}

export interface SenderReport {
  /** Prefixes sent. */
  count: number;
  updates: number;
  bytes: number;
  /** ms from connect() to Established (OPEN + KEEPALIVE received). */
  establishMs: number;
  /** ms from Established until the last byte (End-of-RIB) was handed to the kernel. */
  sendMs: number;
  /** performance.now() at Established and at the last byte, for callers measuring the receiver. */
  establishedAt: number;
  lastByteAt: number;
}

export interface Sender {
  /** Resolves once Established (with performance.now() at that moment). */
  established: Promise<number>;
  /** Resolves after End-of-RIB has been written; rejects if the session fails before. */
  done: Promise<SenderReport>;
  /** Resolves when the session is closed (by stop() or by the peer); rejects with the reason if it failed. */
  closed: Promise<void>;
  /** Send a Cease/Administrative Shutdown NOTIFICATION and close. */
  stop(): Promise<void>;
}

const AS_TRANS = 23456;

function header(buf: Buffer, off: number, len: number, type: number): void {
  buf.fill(0xff, off, off + 16);
  buf.writeUInt16BE(len, off + 16);
  buf[off + 18] = type;
}

function message(type: number, body: Buffer): Buffer {
  const b = Buffer.alloc(HEADER_LENGTH + body.length);
  header(b, 0, b.length, type);
  body.copy(b, HEADER_LENGTH);
  return b;
}

/** RFC 4271 §4.2 OPEN: multiprotocol (RFC 4760), route refresh (RFC 2918), 4-octet AS (RFC 6793). */
function openMessage(as: number, hold: number, routerId: Uint8Array, afi: number): Buffer {
  return Buffer.from(
    encodeOpen({
      version: 4,
      myAs: as > 0xffff ? AS_TRANS : as,
      holdTime: hold,
      routerId,
      capabilities: [{ code: 1, afi, safi: SAFI.UNICAST }, { code: 2 }, { code: 65, asn: as }],
    }),
  );
}

/** ORIGIN IGP + AS_PATH (one AS_SEQUENCE of one 4-octet AS, RFC 6793 negotiated) [+ NEXT_HOP for IPv4]. */
function baseAttributes(as: number, ipv4NextHop: Uint8Array | null): Buffer {
  const parts: number[] = [
    0x40,
    1,
    1,
    0,
    0x40,
    2,
    6,
    2,
    1,
    (as >>> 24) & 0xff,
    (as >>> 16) & 0xff,
    (as >>> 8) & 0xff,
    as & 0xff,
  ];
  if (ipv4NextHop) parts.push(0x40, 3, 4, ...ipv4NextHop);
  return Buffer.from(parts);
}

/**
 * A generator of wire chunks, each holding as many full UPDATEs as fit in `chunkBytes`.
 * IPv4: NLRI in the UPDATE body (RFC 4271 §4.3). IPv6: NLRI in MP_REACH_NLRI (RFC 4760 §3), extended length.
 */
function* updateChunks(
  o: Required<Pick<SenderOptions, 'pathAs' | 'count' | 'family' | 'first' | 'nextHop' | 'chunkBytes'>> &
    Pick<SenderOptions, 'perUpdate'>,
): Generator<{ chunk: Buffer; updates: number }> {
  const v6 = o.family === 'ipv6';
  const nhRaw = parseIp(o.nextHop);
  const firstRaw = parseIp(o.first);
  const nh = nhRaw && Buffer.from(nhRaw);
  const first = firstRaw && Buffer.from(firstRaw);
  if (!nh || !first || (nh.length === 16) !== v6 || (first.length === 16) !== v6)
    throw new Error('next hop / first prefix do not match the family');
  const attrs = baseAttributes(o.pathAs, v6 ? null : nh);
  const plen = v6 ? 48 : 24;
  const pbytes = v6 ? 7 : 4; // length byte + prefix bytes
  // MP_REACH_NLRI: flags 0x90 (optional, extended length), type 14, len(2), afi(2) safi(1) nhlen(1) nh(16) reserved(1), nlri
  const mpFixed = v6 ? 4 + 2 + 1 + 1 + 16 + 1 : 0;
  const fixed = HEADER_LENGTH + 2 + 2 + attrs.length + mpFixed;
  const perMsg = Math.min(Math.floor((MAX_MESSAGE - fixed) / pbytes), Math.max(1, o.perUpdate ?? Infinity));
  const msgMax = fixed + perMsg * pbytes;
  // Prefix counter as a number: IPv4 /24 index in the top 24 bits; IPv6 /48 index in the top 48 bits.
  const base = v6 ? first.readUIntBE(0, 6) : first.readUInt32BE(0) >>> 8;
  let sent = 0;
  const maxPerChunk = Math.max(1, Math.floor(o.chunkBytes / msgMax));
  while (sent < o.count) {
    const msgs = Math.min(maxPerChunk, Math.ceil((o.count - sent) / perMsg));
    const chunk = Buffer.allocUnsafe(msgs * msgMax);
    let off = 0;
    for (let m = 0; m < msgs; m++) {
      const n = Math.min(perMsg, o.count - sent);
      const len = fixed + n * pbytes;
      const start = off;
      header(chunk, off, len, MessageType.UPDATE);
      off += HEADER_LENGTH;
      chunk.writeUInt16BE(0, off); // withdrawn routes length
      off += 2;
      chunk.writeUInt16BE(attrs.length + mpFixed + (v6 ? n * pbytes : 0), off);
      off += 2;
      attrs.copy(chunk, off);
      off += attrs.length;
      if (v6) {
        chunk[off] = 0x90;
        chunk[off + 1] = 14;
        chunk.writeUInt16BE(mpFixed - 4 + n * pbytes, off + 2);
        chunk.writeUInt16BE(2, off + 4);
        chunk[off + 6] = 1;
        chunk[off + 7] = 16;
        Buffer.from(nh).copy(chunk, off + 8);
        chunk[off + 24] = 0;
        off += mpFixed;
        for (let i = 0; i < n; i++) {
          chunk[off] = plen;
          chunk.writeUIntBE(base + sent + i, off + 1, 6);
          off += 7;
        }
      } else {
        for (let i = 0; i < n; i++) {
          const v = base + sent + i;
          chunk[off] = plen;
          chunk[off + 1] = (v >>> 16) & 0xff;
          chunk[off + 2] = (v >>> 8) & 0xff;
          chunk[off + 3] = v & 0xff;
          off += 4;
        }
      }
      if (off - start !== len) throw new Error('sender: UPDATE length mismatch');
      sent += n;
    }
    yield { chunk: chunk.subarray(0, off), updates: msgs };
  }
}

export function startSender(opts: SenderOptions): Promise<Sender> {
  const family = opts.family ?? 'ipv4';
  const hold = opts.holdTime ?? 180;
  const routerIdStr =
    opts.routerId ?? (opts.localAddress && !opts.localAddress.includes(':') ? opts.localAddress : '10.255.255.254');
  const routerId = parseIp(routerIdStr);
  if (routerId?.length !== 4) throw new Error(`bad router id ${routerIdStr}`);
  const cfg = {
    pathAs: opts.pathAs ?? opts.as,
    count: opts.count,
    family,
    first: opts.first ?? (family === 'ipv4' ? '20.0.0.0' : '2400::'),
    nextHop: opts.nextHop ?? (family === 'ipv4' ? '192.0.2.1' : '2001:db8::1'),
    chunkBytes: opts.chunkBytes ?? 256 * 1024,
    perUpdate: opts.perUpdate,
  };
  const t0 = performance.now();
  const sock = net.connect({ host: opts.host, port: opts.port, localAddress: opts.localAddress });

  let establishedAt = 0;
  let keepaliveTimer: NodeJS.Timeout | undefined;
  let failed: Error | undefined;
  let resolveEst!: (t: number) => void;
  let rejectEst!: (e: Error) => void;
  const established = new Promise<number>((res, rej) => {
    resolveEst = res;
    rejectEst = rej;
  });
  let resolveClosed!: () => void;
  let rejectClosed!: (e: Error) => void;
  const closed = new Promise<void>((res, rej) => {
    resolveClosed = res;
    rejectClosed = rej;
  });
  let stopping = false;
  const keepalive = message(MessageType.KEEPALIVE, Buffer.alloc(0));

  const fail = (e: Error): void => {
    if (failed) return;
    failed = e;
    rejectEst(e);
    sock.destroy();
  };

  // Minimal framer (RFC 4271 §4.1): we only need types and bodies of what the peer sends.
  let inbuf: Buffer = Buffer.alloc(0);
  let gotOpen = false;
  sock.on('data', (d: Buffer) => {
    inbuf = inbuf.length === 0 ? d : Buffer.concat([inbuf, d]);
    let off = 0;
    while (inbuf.length - off >= HEADER_LENGTH) {
      const len = inbuf.readUInt16BE(off + 16);
      if (len < HEADER_LENGTH || len > 65535) return fail(new Error(`bad message length ${len}`));
      if (inbuf.length - off < len) break;
      const type = inbuf[off + 18]!;
      const body = inbuf.subarray(off + HEADER_LENGTH, off + len);
      off += len;
      if (type === MessageType.OPEN) {
        gotOpen = true;
        const peerHold = body.readUInt16BE(3);
        const negotiated = Math.min(peerHold, hold);
        sock.write(keepalive);
        if (negotiated > 0) {
          // RFC 4271 §4.4: keepalives at a third of the hold time.
          keepaliveTimer = setInterval(() => sock.write(keepalive), Math.max(1000, (negotiated * 1000) / 3));
          keepaliveTimer.unref();
        }
      } else if (type === MessageType.KEEPALIVE) {
        if (gotOpen && establishedAt === 0) {
          establishedAt = performance.now();
          resolveEst(establishedAt);
        }
      } else if (type === MessageType.NOTIFICATION) {
        return fail(
          new Error(`NOTIFICATION from peer: code ${body[0]} subcode ${body[1]} ${body.subarray(2).toString('hex')}`),
        );
      }
      opts.onMessage?.(type, body);
    }
    inbuf = off === inbuf.length ? Buffer.alloc(0) : inbuf.subarray(off);
  });
  sock.on('error', (e) => fail(e));
  sock.on('close', () => {
    if (keepaliveTimer) clearInterval(keepaliveTimer);
    if (!failed && !stopping) fail(new Error('connection closed by peer'));
    if (failed && !stopping) rejectClosed(failed);
    else resolveClosed();
    // A close during stop() still has to settle `established`/`done` for anyone awaiting them.
    if (!failed) fail(new Error('stopped'));
  });

  const write = (b: Buffer): Promise<void> =>
    new Promise((resolve, reject) => {
      if (failed) return reject(failed);
      // Backpressure: wait for 'drain' when the kernel buffer is full instead of queueing in memory.
      if (sock.write(b)) resolve();
      else {
        const onDrain = (): void => {
          sock.off('close', onClose);
          resolve();
        };
        const onClose = (): void => {
          sock.off('drain', onDrain);
          reject(failed ?? new Error('closed'));
        };
        sock.once('drain', onDrain);
        sock.once('close', onClose);
      }
    });

  const done = (async (): Promise<SenderReport> => {
    await established;
    let updates = 0;
    let bytes = 0;
    for (const { chunk, updates: u } of updateChunks(cfg)) {
      updates += u;
      bytes += chunk.length;
      await write(chunk);
    }
    const eor = Buffer.from(encodeEndOfRib(family === 'ipv4' ? IPV4_UNICAST : IPV6_UNICAST));
    bytes += eor.length;
    // The write callback fires once the data is handed to the kernel: that is "last byte written".
    await new Promise<void>((resolve, reject) => sock.write(eor, (e) => (e ? reject(e) : resolve())));
    const lastByteAt = performance.now();
    return {
      count: cfg.count,
      updates,
      bytes,
      establishMs: establishedAt - t0,
      sendMs: lastByteAt - establishedAt,
      establishedAt,
      lastByteAt,
    };
  })();
  // Callers that only await `established` must not see an unhandled rejection from `done`.
  done.catch(() => undefined);
  closed.catch(() => undefined);

  sock.once('connect', () => sock.write(openMessage(opts.as, hold, routerId, family === 'ipv4' ? AFI.IPV4 : AFI.IPV6)));

  const stop = async (): Promise<void> => {
    stopping = true;
    if (keepaliveTimer) clearInterval(keepaliveTimer);
    if (!sock.destroyed) {
      // RFC 4486 Cease / Administrative Shutdown, RFC 9003 empty communication.
      sock.end(message(MessageType.NOTIFICATION, Buffer.from([6, 2, 0])));
      const t = setTimeout(() => sock.destroy(), 2000);
      await closed.catch(() => undefined);
      clearTimeout(t);
    }
  };
  return Promise.resolve({ established, done, closed, stop });
}

function parseArgs(argv: string[]): SenderOptions & { quiet: boolean } {
  const a = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const k = argv[i]!;
    if (!k.startsWith('--')) throw new Error(`unexpected argument ${k}`);
    if (k === '--quiet') a.set('quiet', '1');
    else a.set(k.slice(2), argv[++i] ?? '');
  }
  const need = (k: string): string => {
    const v = a.get(k);
    if (v === undefined || v === '') throw new Error(`--${k} is required`);
    return v;
  };
  const fam = a.get('family') ?? 'ipv4';
  if (fam !== 'ipv4' && fam !== 'ipv6') throw new Error('--family must be ipv4 or ipv6');
  return {
    host: need('host'),
    port: Number(a.get('port') ?? 179),
    localAddress: a.get('local-address'),
    as: Number(need('as')),
    routerId: a.get('router-id'),
    holdTime: a.has('hold') ? Number(a.get('hold')) : undefined,
    family: fam,
    count: Number(need('count')),
    first: a.get('first'),
    nextHop: a.get('next-hop'),
    perUpdate: a.has('per-update') ? Number(a.get('per-update')) : undefined,
    quiet: a.has('quiet'),
  };
}

async function main(): Promise<void> {
  const o = parseArgs(process.argv.slice(2));
  const s = await startSender(o);
  const shutdown = (): void => {
    void s.stop().then(() => process.exit(0));
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
  try {
    const r = await s.done;
    process.stdout.write(JSON.stringify({ ...r, establishedAt: undefined, lastByteAt: undefined }) + '\n');
    await s.closed;
    if (!o.quiet) process.stderr.write('session closed\n');
  } catch (e) {
    process.stderr.write(`sender: ${(e as Error).message}\n`);
    process.exit(1);
  }
}

if (require.main === module) void main();
