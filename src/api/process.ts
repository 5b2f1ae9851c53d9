// The API processes: programs the daemon runs (ExaBGP's `process NAME { run ...; encoder json; }`), whose
// standard output carries commands and whose standard input receives events and acks.
//
// What differs from ExaBGP 4.2 on purpose:
// - Reading never stalls: stdout is split into lines on the bytes (no string re-concatenation per chunk), and
//   the daemon may pause one process's input while its peers are backed up; nothing is ever dropped.
// - Writing never blocks, and nothing is dropped for a process that keeps reading, however slowly: above
//   `highWater` bytes queued it is congested and the daemon stops reading from the peers whose events it gets
//   (TCP then slows them down) for as long as it takes; above `maxWriteBuffer` its own commands are not read
//   either (their answers are all that still reaches it). Only a process that consumes nothing at all for
//   `stallMs` while congested is cut off (logged with the bytes queued and the time, 'overflow' emitted,
//   killed; respawn rules apply) — ExaBGP instead blocks its whole reactor and lets every hold timer expire.
// Same as ExaBGP: a process runs in its own process group, gets TERM=dumb, is respawned when it dies unless more
// than `respawnLimit` starts happen within about a minute (ExaBGP: 5 in a ~63 s window), and is sent SIGTERM on stop.

import { type ChildProcess, spawn } from 'node:child_process';
import { EventEmitter } from 'node:events';
import * as fs from 'node:fs';
import * as path from 'node:path';

export interface ProcessConfig {
  name: string;
  /** Command line: a string is split like a shell word list (quotes honoured, no expansion), or argv. */
  run: string | string[];
  /** Respawn this process when it dies; default: the manager's `respawn`. */
  respawn?: boolean;
  /** Extra environment for this process (merged over the manager's). */
  env?: Record<string, string>;
  cwd?: string;
}

export type LogLevel = 'debug' | 'info' | 'warning' | 'error';

export interface ProcessManagerOptions {
  /** exabgp.api.respawn (default true). */
  respawn?: boolean;
  /** Starts allowed within `respawnWindowMs` before giving up (default 5, as ExaBGP). */
  respawnLimit?: number;
  /** Default 63,000 ms (ExaBGP's time mask spans 64 s). */
  respawnWindowMs?: number;
  /**
   * Bytes queued for one process (default 64 MiB) past which the commands it writes are no longer read until
   * it has consumed half of them: what it is sent in answer to its own commands (acks, `show` output) is the
   * one kind of output no peer is held back for, and this bounds it.
   */
  maxWriteBuffer?: number;
  /**
   * A congested process that consumes nothing at all for this long (default 30,000 ms) is cut off; one that
   * consumes anything, however slowly, never is.
   */
  stallMs?: number;
  /**
   * Bytes queued for one process above which it is congested (default 4 MiB, at most maxWriteBuffer):
   * congested(name) says so, and 'drain' is emitted once it is back to half of this. The daemon stops reading
   * from BGP peers meanwhile, so that TCP slows the peers down to the pace of the slowest process instead of
   * its events piling up here: what is queued stays around this mark.
   */
  highWater?: number;
  /** A single line longer than this is discarded with an error log (default 16 MiB). */
  maxLineLength?: number;
  /** The children's stderr: inherited (default, as ExaBGP), ignored, or emitted as 'stderr' lines. */
  stderr?: 'inherit' | 'ignore' | 'pipe';
  /** Environment given to every process (over process.env), e.g. the effective exabgp.* settings. */
  env?: Record<string, string>;
  /** Relative program paths are looked up here first (the configuration file's folder), then in PATH. */
  baseDir?: string;
  /** Time between SIGTERM and SIGKILL on stop (default 2000 ms). */
  stopTimeoutMs?: number;
  log?: (level: LogLevel, message: string) => void;
}

/** Events a ProcessManager emits, as listener signatures. */
export interface ProcessManagerEvents {
  /** One line of a process's stdout, without the line ending, in order. */
  command: (name: string, line: string) => void;
  spawn: (name: string, pid: number) => void;
  /** The process ended (its output fully delivered). `respawning` says whether it will be started again. */
  exit: (name: string, code: number | null, signal: NodeJS.Signals | null, respawning: boolean) => void;
  /** The process will not be started again: spawn failure or too many deaths. */
  giveup: (name: string, reason: string) => void;
  /** The process was cut off: it consumed nothing of its `bufferedBytes` for `idleMs` while congested. */
  overflow: (name: string, bufferedBytes: number, idleMs: number) => void;
  /** The process is no longer congested (caught up to half of highWater, stalled, cut off or gone). */
  drain: (name: string) => void;
  stderr: (name: string, line: string) => void;
}

const NL = 0x0a;
const CR = 0x0d;
const FLUSH_AT = 256 * 1024;

/** One Buffer of every piece (text as UTF-8): one write, and one copy of the bytes. */
function joinBytes(pieces: (string | Uint8Array)[]): Buffer {
  let total = 0;
  for (const p of pieces) total += typeof p === 'string' ? (p === '\n' ? 1 : Buffer.byteLength(p)) : p.length;
  const out = Buffer.allocUnsafe(total);
  let off = 0;
  for (const p of pieces) {
    if (typeof p !== 'string') {
      out.set(p, off);
      off += p.length;
    } else if (p === '\n') out[off++] = NL;
    else off += out.write(p, off, 'utf8');
  }
  return out;
}

/** Split a `run` command line into argv: whitespace separated, '...' and "..." quote, backslash escapes. */
export function splitCommandLine(s: string): string[] {
  const out: string[] = [];
  let cur = '';
  let inWord = false;
  let quote: string | null = null;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (quote !== null) {
      if (c === quote) quote = null;
      else if (c === '\\' && quote === '"' && i + 1 < s.length) cur += s[++i];
      else cur += c;
      continue;
    }
    if (c === '"' || c === "'") {
      quote = c;
      inWord = true;
    } else if (c === '\\' && i + 1 < s.length) {
      cur += s[++i];
      inWord = true;
    } else if (c === ' ' || c === '\t' || c === '\n') {
      if (inWord) out.push(cur);
      cur = '';
      inWord = false;
    } else {
      cur += c;
      inWord = true;
    }
  }
  if (inWord) out.push(cur);
  return out;
}

/** Where to find a relative program: the configuration folder first, then PATH (as ExaBGP's `run` parser does). */
export function resolveProgram(prg: string, baseDir?: string): string {
  if (prg.includes('/')) {
    if (path.isAbsolute(prg) || baseDir === undefined) return prg;
    const inBase = path.resolve(baseDir, prg);
    return fs.existsSync(inBase) ? inBase : prg;
  }
  if (baseDir !== undefined) {
    const inBase = path.join(baseDir, prg);
    try {
      if (fs.statSync(inBase).isFile()) return inBase;
    } catch {
      // not there: PATH lookup by spawn
    }
  }
  return prg;
}

/** One running instance of a configured process. */
class Instance {
  readonly child: ChildProcess;
  /** Partial line carried over between chunks: the pieces, concatenated only when the newline arrives. */
  partial: Buffer[] = [];
  partialLen = 0;
  /** Inside a line that passed maxLineLength: bytes are skipped up to the next newline. */
  skipping = false;
  /** Chunks received while paused, with the offset of the first unconsumed byte of the head. */
  queue: Buffer[] = [];
  queueOff = 0;
  closed = false;
  exitCode: number | null = null;
  exitSignal: NodeJS.Signals | null = null;
  finished = false;
  /**
   * Output not yet handed to the pipe (lines, each followed by its newline) from index `outHead` on; a flush
   * joins at most FLUSH_AT bytes of it into one write.
   */
  out: (string | Uint8Array)[] = [];
  outHead = 0;
  outLen = 0;
  flushScheduled = false;
  cutOff = false;
  stdinBroken = false;
  killTimer: NodeJS.Timeout | null = null;
  /** Over highWater (see ProcessManagerOptions.highWater), and the check that it still consumes meanwhile. */
  congested = false;
  stallTimer: NodeJS.Timeout | null = null;
  lastStallCheck = 0;
  /** When it last consumed something, or last had nothing waiting (performance.now()). */
  lastProgress = 0;
  /** Over maxWriteBuffer: its commands are not read until it drains to half. */
  full = false;

  constructor(
    child: ChildProcess,
    readonly name: string,
  ) {
    this.child = child;
  }
}

interface Slot {
  config: ProcessConfig;
  current: Instance | null;
  paused: boolean;
  starts: number[];
  gaveUp: boolean;
  removed: boolean;
}

/** The emitter's event map: each event's listener arguments. */
type ProcessManagerEventArgs = { [E in keyof ProcessManagerEvents]: Parameters<ProcessManagerEvents[E]> };

export class ProcessManager extends EventEmitter<ProcessManagerEventArgs> {
  private readonly slots = new Map<string, Slot>();
  private readonly opts: Required<Omit<ProcessManagerOptions, 'baseDir' | 'log'>> &
    Pick<ProcessManagerOptions, 'baseDir'>;
  private readonly log: (level: LogLevel, message: string) => void;
  private stopping = false;

  constructor(opts: ProcessManagerOptions = {}) {
    super();
    this.opts = {
      respawn: opts.respawn ?? true,
      respawnLimit: opts.respawnLimit ?? 5,
      respawnWindowMs: opts.respawnWindowMs ?? 63_000,
      maxWriteBuffer: opts.maxWriteBuffer ?? 64 * 1024 * 1024,
      stallMs: opts.stallMs ?? 30_000,
      highWater: Math.min(opts.highWater ?? 4 * 1024 * 1024, opts.maxWriteBuffer ?? Infinity),
      maxLineLength: opts.maxLineLength ?? 16 * 1024 * 1024,
      stderr: opts.stderr ?? 'inherit',
      env: opts.env ?? {},
      baseDir: opts.baseDir,
      stopTimeoutMs: opts.stopTimeoutMs ?? 2000,
    };
    this.log = opts.log ?? (() => undefined);
  }

  /**
   * Start the configured processes. Called again (reload), it stops processes no longer configured,
   * starts new ones, and with `restart` also restarts the ones that stay.
   */
  start(configs: ProcessConfig[], restart = false): void {
    this.stopping = false;
    const wanted = new Set(configs.map((c) => c.name));
    for (const [name, slot] of this.slots) {
      if (!wanted.has(name)) {
        slot.removed = true;
        this.slots.delete(name);
        if (slot.current) this.terminate(slot.current);
      }
    }
    for (const config of configs) {
      const existing = this.slots.get(config.name);
      if (existing) {
        existing.config = config;
        if (restart && existing.current) {
          // The old instance's death must not count as a crash: detach it from the slot first.
          const old = existing.current;
          existing.current = null;
          this.terminate(old);
        }
        existing.gaveUp = false;
        if (!existing.current) this.spawn(existing);
        continue;
      }
      const slot: Slot = { config, current: null, paused: false, starts: [], gaveUp: false, removed: false };
      this.slots.set(config.name, slot);
      this.spawn(slot);
    }
  }

  /** Names of the configured processes. */
  names(): string[] {
    return [...this.slots.keys()];
  }

  isRunning(name: string): boolean {
    const inst = this.slots.get(name)?.current;
    return inst !== null && inst !== undefined && !inst.closed && !inst.cutOff;
  }

  pid(name: string): number | undefined {
    return this.slots.get(name)?.current?.child.pid;
  }

  /** Bytes waiting to be written to the process (ours plus the pipe stream's). */
  buffered(name: string): number {
    const inst = this.slots.get(name)?.current;
    if (!inst) return 0;
    return inst.outLen + (inst.child.stdin?.writableLength ?? 0);
  }

  /**
   * True while the process has more than highWater bytes waiting: events for it should be produced more
   * slowly ('drain' tells when it is no longer so).
   */
  congested(name: string): boolean {
    return this.slots.get(name)?.current?.congested === true;
  }

  /**
   * Queue one line (a newline is appended) for the process's stdin: text, or UTF-8 bytes (which must stay
   * unchanged until written). Never blocks. Returns false when the line was not queued: no such process, not
   * running, or cut off.
   */
  write(name: string, line: string | Uint8Array): boolean {
    const slot = this.slots.get(name);
    const inst = slot?.current;
    if (!slot || !inst || inst.closed || inst.cutOff || inst.stdinBroken || !inst.child.stdin) return false;
    const pending = inst.outLen + inst.child.stdin.writableLength;
    // Nothing was waiting: the process is not behind, whatever it last consumed.
    if (pending === 0) inst.lastProgress = performance.now();
    inst.out.push(line, '\n');
    inst.outLen += line.length + 1;
    const queued = pending + line.length + 1;
    if (!inst.congested && queued > this.opts.highWater) this.congest(name, inst);
    if (!inst.full && queued > this.opts.maxWriteBuffer) this.fill(slot, inst, queued);
    if (inst.outLen >= FLUSH_AT) this.flush(inst);
    else if (!inst.flushScheduled) {
      inst.flushScheduled = true;
      setImmediate(() => this.flush(inst));
    }
    return true;
  }

  /** Stop delivering this process's commands (its pipe fills and the program blocks on write). */
  pause(name: string): void {
    const slot = this.slots.get(name);
    if (!slot || slot.paused) return;
    slot.paused = true;
    slot.current?.child.stdout?.pause();
  }

  /** Deliver again, starting with what was held back. */
  resume(name: string): void {
    const slot = this.slots.get(name);
    if (!slot?.paused) return;
    slot.paused = false;
    const inst = slot.current;
    if (inst) this.readAgain(slot, inst);
  }

  /** Deliver what was held back, then let the pipe flow again, unless something still holds it. */
  private readAgain(slot: Slot, inst: Instance): void {
    this.drainQueue(slot, inst);
    if (this.holding(slot, inst)) return;
    if (inst.closed) this.maybeFinish(slot, inst);
    else inst.child.stdout?.resume();
  }

  /** The process's commands are held back: paused by the daemon, or it has too much output waiting. */
  private holding(slot: Slot, inst: Instance): boolean {
    return slot.current === inst && (slot.paused || inst.full);
  }

  isPaused(name: string): boolean {
    return this.slots.get(name)?.paused ?? false;
  }

  /** Restart one process now (its death does not count against the respawn limit). */
  restart(name: string): void {
    const slot = this.slots.get(name);
    if (!slot) return;
    const old = slot.current;
    slot.current = null;
    slot.gaveUp = false;
    if (old) this.terminate(old);
    this.spawn(slot);
  }

  /**
   * Stop every process: optionally write a farewell line (ExaBGP sends a shutdown notification), close stdin,
   * SIGTERM, and SIGKILL after `stopTimeoutMs`. Resolves when all have exited.
   */
  async stop(farewell?: (name: string) => string | null): Promise<void> {
    this.stopping = true;
    const live: [Slot, Instance][] = [];
    for (const [name, slot] of this.slots) {
      const inst = slot.current;
      if (!inst || inst.finished) continue;
      live.push([slot, inst]);
      if (farewell && !inst.closed) {
        const line = farewell(name);
        if (line !== null) this.write(name, line);
        this.flush(inst);
      }
    }
    if (live.length === 0) return;
    // As ExaBGP: give the farewell a moment to be read before the signal.
    if (farewell) await new Promise((r) => setTimeout(r, 100));
    const waits: Promise<void>[] = [];
    for (const [slot, inst] of live) {
      waits.push(
        new Promise<void>((resolve) => {
          if (inst.closed) resolve();
          else inst.child.once('close', () => resolve());
        }),
      );
      // Paused output must not hold the exit back now: deliver it.
      slot.paused = false;
      inst.full = false;
      this.drainQueue(slot, inst);
      inst.child.stdout?.resume();
      this.terminate(inst);
    }
    await Promise.all(waits);
  }

  // -------------------------------------------------------------------------------------------------

  private spawn(slot: Slot): void {
    const { config } = slot;
    const name = config.name;
    if (this.stopping || slot.removed) return;
    const now = Date.now();
    slot.starts = slot.starts.filter((t) => now - t < this.opts.respawnWindowMs);
    if (slot.starts.length >= this.opts.respawnLimit) {
      slot.gaveUp = true;
      const reason = `too many deaths for ${name} (${slot.starts.length} starts within ${Math.round(this.opts.respawnWindowMs / 1000)} s), not respawning it`;
      this.log('error', reason);
      this.emit('giveup', name, reason);
      return;
    }
    slot.starts.push(now);

    const argv = typeof config.run === 'string' ? splitCommandLine(config.run) : config.run.slice();
    if (argv.length === 0) {
      slot.gaveUp = true;
      this.log('error', `process ${name}: empty run command`);
      this.emit('giveup', name, 'empty run command');
      return;
    }
    const program = resolveProgram(argv[0], this.opts.baseDir);
    let child: ChildProcess;
    try {
      child = spawn(program, argv.slice(1), {
        stdio: ['pipe', 'pipe', this.opts.stderr],
        // ExaBGP sets TERM=dumb so no terminal escape sequence lands at the start of the pipe.
        env: { ...process.env, ...this.opts.env, ...config.env, TERM: 'dumb' },
        cwd: config.cwd,
        // Own process group (ExaBGP's setpgrp): a Ctrl-C on the daemon's terminal reaches the daemon only,
        // which then stops its processes in order.
        detached: true,
      });
    } catch (err) {
      this.spawnFailed(slot, err);
      return;
    }
    const inst = new Instance(child, name);
    slot.current = inst;

    child.once('error', (err: NodeJS.ErrnoException) => {
      // Raised for a spawn failure (ENOENT, EACCES): there is no process and will be none.
      if (child.pid === undefined) {
        if (slot.current === inst) slot.current = null;
        inst.finished = true;
        this.spawnFailed(slot, err);
      } else {
        this.log('error', `process ${name}: ${err.message}`);
      }
    });
    if (child.pid === undefined) return;

    this.log('info', `forked process ${name} (pid ${child.pid})`);
    this.emit('spawn', name, child.pid);

    child.stdin!.on('error', (err: NodeJS.ErrnoException) => {
      // EPIPE: the program closed its stdin or died; what it did not read is lost with it.
      inst.stdinBroken = true;
      this.log('debug', `process ${name}: stdin ${err.code ?? err.message}`);
    });
    child.stdout!.on('data', (chunk: Buffer) => this.onData(slot, inst, chunk));
    if (this.opts.stderr === 'pipe' && child.stderr) {
      let rest = '';
      child.stderr.setEncoding('utf8');
      child.stderr.on('data', (s: string) => {
        const parts = (rest + s).split('\n');
        rest = parts.pop() ?? '';
        for (const p of parts) this.emit('stderr', name, p.endsWith('\r') ? p.slice(0, -1) : p);
      });
    }
    child.once('exit', (code, signal) => {
      inst.exitCode = code;
      inst.exitSignal = signal;
      if (inst.killTimer) clearTimeout(inst.killTimer);
    });
    child.once('close', () => {
      inst.closed = true;
      inst.out = [];
      inst.outHead = 0;
      inst.outLen = 0;
      this.uncongest(inst);
      // Nothing will be consumed any more: its last commands are delivered.
      inst.full = false;
      this.drainQueue(slot, inst);
      this.maybeFinish(slot, inst);
    });
    if (slot.paused) child.stdout!.pause();
  }

  private spawnFailed(slot: Slot, err: unknown): void {
    slot.gaveUp = true;
    const reason = `could not start process ${slot.config.name}: ${err instanceof Error ? err.message : String(err)}`;
    this.log('error', reason);
    this.emit('giveup', slot.config.name, reason);
  }

  private onData(slot: Slot, inst: Instance, chunk: Buffer): void {
    if (slot.current !== inst) {
      // Output of an instance being replaced (restart/reload) still counts: deliver it.
      this.parse(slot, inst, chunk, 0);
      return;
    }
    if (this.holding(slot, inst) || inst.queue.length > 0) {
      inst.queue.push(chunk);
      return;
    }
    const off = this.parse(slot, inst, chunk, 0);
    if (off < chunk.length) {
      // The consumer paused inside this chunk: keep the rest for resume().
      inst.queue.push(chunk);
      inst.queueOff = off;
    }
  }

  /**
   * Emit the complete lines of `chunk` from `off`. Returns the offset where it stopped: chunk.length when
   * all was consumed, less when the consumer paused in a 'command' handler.
   */
  private parse(slot: Slot, inst: Instance, chunk: Buffer, off: number): number {
    const name = slot.config.name;
    const len = chunk.length;
    while (off < len) {
      const nl = chunk.indexOf(NL, off);
      if (nl < 0) {
        if (inst.skipping) return len;
        if (inst.partialLen + (len - off) > this.opts.maxLineLength) {
          this.log('error', `process ${name}: line longer than ${this.opts.maxLineLength} bytes discarded`);
          inst.partial = [];
          inst.partialLen = 0;
          inst.skipping = true;
        } else {
          inst.partial.push(off === 0 ? chunk : chunk.subarray(off));
          inst.partialLen += len - off;
        }
        return len;
      }
      let line: string;
      if (inst.skipping) {
        inst.skipping = false;
        off = nl + 1;
        continue;
      }
      if (inst.partialLen !== 0) {
        inst.partial.push(chunk.subarray(off, nl));
        const whole = Buffer.concat(inst.partial);
        inst.partial = [];
        inst.partialLen = 0;
        const end = whole.length > 0 && whole[whole.length - 1] === CR ? whole.length - 1 : whole.length;
        line = whole.toString('utf8', 0, end);
      } else {
        const end = nl > off && chunk[nl - 1] === CR ? nl - 1 : nl;
        line = chunk.toString('utf8', off, end);
      }
      off = nl + 1;
      this.emit('command', name, line);
      if (this.holding(slot, inst)) return off;
    }
    return len;
  }

  private drainQueue(slot: Slot, inst: Instance): void {
    while (inst.queue.length > 0 && !this.holding(slot, inst)) {
      const head = inst.queue[0];
      const off = this.parse(slot, inst, head, inst.queueOff);
      if (off >= head.length) {
        inst.queue.shift();
        inst.queueOff = 0;
      } else {
        inst.queueOff = off;
      }
    }
  }

  private maybeFinish(slot: Slot, inst: Instance): void {
    if (inst.finished || !inst.closed) return;
    if (slot.current === inst && (this.holding(slot, inst) || inst.queue.length > 0)) return;
    inst.finished = true;
    const name = slot.config.name;
    if (inst.partialLen > 0) {
      // A last line without its newline is still a command the program sent.
      const whole = Buffer.concat(inst.partial);
      inst.partial = [];
      inst.partialLen = 0;
      const s = whole.toString('utf8');
      this.emit('command', name, s.endsWith('\r') ? s.slice(0, -1) : s);
    }
    const isCurrent = slot.current === inst;
    if (isCurrent) slot.current = null;
    const respawn =
      isCurrent && !this.stopping && !slot.removed && !slot.gaveUp && (slot.config.respawn ?? this.opts.respawn);
    this.log(
      respawn ? 'warning' : 'info',
      `process ${name} ended (${inst.exitSignal ? `signal ${inst.exitSignal}` : `exit code ${inst.exitCode}`})${respawn ? ', restarting it' : ''}`,
    );
    this.emit('exit', name, inst.exitCode, inst.exitSignal, respawn);
    if (respawn) this.spawn(slot);
  }

  /**
   * Hand the pipe the next FLUSH_AT bytes or so, when it has taken what it was given. Small writes make the
   * write callbacks, which say the process consumed something, come every few hundred KiB: a process reading
   * 0.5 MB/s is seen consuming several times a second, never mistaken for a stuck one.
   */
  private flush(inst: Instance): void {
    inst.flushScheduled = false;
    if (inst.outLen === 0) return;
    const stdin = inst.child.stdin;
    if (inst.cutOff || inst.stdinBroken || inst.closed || !stdin || stdin.destroyed) {
      inst.out = [];
      inst.outHead = 0;
      inst.outLen = 0;
      return;
    }
    // The write callback flushes again.
    if (stdin.writableLength >= FLUSH_AT) return;
    const out = inst.out;
    const from = inst.outHead;
    let to = from;
    let len = 0;
    let bytes = false;
    while (to < out.length && len < FLUSH_AT) {
      const p = out[to]!;
      if (typeof p !== 'string') bytes = true;
      len += p.length + 1;
      to += 2;
    }
    const pieces = from === 0 && to === out.length ? out : out.slice(from, to);
    if (to === out.length) {
      inst.out = [];
      inst.outHead = 0;
    } else if (to > 65536 && to * 2 > out.length) {
      inst.out = out.slice(to);
      inst.outHead = 0;
    } else inst.outHead = to;
    inst.outLen -= len;
    const data = bytes
      ? joinBytes(pieces)
      : pieces.length === 2
        ? (pieces[0] as string) + (pieces[1] as string)
        : pieces.join('');
    // The callback runs once this chunk is in the pipe: the process consumed what was ahead of it.
    stdin.write(data, () => this.progress(inst));
  }

  /** Start holding peers back for a process over highWater, and watch that it keeps consuming. */
  private congest(name: string, inst: Instance): void {
    inst.congested = true;
    if (inst.stallTimer) return;
    const period = Math.min(1000, Math.max(10, this.opts.stallMs / 4));
    inst.lastStallCheck = performance.now();
    inst.stallTimer = setInterval(() => {
      const now = performance.now();
      // A check that comes late means the daemon itself was busy: the write callbacks that would show the
      // process consuming may not have run yet. Judge at the next, punctual, check.
      const late = now - inst.lastStallCheck > 2 * period;
      inst.lastStallCheck = now;
      if (late || inst.cutOff || inst.closed) return;
      const idle = now - inst.lastProgress;
      if (idle >= this.opts.stallMs) this.overflowed(name, inst, this.pending(inst), idle);
    }, period);
    inst.stallTimer.unref();
  }

  /** A write reached the pipe: the process consumed something. Release what its backlog held back. */
  private progress(inst: Instance): void {
    inst.lastProgress = performance.now();
    const pending = this.pending(inst);
    if (inst.congested && pending <= this.opts.highWater / 2) this.uncongest(inst);
    if (inst.full && pending <= this.opts.maxWriteBuffer / 2) {
      inst.full = false;
      const slot = this.slots.get(inst.name);
      if (slot) this.readAgain(slot, inst);
    }
    this.flush(inst);
  }

  private uncongest(inst: Instance): void {
    if (!inst.congested) return;
    inst.congested = false;
    if (inst.stallTimer) {
      clearInterval(inst.stallTimer);
      inst.stallTimer = null;
    }
    this.emit('drain', inst.name);
  }

  /** Over maxWriteBuffer: read none of its commands (their answers are all that still grows) until it drains. */
  private fill(slot: Slot, inst: Instance, queued: number): void {
    inst.full = true;
    if (slot.current === inst) inst.child.stdout?.pause();
    this.log(
      'warning',
      `process ${inst.name}: ${queued} bytes queued for it, its commands wait until it has read half of them`,
    );
  }

  private pending(inst: Instance): number {
    return inst.outLen + (inst.child.stdin?.writableLength ?? 0);
  }

  /** Cut off a process that consumed nothing for stallMs while congested: the only one ever cut off. */
  private overflowed(name: string, inst: Instance, pending: number, idleMs: number): void {
    inst.cutOff = true;
    inst.out = [];
    inst.outHead = 0;
    inst.outLen = 0;
    this.log(
      'error',
      `process ${name} is not reading its input: ${pending} bytes queued, nothing consumed for ${(idleMs / 1000).toFixed(1)} s: terminating it`,
    );
    this.emit('overflow', name, pending, idleMs);
    this.uncongest(inst);
    this.terminate(inst);
  }

  private terminate(inst: Instance): void {
    const child = inst.child;
    if (inst.exitCode !== null || inst.exitSignal !== null || child.pid === undefined) return;
    child.stdin?.end();
    try {
      child.kill('SIGTERM');
    } catch {
      // already gone
    }
    if (!inst.killTimer) {
      inst.killTimer = setTimeout(() => {
        if (inst.exitCode === null && inst.exitSignal === null) {
          try {
            child.kill('SIGKILL');
          } catch {
            // already gone
          }
        }
      }, this.opts.stopTimeoutMs);
      inst.killTimer.unref();
    }
  }
}
