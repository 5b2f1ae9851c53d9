// Ways to send API commands to a running daemon from outside its processes:
//
// 1. tsbgp's control socket: a unix stream socket. The client writes command lines; for each, the server writes
//    the answer lines, each ending in "\n", the last being `done`, `error` or `shutdown` (the same words that end
//    an answer for ExaBGP's cli). Several commands may be sent on one connection; they are answered in order.
//
// 2. ExaBGP's named pipes, so scripts built on `exabgpcli` keep working: the daemon reads command lines from
//    PIPENAME.in and writes answers to PIPENAME.out (exabgp.api.pipename, default "exabgp"), in the first folder
//    of ExaBGP's search list holding both FIFOs (/run/exabgp/, /run/UID/, /run/, /var/run/exabgp/, ...).
//    The pipes are made by the administrator (`mkfifo`), never by the daemon. exabgpcli writes one line to .in
//    and reads .out until a line that is exactly done/error/shutdown. Answers are written by opening .out
//    non-blocking for each answer: with no reader the open fails (ENXIO), and the answer is retried briefly,
//    then dropped, so a missing reader never blocks the daemon.

import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { isAnswerLine } from './ack';

/** Executes one command line; resolves to the answer lines, ideally ending with done/error/shutdown. */
/**
 * Sends answer lines ahead of the final ones, for answers too long to build in one piece (a full table from
 * `show adj-rib in`). Resolves once the lines may be followed by more (the reader has drained what it was
 * given); false means nobody is listening any more and the producer should stop.
 */
export type Emit = (lines: string[]) => Promise<boolean>;

/** Runs one command; the lines it returns end the answer, after any it emitted. */
export type CommandHandler = (line: string, emit: Emit) => Promise<string[]>;

export type LogFn = (level: 'debug' | 'info' | 'warning' | 'error', message: string) => void;

/** Make sure the answer ends with an answer word: `done` when the handler did not say. */
function terminated(lines: string[]): string[] {
  if (lines.length > 0 && isAnswerLine(lines[lines.length - 1])) return lines;
  return [...lines, 'done'];
}

/**
 * Hand every complete, non-blank line of `text` to `fn` (a trailing CR dropped, as telnet-style clients send
 * it); returns the unfinished rest, to be prefixed to the next chunk.
 */
function eachLine(text: string, fn: (line: string) => void): string {
  let start = 0;
  let nl: number;
  while ((nl = text.indexOf('\n', start)) >= 0) {
    let line = text.slice(start, nl);
    start = nl + 1;
    if (line.endsWith('\r')) line = line.slice(0, -1);
    if (line.trim() !== '') fn(line);
  }
  return text.slice(start);
}

async function answer(handler: CommandHandler, line: string, log: LogFn, emit: Emit): Promise<string[]> {
  try {
    return terminated(await handler(line, emit));
  } catch (err) {
    log('error', `control command failed: ${err instanceof Error ? err.message : String(err)}`);
    return ['error'];
  }
}

/**
 * The default control socket: $TSBGP_SOCKET, else /run/tsbgp/tsbgp.sock when /run/tsbgp is a writable folder,
 * else tsbgp-UID.sock in the temporary folder.
 */
export function defaultSocketPath(env: NodeJS.ProcessEnv = process.env): string {
  const fromEnv = env.TSBGP_SOCKET ?? env['tsbgp.api.socket'] ?? env.tsbgp_api_socket;
  if (fromEnv) return fromEnv;
  try {
    fs.accessSync('/run/tsbgp', fs.constants.W_OK | fs.constants.X_OK);
    return '/run/tsbgp/tsbgp.sock';
  } catch {
    const uid = typeof process.getuid === 'function' ? process.getuid() : 0;
    return path.join(os.tmpdir(), `tsbgp-${uid}.sock`);
  }
}

export interface ControlServerOptions {
  socketPath?: string;
  handler: CommandHandler;
  log?: LogFn;
  /** File mode of the socket (default 0o600: only the daemon's user may send commands). */
  mode?: number;
}

/** The control socket server. */
export class ControlServer {
  readonly socketPath: string;
  private readonly handler: CommandHandler;
  private readonly log: LogFn;
  private readonly mode: number;
  private server: net.Server | null = null;
  private readonly clients = new Set<net.Socket>();

  constructor(opts: ControlServerOptions) {
    this.socketPath = opts.socketPath ?? defaultSocketPath();
    this.handler = opts.handler;
    this.log = opts.log ?? (() => undefined);
    this.mode = opts.mode ?? 0o600;
  }

  async listen(): Promise<void> {
    await removeStaleSocket(this.socketPath);
    fs.mkdirSync(path.dirname(this.socketPath), { recursive: true });
    const server = net.createServer((sock) => this.serve(sock));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.socketPath, () => {
        server.off('error', reject);
        resolve();
      });
    });
    fs.chmodSync(this.socketPath, this.mode);
    server.on('error', (err) => this.log('error', `control socket: ${err.message}`));
    this.server = server;
    this.log('info', `control socket listening on ${this.socketPath}`);
  }

  async close(): Promise<void> {
    const server = this.server;
    this.server = null;
    for (const c of this.clients) c.destroy();
    this.clients.clear();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
    try {
      fs.unlinkSync(this.socketPath);
    } catch {
      // already removed
    }
  }

  private serve(sock: net.Socket): void {
    this.clients.add(sock);
    sock.setEncoding('utf8');
    let buf = '';
    let chain = Promise.resolve();
    let ended = false;
    // A long answer goes out as it is made, at the pace the client reads it: the daemon never holds it whole.
    const emit: Emit = (lines) => {
      if (sock.destroyed) return Promise.resolve(false);
      if (lines.length === 0 || sock.write(lines.join('\n') + '\n')) return Promise.resolve(true);
      return new Promise((resolve) => {
        const done = (): void => {
          sock.off('drain', done);
          sock.off('close', done);
          resolve(!sock.destroyed);
        };
        sock.on('drain', done);
        sock.on('close', done);
      });
    };
    sock.on('data', (s: string) => {
      buf = eachLine(buf + s, (line) => {
        chain = chain.then(async () => {
          const lines = await answer(this.handler, line, this.log, emit);
          if (!sock.destroyed) sock.write(lines.join('\n') + '\n');
        });
      });
    });
    sock.on('end', () => {
      ended = true;
      // A last command without newline still counts; answer what is queued, then close our side.
      const last = buf.trim();
      buf = '';
      if (last !== '') {
        chain = chain.then(async () => {
          const lines = await answer(this.handler, last, this.log, emit);
          if (!sock.destroyed) sock.write(lines.join('\n') + '\n');
        });
      }
      void chain.then(() => sock.end());
    });
    sock.on('error', () => undefined);
    sock.on('close', () => {
      this.clients.delete(sock);
      if (!ended) buf = '';
    });
  }
}

async function removeStaleSocket(p: string): Promise<void> {
  let st: fs.Stats;
  try {
    st = fs.lstatSync(p);
  } catch {
    return;
  }
  if (!st.isSocket()) throw new Error(`${p} exists and is not a socket`);
  // A socket file nobody listens on is left over from a daemon that died: remove it. One that answers is in use.
  const alive = await new Promise<boolean>((resolve) => {
    const c = net.connect(p);
    c.once('connect', () => {
      c.destroy();
      resolve(true);
    });
    c.once('error', () => resolve(false));
  });
  if (alive) throw new Error(`another daemon is listening on ${p}`);
  fs.unlinkSync(p);
}

export interface CommandResult {
  /** Answer lines before the terminator. */
  lines: string[];
  answer: 'done' | 'error' | 'shutdown';
}

/** Send one command to a control socket and collect its answer (client side of `tsbgp cli`). */
export function sendCommand(socketPath: string, command: string, timeoutMs = 30_000): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    const sock = net.connect(socketPath);
    const lines: string[] = [];
    let buf = '';
    let settled = false;
    const finish = (err: Error | null, res?: CommandResult): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      sock.destroy();
      if (err) reject(err);
      else resolve(res!);
    };
    const timer = setTimeout(() => finish(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
    sock.setEncoding('utf8');
    sock.once('connect', () => sock.write(command.replace(/\n/g, ' ') + '\n'));
    sock.on('data', (s: string) => {
      buf += s;
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        if (isAnswerLine(line)) {
          finish(null, { lines, answer: line });
          return;
        }
        lines.push(line);
      }
    });
    sock.once('error', (err) => finish(err));
    sock.once('close', () => finish(new Error('connection closed before the answer ended')));
  });
}

// ---------------------------------------------------------------------------------------------------
// ExaBGP named pipes

/** ExaBGP 4.2's search list for the cli's FIFOs (application/bgp.py `named_pipe`), in order. */
export function pipeSearchLocations(root = ''): string[] {
  const uid = typeof process.getuid === 'function' ? process.getuid() : 0;
  const bases = ['/run/exabgp/', `/run/${uid}/`, '/run/', '/var/run/exabgp/', `/var/run/${uid}/`, '/var/run/'];
  return [...bases, ...bases.map((b) => root + b)];
}

function isFifo(p: string): boolean {
  try {
    return fs.statSync(p).isFIFO();
  } catch {
    return false;
  }
}

/** The first folder holding both PIPENAME.in and PIPENAME.out as FIFOs, or null. */
export function findNamedPipes(pipename = 'exabgp', root = '', locations = pipeSearchLocations(root)): string | null {
  for (const dir of locations) {
    if (isFifo(path.join(dir, `${pipename}.in`)) && isFifo(path.join(dir, `${pipename}.out`))) return dir;
  }
  return null;
}

export interface NamedPipeOptions {
  /** Folder holding the FIFOs (see findNamedPipes). */
  dir: string;
  pipename?: string;
  handler: CommandHandler;
  log?: LogFn;
  /** How long an answer waits for a reader on .out before it is dropped (default 2000 ms). */
  writeTimeoutMs?: number;
}

/** Serves ExaBGP's named pipe protocol for exabgpcli. */
export class NamedPipeControl {
  readonly inPath: string;
  readonly outPath: string;
  private readonly handler: CommandHandler;
  private readonly log: LogFn;
  private readonly writeTimeoutMs: number;
  private reader: net.Socket | null = null;
  private chain: Promise<void> = Promise.resolve();
  private closed = false;

  constructor(opts: NamedPipeOptions) {
    const name = opts.pipename ?? 'exabgp';
    this.inPath = path.join(opts.dir, `${name}.in`);
    this.outPath = path.join(opts.dir, `${name}.out`);
    this.handler = opts.handler;
    this.log = opts.log ?? (() => undefined);
    this.writeTimeoutMs = opts.writeTimeoutMs ?? 2000;
  }

  start(): void {
    if (!isFifo(this.inPath)) throw new Error(`${this.inPath} is not a named pipe (create it with mkfifo)`);
    if (!isFifo(this.outPath)) throw new Error(`${this.outPath} is not a named pipe (create it with mkfifo)`);
    // Read-write, so the FIFO never reports end-of-file when a cli closes its end (we are a writer too).
    const fd = fs.openSync(this.inPath, fs.constants.O_RDWR | fs.constants.O_NONBLOCK);
    const reader = new net.Socket({ fd, readable: true, writable: false });
    reader.setEncoding('utf8');
    let buf = '';
    reader.on('data', (s: string) => {
      buf = eachLine(buf + s, (line) => {
        this.chain = this.chain.then(async () => {
          // exabgpcli reads one answer per opening of the .out FIFO: the emitted lines are kept and written with the rest.
          const head: string[] = [];
          const lines = await answer(this.handler, line, this.log, async (l) => {
            head.push(...l);
            return true;
          });
          await this.writeAnswer([...head, ...lines].join('\n') + '\n');
        });
      });
    });
    reader.on('error', (err) => this.log('error', `named pipe ${this.inPath}: ${err.message}`));
    this.reader = reader;
    this.log('info', `named pipes for the cli: commands to ${this.inPath}, answers from ${this.outPath}`);
  }

  async close(): Promise<void> {
    this.closed = true;
    this.reader?.destroy();
    this.reader = null;
    await this.chain;
  }

  private async writeAnswer(text: string): Promise<void> {
    const deadline = Date.now() + this.writeTimeoutMs;
    for (;;) {
      let fd: number;
      try {
        fd = fs.openSync(this.outPath, fs.constants.O_WRONLY | fs.constants.O_NONBLOCK);
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code === 'ENXIO' && !this.closed && Date.now() < deadline) {
          // No cli is reading yet.
          await new Promise((r) => setTimeout(r, 50));
          continue;
        }
        this.log('warning', `could not write the answer to ${this.outPath} (${code ?? String(err)}): dropped`);
        return;
      }
      const out = new net.Socket({ fd, readable: false, writable: true });
      await new Promise<void>((resolve) => {
        out.once('error', (e) => {
          this.log('warning', `writing to ${this.outPath}: ${e.message}`);
          resolve();
        });
        out.end(text, () => resolve());
      });
      out.destroy();
      return;
    }
  }
}
