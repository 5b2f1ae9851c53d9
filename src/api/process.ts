// The API processes: programs the daemon runs (ExaBGP's `process NAME { run ...; encoder json; }`), whose
// standard output carries commands and whose standard input receives events and acks.
//
// What differs from ExaBGP 4.2 on purpose:
// - Reading never stalls: stdout is split into lines on the bytes (no string re-concatenation per chunk), and
//   the daemon may pause one process's input while its peers are backed up; nothing is ever dropped.
// - Writing never blocks: each process has a bounded output buffer. A process that stops reading and lets the
//   bound fill is cut off (logged, 'overflow' emitted, then killed or skipped as configured) — ExaBGP instead
//   blocks its whole reactor and lets every BGP hold timer expire.
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
   * Bytes queued for one process (default 64 MiB) past which it is cut off when it has consumed nothing for
   * two `stallMs` periods. A process that is reading, only more slowly than a burst of events arrives, is
   * given up to 4 times this before it is cut off regardless (memory stays bounded either way).
   */
  maxWriteBuffer?: number;
  /** Period of the no-progress check once over maxWriteBuffer (default 1000 ms). */
  stallMs?: number;
  /**
   * Bytes queued for one process above which it is congested (default 4 MiB): congested(name) says so, and
   * 'drain' is emitted once it is back to half of this. The daemon stops reading from BGP peers meanwhile,
   * so that TCP slows the peers down to the pace of the slowest process instead of its events piling up here.
   * A process that consumes nothing for a whole `stallMs` is not congested but stalled: it no longer holds
   * peers back, and the maxWriteBuffer rules above apply to it.
   */
  highWater?: number;
  /** What to do with a process that overflows: 'kill' (default; respawn rules apply) or 'drop' (skip writes until it drains to half). */
  overflow?: 'kill' | 'drop';
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
  /** The process let its output buffer pass the bound. */
  overflow: (name: string, bufferedBytes: number) => void;
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
  /** Output not yet handed to the pipe (lines, each followed by its newline), joined in one write per flush. */
  out: (string | Uint8Array)[] = [];
  /** Some of `out` is bytes: the flush builds a Buffer instead of joining strings. */
  outBytes = false;
  outLen = 0;
  flushScheduled = false;
  cutOff = false;
  dropping = false;
  dropped = 0;
  /** Bytes handed to write() so far: what the process consumed is this minus what is still pending. */
  queuedTotal = 0;
  /** While over the bound: the progress check, and what had been consumed at its previous run. */
  stallTimer: NodeJS.Timeout | null = null;
  consumedAtCheck = 0;
  idleChecks = 0;
  stdinBroken = false;
  killTimer: NodeJS.Timeout | null = null;
  /** Over highWater and consuming (see ProcessManagerOptions.highWater); the check that it still consumes. */
  congested = false;
  stalled = false;
  slowTimer: NodeJS.Timeout | null = null;
  consumedAtSlowCheck = 0;

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
      stallMs: opts.stallMs ?? 1000,
      highWater: opts.highWater ?? 4 * 1024 * 1024,
      overflow: opts.overflow ?? 'kill',
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
   * True while the process has more than highWater bytes waiting and is still consuming them: events for it
   * should be produced more slowly ('drain' tells when it is no longer so).
   */
  congested(name: string): boolean {
    const inst = this.slots.get(name)?.current;
    return inst?.congested === true && !inst.stalled;
  }

  /**
   * Queue one line (a newline is appended) for the process's stdin: text, or UTF-8 bytes (which must stay
   * unchanged until written). Never blocks. Returns false when the line was not queued: no such process, not
   * running, or cut off after an overflow.
   */
  write(name: string, line: string | Uint8Array): boolean {
    const slot = this.slots.get(name);
    const inst = slot?.current;
    if (!inst || inst.closed || inst.cutOff || inst.stdinBroken || !inst.child.stdin) return false;
    const pending = inst.outLen + inst.child.stdin.writableLength;
    if (inst.dropping) {
      if (pending > this.opts.maxWriteBuffer / 2) {
        inst.dropped++;
        return false;
      }
      inst.dropping = false;
      this.log('warning', `process ${name} is reading again; ${inst.dropped} message(s) were not sent to it`);
      inst.dropped = 0;
    }
    if (pending + line.length + 1 > this.opts.maxWriteBuffer) {
      // Over the bound. A burst can put a reading process there too (the daemon decodes faster than a pipe
      // drains), so the process is cut off only when it has stopped consuming, or at 4x the bound.
      if (pending + line.length + 1 > this.opts.maxWriteBuffer * 4) {
        this.overflowed(name, inst, pending);
        return false;
      }
      this.watchStall(name, inst);
    }
    inst.out.push(line, '\n');
    if (typeof line !== 'string') inst.outBytes = true;
    inst.outLen += line.length + 1;
    inst.queuedTotal += line.length + 1;
    if (!inst.congested && pending + line.length + 1 > this.opts.highWater) this.congest(name, inst);
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
    if (!inst) return;
    this.drainQueue(slot, inst);
    if (!slot.paused) {
      if (inst.closed) this.maybeFinish(slot, inst);
      else inst.child.stdout?.resume();
    }
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
      this.uncongest(inst);
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
    if (slot.paused || inst.queue.length > 0) {
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
      if (slot.paused && slot.current === inst) return off;
    }
    return len;
  }

  private drainQueue(slot: Slot, inst: Instance): void {
    while (inst.queue.length > 0 && !slot.paused) {
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
    if (slot.current === inst && (slot.paused || inst.queue.length > 0)) return;
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

  private flush(inst: Instance): void {
    inst.flushScheduled = false;
    if (inst.outLen === 0) return;
    const out = inst.out;
    const bytes = inst.outBytes;
    inst.out = [];
    inst.outLen = 0;
    inst.outBytes = false;
    if (inst.cutOff || inst.stdinBroken || inst.closed || !inst.child.stdin || inst.child.stdin.destroyed) return;
    const data = bytes ? joinBytes(out) : out.length === 2 ? (out[0] as string) + (out[1] as string) : out.join('');
    // The callback runs once this chunk is in the pipe: the process consumed what was ahead of it.
    inst.child.stdin.write(data, () => this.progress(inst));
  }

  /** Start holding peers back for a process over highWater, and watch that it keeps consuming. */
  private congest(name: string, inst: Instance): void {
    inst.congested = true;
    inst.stalled = false;
    inst.consumedAtSlowCheck = inst.queuedTotal - this.pending(inst);
    if (inst.slowTimer) return;
    inst.slowTimer = setInterval(() => {
      if (!inst.congested) {
        clearInterval(inst.slowTimer!);
        inst.slowTimer = null;
        return;
      }
      const consumed = inst.queuedTotal - this.pending(inst);
      if (consumed > inst.consumedAtSlowCheck) {
        inst.consumedAtSlowCheck = consumed;
        return;
      }
      if (!inst.stalled) {
        // Nothing consumed for a whole period: the process is not slow but stuck. Holding peers back for it
        // would stop every session (their hold timers included) for as long as it chooses; let the events
        // queue instead, up to maxWriteBuffer, where the overflow rules decide its fate.
        inst.stalled = true;
        this.log(
          'warning',
          `process ${name} consumed nothing for ${this.opts.stallMs} ms: no longer slowing peers down for it`,
        );
        this.emit('drain', name);
      }
    }, this.opts.stallMs);
    inst.slowTimer.unref();
  }

  /** A write reached the pipe: the process is reading; below half of highWater it is congested no more. */
  private progress(inst: Instance): void {
    if (!inst.congested) return;
    if (inst.stalled) {
      inst.stalled = false;
      this.log('info', `process ${inst.name} is consuming again`);
    }
    if (this.pending(inst) > this.opts.highWater / 2) return;
    this.uncongest(inst);
  }

  private uncongest(inst: Instance): void {
    if (!inst.congested) return;
    const held = !inst.stalled;
    inst.congested = false;
    inst.stalled = false;
    if (inst.slowTimer) {
      clearInterval(inst.slowTimer);
      inst.slowTimer = null;
    }
    if (held) this.emit('drain', inst.name);
  }

  private pending(inst: Instance): number {
    return inst.outLen + (inst.child.stdin?.writableLength ?? 0);
  }

  /** Start the no-progress check for a process over the bound (once; it stops itself below the bound). */
  private watchStall(name: string, inst: Instance): void {
    if (inst.stallTimer) return;
    inst.consumedAtCheck = inst.queuedTotal - this.pending(inst);
    inst.idleChecks = 0;
    inst.stallTimer = setInterval(() => {
      const pending = this.pending(inst);
      if (inst.cutOff || inst.closed || pending <= this.opts.maxWriteBuffer) {
        clearInterval(inst.stallTimer!);
        inst.stallTimer = null;
        return;
      }
      const consumed = inst.queuedTotal - pending;
      inst.idleChecks = consumed > inst.consumedAtCheck ? 0 : inst.idleChecks + 1;
      inst.consumedAtCheck = consumed;
      // Two periods in a row: one late timer after a busy event loop must not look like a stall.
      if (inst.idleChecks >= 2) {
        clearInterval(inst.stallTimer!);
        inst.stallTimer = null;
        this.overflowed(name, inst, pending);
      }
    }, this.opts.stallMs);
    inst.stallTimer.unref();
  }

  private overflowed(name: string, inst: Instance, pending: number): void {
    this.emit('overflow', name, pending);
    if (this.opts.overflow === 'drop') {
      inst.dropping = true;
      inst.dropped = 1;
      this.log(
        'error',
        `process ${name} is not reading its input (${pending} bytes waiting): not sending to it until it catches up`,
      );
      return;
    }
    inst.cutOff = true;
    inst.out = [];
    inst.outLen = 0;
    this.uncongest(inst);
    this.log('error', `process ${name} is not reading its input (${pending} bytes waiting): terminating it`);
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
