// `tsbgp healthcheck [options]`: the ExaBGP-compatible health check, to be run as an API process
// (`process watch-web { run tsbgp healthcheck --cmd "curl -sf http://127.0.0.1/" --ip 192.0.2.1; }`).
// See src/roles/healthcheck.ts for the behaviour; this file wires it to the real process.

import * as fs from 'node:fs';
import { FACILITIES, type SyslogSink, syslogSink } from '../daemon/syslog';
import {
  HEALTHCHECK_USAGE,
  Healthcheck,
  type HealthcheckIO,
  type HealthcheckOptions,
  hostsOf,
  loopbackAddresses,
  parseHealthcheckArgs,
  removeLoopback,
  runCheck,
  runExecute,
  setupLoopback,
} from '../roles/healthcheck';

/** Reads stdin line by line on demand: each call resolves the next line, null at end of input. */
class LineReader {
  private buf = '';
  private lines: string[] = [];
  private waiting: ((l: string | null) => void) | null = null;
  private ended = false;

  /** discard: acks are not awaited (--no-ack), so lines are read and dropped instead of piling up. */
  constructor(
    stream: NodeJS.ReadableStream,
    private readonly discard: boolean,
  ) {
    stream.setEncoding('utf8');
    stream.on('data', (s: string | Buffer) => {
      this.buf += String(s);
      let nl: number;
      while ((nl = this.buf.indexOf('\n')) >= 0) {
        const line = this.buf.slice(0, nl).replace(/\r$/, '');
        this.buf = this.buf.slice(nl + 1);
        this.push(line);
      }
    });
    stream.on('end', () => {
      this.ended = true;
      if (this.waiting) {
        const w = this.waiting;
        this.waiting = null;
        w(null);
      }
    });
    stream.on('error', () => undefined);
  }

  private push(line: string): void {
    if (this.discard) return;
    if (this.waiting) {
      const w = this.waiting;
      this.waiting = null;
      w(line);
    } else this.lines.push(line);
  }

  next(): Promise<string | null> {
    if (this.lines.length > 0) return Promise.resolve(this.lines.shift()!);
    if (this.ended) return Promise.resolve(null);
    return new Promise((resolve) => {
      this.waiting = resolve;
    });
  }
}

/** The current parent PID (process.ppid is fixed at startup in Node); Linux reads /proc, elsewhere unknown. */
function currentPpid(): number | null {
  try {
    const stat = fs.readFileSync('/proc/self/stat', 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[1]);
  } catch {
    return null;
  }
}

export async function run(args: string[]): Promise<number> {
  if (args.includes('-h') || args.includes('--help')) {
    process.stdout.write(HEALTHCHECK_USAGE);
    return 0;
  }
  let o: HealthcheckOptions;
  try {
    o = parseHealthcheckArgs(args);
  } catch (err) {
    process.stderr.write(
      `${HEALTHCHECK_USAGE}\ntsbgp healthcheck: error: ${err instanceof Error ? err.message : String(err)}\n`,
    );
    return 2;
  }

  // As ExaBGP's healthcheck (setup_logging): to syslog with --syslog-facility (default daemon) as
  // `healthcheck[PID]:` (`healthcheck-NAME` with --name), unless --no-syslog or --debug; to the console as
  // LEVEL[healthcheck] message when stderr is a terminal and not --silent. tsbgp also writes to stderr (which
  // the daemon passes on to its log) when syslog is off, where ExaBGP's would log nowhere.
  const tag = o.name ? `healthcheck-${o.name}` : 'healthcheck';
  const facility = FACILITIES.get(o.syslogFacility.toLowerCase());
  if (facility === undefined) {
    process.stderr.write(
      `${HEALTHCHECK_USAGE}\ntsbgp healthcheck: error: unknown syslog facility ${o.syslogFacility}\n`,
    );
    return 2;
  }
  let syslog: SyslogSink | null = null;
  let syslogError = '';
  if (!o.noSyslog && !o.debug) {
    try {
      syslog = syslogSink('syslog', { facility, ident: tag });
    } catch (err) {
      syslogError = err instanceof Error ? err.message : String(err);
    }
  }
  const toConsole = !o.silent && (process.stderr.isTTY === true || syslog === null);
  const log: HealthcheckIO['log'] = (level, message) => {
    if (level === 'debug' && !o.debug) return;
    syslog?.send(level, message);
    if (toConsole) process.stderr.write(`${level.toUpperCase()}[${tag}] ${message}\n`);
  };
  if (syslogError) log('warning', `cannot log to syslog: ${syslogError}`);

  try {
    if (o.pid) fs.writeFileSync(o.pid, `${process.pid}\n`);
    if (o.ips.length === 0) o.ips = await loopbackAddresses(o.label, false);
    if (o.ips.length === 0) {
      log('error', 'No IP found');
      return 1;
    }
    if (o.ipSetup) await setupLoopback(o.ips, o.label, o.sudo, log);
    if (o.group !== undefined && process.setgid) process.setgid(o.group);
    if (o.user !== undefined && process.setuid) process.setuid(o.user);
    if (o.deaggregateNetworks) o.ips = o.ips.flatMap((n) => hostsOf(n));
    if (o.ips.length > 0 && o.startIp) {
      // Python deque.rotate(-n): the list starts at index n (modulo its length).
      const k = ((o.startIp % o.ips.length) + o.ips.length) % o.ips.length;
      o.ips = [...o.ips.slice(k), ...o.ips.slice(0, k)];
    }
  } catch (err) {
    log('error', `Uncaught exception: ${err instanceof Error ? err.message : String(err)}`);
    return 1;
  }

  const reader = new LineReader(process.stdin, o.noAck);
  const initialPpid = process.ppid;
  const timers = new Set<NodeJS.Timeout>();
  const io: HealthcheckIO = {
    check: (cmd, timeout) => runCheck(cmd, timeout, log),
    exists: (f) => fs.existsSync(f),
    write: (line) => process.stdout.write(line + '\n'),
    readAck: () => reader.next(),
    sleep: (s) =>
      new Promise<void>((r) => {
        const t = setTimeout(() => {
          timers.delete(t);
          r();
        }, s * 1000);
        timers.add(t);
      }),
    execute: (cmd, state) => runExecute(cmd, state),
    log,
    interactive: process.stdout.isTTY === true,
    orphaned: () => initialPpid !== 1 && currentPpid() === 1,
    setupIps: () => setupLoopback(o.ips, o.label, o.sudo, log),
    removeIps: () => removeLoopback(o.ips, o.label, o.sudo, log),
  };
  const hc = new Healthcheck(o, io);
  const onSignal = (): void => hc.stop();
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  try {
    const code = await hc.run();
    return code;
  } catch (err) {
    log('error', `Uncaught exception: ${err instanceof Error ? err.message : String(err)}`);
    return 1;
  } finally {
    // Nothing may keep the process alive once the loop is over: a pending sleep, or stdin.
    for (const t of timers) clearTimeout(t);
    process.stdin.destroy();
    process.off('SIGTERM', onSignal);
    process.off('SIGINT', onSignal);
    syslog?.close();
  }
}
