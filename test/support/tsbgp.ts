// The part every test launcher of the tsbgp daemon shares: `bin/tsbgp.js run` as a child process with its
// configuration file, a private control socket and a log, readiness by the control socket, commands over that
// socket or through the real `tsbgp cli` client, stop by PID, and reading the JSON events an API process
// recorded. test/e2e/launch.ts, test/interop/tsbgp-launch.ts and test/interop/tsbgp-daemon.ts build on it.
// The child is a ManagedProcess, so the harness kills it on exit whatever the test outcome.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { type CommandResult, sendCommand } from '../../src/api/control';
import { type CmdResult, ManagedProcess, runCmd, waitFor } from '../interop/peers/common';

/** The repository root (dist/test/support -> ../../..). */
export const REPO = path.resolve(__dirname, '..', '..', '..');
export const TSBGP = path.join(REPO, 'bin', 'tsbgp.js');
export const NODE = process.execPath;

/**
 * An API program that appends every line it reads from stdin to FILE (argv[2]), flushing per chunk, and never
 * stops reading (so the daemon never has to buffer for it).
 */
export const RECORDER_JS = `'use strict';
const fs = require('fs');
const out = fs.openSync(process.argv[2], 'a');
process.stdin.on('data', (d) => fs.writeSync(out, d));
process.stdin.on('end', () => process.exit(0));
`;

/** JSON objects among the lines of a file (other lines and a partial last line skipped; no file: none). */
export function readJsonLines(file: string): Record<string, any>[] {
  let text = '';
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return [];
  }
  const out: Record<string, any>[] = [];
  for (const l of text.split('\n')) {
    if (!l.startsWith('{')) continue;
    try {
      out.push(JSON.parse(l) as Record<string, any>);
    } catch {
      // a line still being written
    }
  }
  return out;
}

/** The real command-line client as a child process: `tsbgp cli --socket SOCKET COMMAND`. */
export function tsbgpCli(socket: string, command: string, timeoutMs = 30_000): Promise<CmdResult> {
  return runCmd(NODE, [TSBGP, 'cli', '--socket', socket, command], timeoutMs);
}

/** The neighbors' states from the lines of `show neighbor json`. */
export function neighborStates(lines: string[]): { 'peer-address': string; state: string }[] {
  return JSON.parse(lines.join('')) as { 'peer-address': string; state: string }[];
}

export interface TsbgpChildOptions {
  dir: string;
  /** Files are DIR/NAME.conf, DIR/NAME.sock and DIR/NAME.log. */
  name: string;
  /** Configuration text, written to DIR/NAME.conf before the daemon starts. */
  config: string;
  /** The ManagedProcess name (default NAME). */
  procName?: string;
  /** Settings passed through the environment, over `exabgp.log.destination=stderr`. */
  env?: Record<string, string>;
  /** Options of `tsbgp run` before the configuration file. */
  runArgs?: string[];
  /** Default time limit of send() (default 10 s). */
  commandTimeoutMs?: number;
}

export class TsbgpChild {
  readonly proc: ManagedProcess;
  readonly socket: string;
  readonly confFile: string;
  readonly logFile: string;
  private readonly commandTimeoutMs: number;

  constructor(o: TsbgpChildOptions) {
    this.commandTimeoutMs = o.commandTimeoutMs ?? 10_000;
    this.socket = path.join(o.dir, `${o.name}.sock`);
    this.confFile = path.join(o.dir, `${o.name}.conf`);
    this.logFile = path.join(o.dir, `${o.name}.log`);
    fs.writeFileSync(this.confFile, o.config);
    const args = [TSBGP, 'run', '--socket', this.socket, ...(o.runArgs ?? []), this.confFile];
    const env = { ...process.env, 'exabgp.log.destination': 'stderr', ...(o.env ?? {}) };
    this.proc = new ManagedProcess(o.procName ?? o.name, NODE, args, this.logFile, env, o.dir);
  }

  get pid(): number {
    return this.proc.pid;
  }

  /** Wait until the control socket answers `version`; fails at once if the daemon exits. */
  async ready(timeoutMs = 10_000, what = 'tsbgp control socket'): Promise<void> {
    await waitFor(
      async () => {
        if (!this.proc.running) throw new Error(this.proc.describeExit());
        return fs.existsSync(this.socket) && (await sendCommand(this.socket, 'version', 2000)).answer === 'done';
      },
      timeoutMs,
      what,
    );
  }

  /** One command over the control socket, in-process. */
  send(command: string, timeoutMs = this.commandTimeoutMs): Promise<CommandResult> {
    return sendCommand(this.socket, command, timeoutMs);
  }

  /** One command through the real client, `tsbgp cli`. */
  runCli(command: string, timeoutMs = 15_000): Promise<CmdResult> {
    return tsbgpCli(this.socket, command, timeoutMs);
  }

  /** Is the session to `peer` Established, by `show neighbor json`? */
  async established(peer: string): Promise<boolean> {
    const list = neighborStates((await this.send('show neighbor json')).lines);
    return list.some((n) => n['peer-address'] === peer && n.state === 'established');
  }

  log(): string {
    return this.proc.log();
  }

  /** SIGTERM by PID (the daemon sends Cease and exits), SIGKILL after a grace period. */
  stop(): Promise<void> {
    return this.proc.stop();
  }
}
