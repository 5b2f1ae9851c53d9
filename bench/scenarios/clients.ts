// The clients of the scenarios where one daemon serves many (route server, route reflector): bench/sender.ts
// sessions, each from its own loopback address, each announcing its own run of IPv4 /24s from 20.0.0.0 and
// counting the distinct prefixes of the UPDATEs it receives in a bitmap. The clock runs from starting them until
// every client has received every prefix it should; the daemon's peak RSS is read then.

import * as net from 'node:net';
import { allocAddress, allocEndpoint, type ManagedProcess, waitFor } from '../../test/interop/peers';
import { type Sender, startSender } from '../sender';
import { now, peakRssKiB, type RunResult, until } from './common';

/** 20.0.0.0 as a /24 number: prefix n of a scenario is the /24 BASE + n. */
const BASE = 20 << 16;

/** Prefix n as the dotted address of its /24. */
export const dotted = (n: number): string => `${(BASE + n) >>> 16}.${((BASE + n) >>> 8) & 255}.${(BASE + n) & 255}.0`;

export interface ClientSpec {
  address: string;
  as: number;
  /** The AS its AS_PATH holds (default `as`; an iBGP client sends a path learnt from another AS). */
  pathAs?: number;
  /** Its own prefixes: `count` from prefix number `first`; not counted when they come back. */
  first: number;
  count: number;
  /** How many prefixes of [0, universe) it must receive to be complete. */
  expected: number;
}

/** Start the clients; `held` sums what each holds, each capped at what it should, so it reaches the total only when all are complete. */
async function startClients(
  host: string,
  port: number,
  specs: ClientSpec[],
  universe: number,
): Promise<{ senders: Sender[]; held: () => number; failed: () => Error | undefined }> {
  const bits = specs.map(() => new Uint8Array(Math.ceil((universe + 8) / 8)));
  const counts = specs.map(() => 0);
  const senders = await Promise.all(
    specs.map((c, i) =>
      startSender({
        host,
        port,
        localAddress: c.address,
        as: c.as,
        ...(c.pathAs !== undefined ? { pathAs: c.pathAs } : {}),
        count: c.count,
        first: dotted(c.first),
        holdTime: 180,
        onMessage: (type, body) => {
          if (type !== 2) return;
          // RFC 4271 §4.3: withdrawn routes, path attributes, then NLRI (here /24s: 4 bytes each).
          const wl = body.readUInt16BE(0);
          const al = body.readUInt16BE(2 + wl);
          const b = bits[i]!;
          for (let o = 4 + wl + al; o + 3 < body.length; o += 4) {
            const n = ((body[o + 1]! << 16) | (body[o + 2]! << 8) | body[o + 3]!) - BASE;
            if (n < 0 || n >= universe || (n >= c.first && n < c.first + c.count)) continue;
            if ((b[n >> 3]! & (1 << (n & 7))) === 0) {
              b[n >> 3]! |= 1 << (n & 7);
              counts[i]!++;
            }
          }
        },
      }),
    ),
  );
  // A session the daemon refuses or closes is not opened again: the run fails at once, naming the client.
  let failure: Error | undefined;
  for (const [i, s] of senders.entries())
    s.closed.catch((e: Error) => (failure ??= new Error(`client ${i} (${specs[i]!.address}): ${e.message}`)));
  return {
    senders,
    held: () => counts.reduce((s, n, i) => s + Math.min(n, specs[i]!.expected), 0),
    failed: () => failure,
  };
}

/** The prefixes all clients must receive in all. */
const totalExpected = (specs: ClientSpec[]): number => specs.reduce((s, c) => s + c.expected, 0);

/**
 * Start the clients against the daemon at host:port and time them until each holds what it should (null
 * seconds when `capMs` passes first, with the count reached); the daemon (`pid`) must stay `alive`.
 */
async function measureClients(
  host: string,
  port: number,
  specs: ClientSpec[],
  universe: number,
  alive: () => void,
  pid: number,
  capMs = 900_000,
): Promise<{ seconds: number | null; hwm: number; last: number }> {
  const start = now();
  const cl = await startClients(host, port, specs, universe);
  try {
    const r = await until(
      async () => cl.held(),
      totalExpected(specs),
      start,
      capMs,
      20,
      () => {
        alive();
        const f = cl.failed();
        if (f) throw f;
      },
    );
    return { seconds: r.at === null ? null : (r.at - start) / 1000, hwm: peakRssKiB(pid), last: r.last };
  } finally {
    await Promise.all(cl.senders.map((s) => s.stop()));
  }
}

/** The daemon the clients talk to, started: its process, what it needs before the clients start, how it stops. */
export interface Server {
  proc: ManagedProcess;
  /** Resolves once it can serve the clients (holding its VRPs, ...), besides its BGP port accepting connections. */
  ready?: () => Promise<unknown>;
  stop: () => Promise<void>;
  /** The command lines of the run, for RESULTS.md. */
  commands: string[];
}

/** Whether a TCP connection to the endpoint is accepted (closed at once). */
function accepts(ed: { address: string; port: number }): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = net.connect({ host: ed.address, port: ed.port }, () => {
      sock.destroy();
      resolve(true);
    });
    sock.on('error', () => resolve(false));
  });
}

/** Starts the daemon listening on `ed` for clients at `addrs`. */
export type StartServer = (ed: { address: string; port: number }, addrs: string[]) => Server | Promise<Server>;

/**
 * One run of one implementation: `start` makes the daemon listen on a fresh loopback endpoint for `clients`
 * clients at fresh addresses, the clients (`specs`) are timed against it once it is ready, and it is stopped.
 */
export async function clientsRun(o: {
  clients: number;
  universe: number;
  specs: (addrs: string[]) => ClientSpec[];
  capMs: number;
  start: StartServer;
}): Promise<RunResult> {
  const ed = await allocEndpoint();
  const addrs = Array.from({ length: o.clients }, () => allocAddress());
  const s = await o.start(ed, addrs);
  try {
    const alive = (): void => {
      if (!s.proc.running) throw new Error(s.proc.describeExit());
    };
    await s.ready?.();
    // A client refused is not tried again, and a daemon may answer its command line before its BGP port
    // listens (GoBGP's API answers at once): the clients start once a connection to the port is accepted.
    await waitFor(
      () => {
        alive();
        return accepts(ed);
      },
      60_000,
      'the BGP port accepting connections',
      100,
    );
    const r = await measureClients(ed.address, ed.port, o.specs(addrs), o.universe, alive, s.proc.pid, o.capMs);
    return { ...r, commands: s.commands };
  } finally {
    await s.stop();
  }
}
