// A tsbgp daemon as a child process for the FlowSpec and RTBH interop tests: configuration file, control
// socket, log, and the real `tsbgp cli` / `tsbgp validate` commands. Every child is a ManagedProcess, so the
// harness kills it on exit whatever the test outcome.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ManagedProcess, runCmd, waitFor, type CmdResult } from './peers/common';
import { sendCommand, type CommandResult } from '../../src/api/control';

/** The repository root (dist/test/interop -> ../../..). */
export const REPO = path.resolve(__dirname, '..', '..', '..');
export const TSBGP = path.join(REPO, 'bin', 'tsbgp.js');

export class Tsbgp {
  readonly proc: ManagedProcess;
  readonly socket: string;
  readonly conf: string;

  constructor(readonly dir: string, config: string, name = 'tsbgp') {
    this.socket = path.join(dir, `${name}.sock`);
    this.conf = path.join(dir, `${name}.conf`);
    fs.writeFileSync(this.conf, config);
    const env = { ...process.env, 'exabgp.log.destination': 'stderr' };
    this.proc = new ManagedProcess(name, process.execPath, [TSBGP, 'run', '--socket', this.socket, this.conf], path.join(dir, `${name}.log`), env, dir);
  }

  /** Wait for the control socket to answer. */
  async ready(): Promise<void> {
    await waitFor(
      async () => {
        if (!this.proc.running) throw new Error(this.proc.describeExit());
        return fs.existsSync(this.socket) && (await sendCommand(this.socket, 'version', 2000)).answer === 'done';
      },
      10_000,
      'tsbgp control socket',
    );
  }

  /** One command over the control socket. */
  command(line: string): Promise<CommandResult> {
    return sendCommand(this.socket, line, 10_000);
  }

  /** The real command-line client: `tsbgp cli --socket S COMMAND`. */
  cli(line: string): Promise<CmdResult> {
    return runCmd(process.execPath, [TSBGP, 'cli', '--socket', this.socket, line], 15_000);
  }

  async established(peer: string): Promise<boolean> {
    const r = await this.command('show neighbor json');
    const list = JSON.parse(r.lines.join('')) as { 'peer-address': string; state: string }[];
    return list.some((n) => n['peer-address'] === peer && n.state === 'established');
  }

  log(): string {
    return this.proc.log();
  }

  stop(): Promise<void> {
    return this.proc.stop();
  }
}

export async function startTsbgp(dir: string, config: string): Promise<Tsbgp> {
  const t = new Tsbgp(dir, config);
  await t.ready();
  return t;
}

/** `tsbgp validate FILE`. */
export function validate(file: string): Promise<CmdResult> {
  return runCmd(process.execPath, [TSBGP, 'validate', '--no-program-check', file], 15_000);
}

/** An API program that appends every line it reads to FILE and never stops reading. */
export const RECORDER_JS = `'use strict';
const fs = require('fs');
const out = fs.openSync(process.argv[2], 'a');
process.stdin.on('data', (d) => fs.writeSync(out, d));
process.stdin.on('end', () => process.exit(0));
`;

/** JSON objects among the lines of a file (other lines and a partial last line skipped). */
export function jsonLines(file: string): Record<string, any>[] {
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

/** A neighbor block: tsbgp connects to the peer's port; extra lines go inside. */
export function neighbor(o: { peer: string; port: number; local: string; localAs: number; peerAs: number; body: string[] }): string {
  return [
    `neighbor ${o.peer} {`,
    `  router-id ${o.local};`,
    `  local-address ${o.local};`,
    `  local-as ${o.localAs};`,
    `  peer-as ${o.peerAs};`,
    `  connect ${o.port};`,
    '  hold-time 30;',
    ...o.body.map((l) => `  ${l}`),
    '}',
  ].join('\n');
}
