// Shared plumbing for driving real BGP daemons (BIRD 2, GoBGP, FRR, ExaBGP) on loopback.
// Every daemon runs in the foreground as our own child so we own its PID; every child is
// registered and killed when this process exits, whatever the test outcome.
import { type ChildProcess, execFile, spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';

export type Family = 'ipv4' | 'ipv6' | 'ipv4-flowspec' | 'ipv6-flowspec';
export type VpnFamily = 'vpnv4' | 'vpnv6' | 'ipv4-labeled' | 'ipv6-labeled';

export interface NeighborOpts {
  address: string;
  port: number;
  as: number;
  /** Only wait for the neighbor to connect. */
  passive?: boolean;
  families: Family[];
  /** GoBGP and FRR: MPLS VPN (RFC 4364/4659) and labeled unicast (RFC 8277) families of the session. */
  vpnFamilies?: VpnFamily[];
  /** GoBGP only: further afi-safi names for the session, for families no other peer here speaks (`l2vpn-vpls`). */
  afiSafiNames?: string[];
  /** FRR only: further address families for the session, as FRR names them (`l2vpn evpn`). */
  addressFamilies?: string[];
  /** TCP MD5 key (RFC 2385) of the session. */
  password?: string;
  /** ExaBGP only: how the password is read (md5-base64). */
  md5Base64?: 'auto' | boolean;
  /** GTSM (RFC 5082): send TTL 255 and accept only 255 from a neighbor one hop away (BIRD: multihop 2 → 254). */
  ttlSecurity?: boolean;
  /** The neighbor is a route server (RFC 7947 §2.2.2): its routes do not start with its own AS (FRR checks that). */
  routeServer?: boolean;
  /** BIRD only: take several paths per prefix from the neighbor (ADD-PATH receive, RFC 7911) on unicast. */
  addPathsRx?: boolean;
}

export interface DaemonOpts {
  address: string;
  port: number;
  as: number;
  routerId?: string;
  neighbors: NeighborOpts[];
  /** Hold time offered to every neighbor (default 90). */
  holdTime?: number;
  /**
   * BIRD and FRR: the daemon is in member AS `as` of this confederation (RFC 5065); neighbors whose AS is in
   * `members` are inside it.
   */
  confederation?: { identifier: number; members: number[] };
}

/** One path as a daemon shows it. Communities are "A:B", large communities "A:B:C". */
export interface Route {
  prefix: string;
  nextHop: string;
  asPath: number[];
  med?: number;
  localPref?: number;
  communities: string[];
  largeCommunities: string[];
}

/** What addRoute() originates. */
export interface RouteSpec {
  prefix: string;
  nextHop: string;
  /** Prepended after the local AS (the daemon adds its own AS on eBGP). */
  asPath?: number[];
  med?: number;
  localPref?: number;
  communities?: string[];
  largeCommunities?: string[];
}

/** A flow route in a daemon-neutral subset (RFC 8955 components we use in tests). */
export interface FlowSpec {
  destination?: string;
  source?: string;
  /** IP protocol numbers. */
  protocol?: number[];
  destinationPort?: number[];
  /** 'discard' or a rate limit in bytes per second. */
  action: 'discard' | { rateLimit: number };
}

/** A flow route as read back: the daemon's own text of the match and actions, and the raw record. */
export interface FlowRoute {
  match: string;
  actions: string;
  raw: unknown;
}

export type SessionState =
  | 'established'
  | 'idle'
  | 'connect'
  | 'active'
  | 'opensent'
  | 'openconfirm'
  | 'down'
  | 'unknown';

export interface BgpDaemon {
  readonly kind: 'bird' | 'gobgp' | 'frr' | 'exabgp';
  readonly dir: string;
  start(opts: DaemonOpts): Promise<void>;
  stop(): Promise<void>;
  pause(): void;
  resume(): void;
  sessionState(neighbor: string): Promise<SessionState>;
  routes(family: Family): Promise<Route[]>;
  routeCount(family: Family): Promise<number>;
  addRoute(family: Family, r: RouteSpec): Promise<void>;
  withdrawRoute(family: Family, prefix: string): Promise<void>;
  logText(): string;
}

// Which outside programs a test can use, and the CI rule that a missing one fails instead of skipping.
export { isInstalled, peersRequired, skipReason } from '../../support/programs';

const tempDirs: string[] = [];

export function makeTempDir(prefix: string): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), `tsbgp-${prefix}-`));
  // FRR and BIRD may drop privileges or be queried by other users' tools: keep it readable.
  fs.chmodSync(d, 0o755);
  tempDirs.push(d);
  return d;
}

/** Remove temp dirs; kept when TSBGP_KEEP_TMP is set, for post-mortems. */
export function removeTempDirs(): void {
  if (process.env.TSBGP_KEEP_TMP) return;
  while (tempDirs.length > 0) {
    const d = tempDirs.pop()!;
    try {
      fs.rmSync(d, { recursive: true, force: true });
    } catch {
      /* best effort at exit */
    }
  }
}

// Addresses come from 127.64.0.0/10 minus what tsbgp's own tests are likely to use (127.0.0.x);
// a per-process random second octet keeps parallel test processes apart.
const addrBase = 64 + Math.floor(Math.random() * 128);
let addrCounter = Math.floor(Math.random() * 1000);
const usedAddrs = new Set<string>();

/** A fresh loopback address, not handed out before in this process. */
export function allocAddress(): string {
  for (;;) {
    addrCounter++;
    const a = `127.${addrBase}.${(Math.floor(addrCounter / 250) % 250) + 1}.${(addrCounter % 250) + 1}`;
    if (!usedAddrs.has(a)) {
      usedAddrs.add(a);
      return a;
    }
  }
}

/** A TCP port that is free on `address` right now (the kernel picks it). */
export function freePort(address: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.unref();
    s.on('error', reject);
    s.listen(0, address, () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

/** A fresh loopback address and a port free on it. */
export async function allocEndpoint(): Promise<{ address: string; port: number }> {
  const address = allocAddress();
  return { address, port: await freePort(address) };
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/**
 * Poll `predicate` until it returns a truthy value; resolves with that value.
 * Rejects after `timeoutMs` with `what` and the last error or value, so failures say what was awaited.
 */
export async function waitFor<T>(
  predicate: () => T | Promise<T>,
  timeoutMs: number,
  what = 'condition',
  intervalMs = 100,
): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await predicate();
      if (v) return v as NonNullable<T>;
      last = v;
    } catch (e) {
      last = e;
    }
    if (Date.now() >= deadline) {
      const detail = last instanceof Error ? last.message : JSON.stringify(last);
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what} (last: ${detail})`);
    }
    await sleep(intervalMs);
  }
}

export interface CmdResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Run a short command (CLI query); never throws on a non-zero exit. stdin is /dev/null (birdc needs that). */
export function runCmd(cmd: string, args: string[], timeoutMs = 30_000): Promise<CmdResult> {
  return new Promise((resolve) => {
    const child = execFile(
      cmd,
      args,
      { timeout: timeoutMs, maxBuffer: 1024 * 1024 * 1024, encoding: 'utf8' },
      (err, stdout, stderr) => {
        const e = err as (Error & { code?: unknown; killed?: boolean }) | null;
        const code = e ? (typeof e.code === 'number' ? e.code : 1) : 0;
        const why = e?.killed ? ` (killed after ${timeoutMs} ms timeout)` : e && !stderr ? ` ${e.message}` : '';
        resolve({ code, stdout: String(stdout), stderr: String(stderr) + why });
      },
    );
    child.stdin?.end();
  });
}

/** runCmd that throws with the output when the exit code is not 0. */
export async function runOk(cmd: string, args: string[], timeoutMs?: number): Promise<string> {
  const r = await runCmd(cmd, args, timeoutMs);
  if (r.code !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.code}: ${r.stderr.trim() || r.stdout.trim()}`);
  return r.stdout;
}

const live = new Set<ManagedProcess>();

/** A foreground child daemon, stdout and stderr captured to `<logFile>`. */
export class ManagedProcess {
  readonly child: ChildProcess;
  readonly pid: number;
  private exited = false;
  private exitInfo: string | undefined;
  private readonly exitPromise: Promise<void>;

  constructor(
    readonly name: string,
    cmd: string,
    args: string[],
    readonly logFile: string,
    env?: NodeJS.ProcessEnv,
    cwd?: string,
  ) {
    const fd = fs.openSync(logFile, 'a');
    this.child = spawn(cmd, args, { stdio: ['ignore', fd, fd], env: env ?? process.env, cwd, detached: false });
    fs.closeSync(fd);
    if (this.child.pid === undefined) throw new Error(`${name}: could not spawn ${cmd}`);
    this.pid = this.child.pid;
    live.add(this);
    this.exitPromise = new Promise((resolve) => {
      this.child.once('exit', (code, signal) => {
        this.exited = true;
        this.exitInfo = signal ? `signal ${signal}` : `code ${code}`;
        live.delete(this);
        resolve();
      });
      this.child.once('error', (e) => {
        this.exited = true;
        this.exitInfo = `spawn error ${e.message}`;
        live.delete(this);
        resolve();
      });
    });
  }

  get running(): boolean {
    return !this.exited;
  }

  /** Why it exited, with the tail of its log: for error messages. */
  describeExit(): string {
    return `${this.name} exited (${this.exitInfo ?? 'running'}); log tail:\n${tail(this.log(), 2000)}`;
  }

  log(): string {
    try {
      return fs.readFileSync(this.logFile, 'utf8');
    } catch {
      return '';
    }
  }

  pause(): void {
    if (!this.exited) process.kill(this.pid, 'SIGSTOP');
  }

  resume(): void {
    if (!this.exited) process.kill(this.pid, 'SIGCONT');
  }

  /** SIGTERM, then SIGKILL after `graceMs`. A stopped process gets SIGCONT so it can act on SIGTERM. */
  async stop(graceMs = 3000): Promise<void> {
    if (this.exited) return;
    try {
      process.kill(this.pid, 'SIGCONT');
      process.kill(this.pid, 'SIGTERM');
    } catch {
      /* already gone */
    }
    const t = setTimeout(() => {
      try {
        if (!this.exited) process.kill(this.pid, 'SIGKILL');
      } catch {
        /* already gone */
      }
    }, graceMs);
    await this.exitPromise;
    clearTimeout(t);
  }

  killNow(): void {
    if (this.exited) return;
    try {
      process.kill(this.pid, 'SIGKILL');
    } catch {
      /* already gone */
    }
  }
}

/**
 * What the peer daemon classes share: a private temporary directory, the daemon as one ManagedProcess (stopped,
 * paused and resumed by its PID), the wait for it to come up, and reading its log files.
 */
export abstract class PeerDaemonBase {
  readonly dir: string;
  protected proc: ManagedProcess | undefined;

  constructor(dirPrefix: string) {
    this.dir = makeTempDir(dirPrefix);
  }

  abstract logText(): string;

  /**
   * Poll `ready` until it holds for the daemon just started as this.proc; an exit of the daemon is reported
   * (with its log when `withLog`) instead of the last poll result.
   */
  protected async waitStarted(
    ready: () => boolean | Promise<boolean>,
    timeoutMs: number,
    what: string,
    withLog = true,
  ): Promise<void> {
    await waitFor(
      async () => {
        if (!this.proc!.running) throw new Error(this.proc!.describeExit() + (withLog ? '\n' + this.logText() : ''));
        return ready();
      },
      timeoutMs,
      what,
    );
  }

  /** The text of these files in the daemon's directory, one after another; a missing file reads as empty. */
  protected readLogs(...files: string[]): string {
    const read = (f: string): string => {
      try {
        return fs.readFileSync(path.join(this.dir, f), 'utf8');
      } catch {
        return '';
      }
    };
    return files.map(read).join('');
  }

  async stop(): Promise<void> {
    await this.proc?.stop();
  }

  pause(): void {
    this.proc?.pause();
  }

  resume(): void {
    this.proc?.resume();
  }
}

export function tail(s: string, n: number): string {
  return s.length <= n ? s : s.slice(s.length - n);
}

/** Stop every daemon this process started (SIGTERM then SIGKILL) and remove temp dirs. */
export async function stopAll(): Promise<void> {
  await Promise.all([...live].map((p) => p.stop()));
  removeTempDirs();
}

let exitHooked = false;
function hookExit(): void {
  if (exitHooked) return;
  exitHooked = true;
  // 'exit' handlers must be synchronous: SIGKILL is all that is left there.
  process.on('exit', () => {
    for (const p of live) p.killNow();
    removeTempDirs();
  });
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(sig, () => {
      for (const p of live) p.killNow();
      removeTempDirs();
      process.exit(128 + (os.constants.signals[sig] ?? 1));
    });
  }
}
hookExit();

/** Synchronous helper for one-off checks (e.g. versions); never used on polling paths. */
export function runSync(cmd: string, args: string[]): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  return (r.stdout ?? '') + (r.stderr ?? '');
}

export function isIpv6(addr: string): boolean {
  return addr.includes(':');
}

export function afiOf(f: Family): 'ipv4' | 'ipv6' {
  return f.startsWith('ipv6') ? 'ipv6' : 'ipv4';
}

export function isFlow(f: Family): boolean {
  return f.endsWith('flowspec');
}

/** Parse "65000:1" style strings and reject anything else early: daemons give worse errors. */
export function checkCommunity(c: string, parts: 2 | 3): number[] {
  const xs = c.split(':').map((x) => Number(x));
  if (xs.length !== parts || xs.some((x) => !Number.isInteger(x) || x < 0)) throw new Error(`bad community ${c}`);
  return xs;
}

/** Normalise daemon state names to ours. */
export function normState(s: string | undefined): SessionState {
  const x = (s ?? '').toLowerCase().replace(/[^a-z]/g, '');
  if (x === 'established' || x === 'up') return 'established';
  if (x === 'idle') return 'idle';
  if (x === 'connect') return 'connect';
  if (x === 'active') return 'active';
  if (x === 'opensent') return 'opensent';
  if (x === 'openconfirm') return 'openconfirm';
  if (x === 'down') return 'down';
  return 'unknown';
}
