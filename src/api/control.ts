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

import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { isAnswerLine } from './ack';
import { folderRefusal, myUid, refusal, userName } from './ownership';

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

/** TSBGP_SOCKET (or tsbgp.api.socket / tsbgp_api_socket): a socket path chosen by the environment. */
const socketFromEnv = (env: NodeJS.ProcessEnv): string | undefined =>
  env.TSBGP_SOCKET || env['tsbgp.api.socket'] || env.tsbgp_api_socket || undefined;

/**
 * Folders for control sockets, most private first: $XDG_RUNTIME_DIR/tsbgp (the user's own runtime folder),
 * /run/tsbgp (root's, or a service user's made by systemd), then TMPDIR/tsbgp-UID, a folder of our own.
 */
export function socketFolders(env: NodeJS.ProcessEnv = process.env): string[] {
  const out: string[] = [];
  if (env.XDG_RUNTIME_DIR) out.push(path.join(env.XDG_RUNTIME_DIR, 'tsbgp'));
  out.push('/run/tsbgp', path.join(os.tmpdir(), `tsbgp-${myUid()}`));
  return out;
}

/**
 * The control socket's file name for a configuration: the file's name, so that `ls` tells them apart, and a hash
 * of its full path, so that two configurations of the same name in different folders do not meet.
 */
export function socketName(configFile: string): string {
  let full = path.resolve(configFile);
  try {
    full = fs.realpathSync(full);
  } catch {
    // not there (yet): the resolved path names it
  }
  const base =
    path
      .basename(full)
      .replace(/\.conf$/, '')
      .replace(/[^A-Za-z0-9._-]/g, '_')
      .slice(0, 40) || 'tsbgp';
  return `${base}-${createHash('sha256').update(full).digest('hex').slice(0, 8)}.sock`;
}

/** Make `dir` (mode 0700) unless it exists; why it cannot hold our socket, or null. */
function privateFolder(dir: string): string | null {
  try {
    fs.mkdirSync(dir, { mode: 0o700 });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') return `${dir}: ${(e as Error).message}`;
  }
  if (!fs.lstatSync(dir).isDirectory()) return `${dir} is not a folder`;
  const why = folderRefusal(dir, [myUid()]);
  if (why) return why;
  try {
    fs.accessSync(dir, fs.constants.W_OK | fs.constants.X_OK);
  } catch {
    return `${dir} is not writable by ${userName(myUid())}`;
  }
  return null;
}

/**
 * Where `tsbgp run CONF` listens when no --socket is given: TSBGP_SOCKET, else CONF's socket (socketName) in the
 * first of socketFolders() that is private: owned by root or us, writable by nobody else (made 0700 when
 * missing). Never a name in a folder every user can write to, where another user could bind it first.
 */
export function daemonSocketPath(configFile: string, env: NodeJS.ProcessEnv = process.env): string {
  const fromEnv = socketFromEnv(env);
  if (fromEnv) return fromEnv;
  const problems: string[] = [];
  for (const dir of socketFolders(env)) {
    const why = privateFolder(dir);
    if (!why) return path.join(dir, socketName(configFile));
    problems.push(why);
  }
  throw new Error(
    `no private folder for the control socket (${problems.join('; ')}): set XDG_RUNTIME_DIR or give --socket PATH`,
  );
}

/** The control sockets in `dir` (none when it is missing). */
function socketsIn(dir: string): string[] {
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return [];
  }
  return names
    .filter((n) => n.endsWith('.sock'))
    .map((n) => path.join(dir, n))
    .filter((p) => {
      try {
        return fs.lstatSync(p).isSocket();
      } catch {
        return false;
      }
    })
    .sort();
}

/**
 * The sockets `tsbgp cli` may mean, best first: TSBGP_SOCKET; else, given the daemon's configuration, its socket
 * in the first folder that has it; else every socket of the first folder that has any (one daemon: the answer).
 * `looked`: the folders searched, for the message when nothing is found.
 */
export function cliSockets(
  configFile?: string,
  env: NodeJS.ProcessEnv = process.env,
): { sockets: string[]; looked: string[] } {
  const fromEnv = socketFromEnv(env);
  if (fromEnv) return { sockets: [fromEnv], looked: [] };
  const looked = socketFolders(env);
  for (const dir of looked) {
    if (configFile !== undefined) {
      const p = path.join(dir, socketName(configFile));
      if (socketsIn(dir).includes(p)) return { sockets: [p], looked };
      continue;
    }
    const found = socketsIn(dir);
    if (found.length > 0) return { sockets: found, looked };
  }
  return { sockets: [], looked };
}

/**
 * Why `tsbgp cli` must not talk to the socket at `p`, or null. Whoever bound it receives the commands and writes
 * the answers printed as the daemon's: it must be owned by root or the caller, in a folder nobody else can
 * replace it in; or be the socket of a service user, in a folder below /run owned by that user (as systemd's
 * RuntimeDirectory= makes it, /run/tsbgp or /run/tsbgp/NAME: only root creates folders in /run) with nothing
 * above it writable by anyone else.
 */
export function socketRefusal(p: string): string | null {
  let st: fs.Stats;
  try {
    st = fs.lstatSync(p);
  } catch {
    return null; // nothing there: connecting says so
  }
  if (!st.isSocket()) return `${p} is not a socket`;
  const me = myUid();
  const dir = path.dirname(p);
  if (st.uid === 0 || st.uid === me) return folderRefusal(dir, [me], 'all');
  let realDir = dir;
  try {
    realDir = fs.realpathSync(dir);
  } catch {
    // refused below
  }
  // Below /run (not a user's /run/user/UID), in a folder of the socket's user, with nothing above it that anyone
  // but root or that user may write to, sticky or not.
  const service =
    realDir.startsWith('/run/') &&
    !realDir.startsWith('/run/user/') &&
    fs.statSync(realDir).uid === st.uid &&
    !folderRefusal(realDir, [st.uid], 'none');
  if (service) return null;
  return `${p} is owned by ${userName(st.uid)}, not by root or you (${userName(me)})`;
}

export interface ControlServerOptions {
  /** See daemonSocketPath() for the default `tsbgp run` uses. */
  socketPath: string;
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
    this.socketPath = opts.socketPath;
    this.handler = opts.handler;
    this.log = opts.log ?? (() => undefined);
    this.mode = opts.mode ?? 0o600;
  }

  async listen(): Promise<void> {
    await removeStaleSocket(this.socketPath);
    fs.mkdirSync(path.dirname(this.socketPath), { recursive: true, mode: 0o700 });
    const server = net.createServer((sock) => this.serve(sock));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      // The socket is made with our mode from the start (bind happens within listen()), not made with the
      // umask's and narrowed afterwards: in between, anyone the umask let in could connect.
      const umask = process.umask(0o777 & ~this.mode);
      try {
        server.listen(this.socketPath, () => {
          server.off('error', reject);
          resolve();
        });
      } finally {
        process.umask(umask);
      }
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

/** Whether something accepts connections on the unix socket `p` (nothing is sent). */
export function isListening(p: string): Promise<boolean> {
  return new Promise<boolean>((resolve) => {
    const c = net.connect(p);
    c.once('connect', () => {
      c.destroy();
      resolve(true);
    });
    c.once('error', () => resolve(false));
  });
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
  if (await isListening(p)) throw new Error(`another daemon is listening on ${p}`);
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

/**
 * Why the named pipes of `dir` must not be used, or null: whoever can write to them gives the daemon orders, so
 * the folder (and those above it) and both FIFOs must be owned by root or the daemon's user and not writable by
 * group or others (ownership.ts). A symbolic link is refused: what it points to is what would be opened.
 */
export function pipesRefusal(dir: string, pipename: string): string | null {
  const owners = [myUid()];
  const folder = folderRefusal(dir, owners);
  if (folder) return folder;
  for (const p of [path.join(dir, `${pipename}.in`), path.join(dir, `${pipename}.out`)]) {
    const st = fs.lstatSync(p);
    if (!st.isFIFO()) return `${p} is not a named pipe itself (a symbolic link?)`;
    const why = refusal(st, `named pipe ${p}`, owners);
    if (why) return why;
  }
  return null;
}

/**
 * The first folder holding both PIPENAME.in and PIPENAME.out as FIFOs that may be trusted (pipesRefusal), or
 * null. Folders holding pipes that may not are skipped, each reported to `refused` with the reason.
 */
export function findNamedPipes(
  pipename = 'exabgp',
  root = '',
  locations = pipeSearchLocations(root),
  refused: (reason: string) => void = () => undefined,
): string | null {
  const seen = new Set<string>();
  for (const dir of locations) {
    if (!isFifo(path.join(dir, `${pipename}.in`)) || !isFifo(path.join(dir, `${pipename}.out`))) continue;
    // /var/run is /run on most systems: the same pipes, judged and reported once.
    const real = fs.realpathSync(dir);
    if (seen.has(real)) continue;
    seen.add(real);
    const why = pipesRefusal(dir, pipename);
    if (!why) return dir;
    refused(`named pipes in ${dir} refused: ${why}`);
  }
  return null;
}

/** Open a FIFO and check, on what was opened, that it is one the daemon may trust; throws when not. */
function openTrustedFifo(p: string, flags: number): number {
  const fd = fs.openSync(p, flags | fs.constants.O_NOFOLLOW);
  const st = fs.fstatSync(fd);
  const why = st.isFIFO() ? refusal(st, `named pipe ${p}`, [myUid()]) : `${p} is not a named pipe`;
  if (why) {
    fs.closeSync(fd);
    throw new Error(why);
  }
  return fd;
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
    const why = pipesRefusal(path.dirname(this.inPath), path.basename(this.inPath, '.in'));
    if (why) throw new Error(`named pipes refused: ${why}`);
    // Read-write, so the FIFO never reports end-of-file when a cli closes its end (we are a writer too).
    const fd = openTrustedFifo(this.inPath, fs.constants.O_RDWR | fs.constants.O_NONBLOCK);
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
        fd = openTrustedFifo(this.outPath, fs.constants.O_WRONLY | fs.constants.O_NONBLOCK);
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
