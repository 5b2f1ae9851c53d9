// Plumbing for the end-to-end tests: tsbgp daemons as real child processes (bin/tsbgp.js run), each with
// its own loopback address, configuration file and control socket, plus the small API programs the tests
// give them (an event recorder and a command player). Every child is a ManagedProcess, so the harness kills
// it on exit whatever the test outcome.

import * as fs from 'node:fs';
import * as path from 'node:path';
import type { CommandResult } from '../../src/api/control';
import { makeTempDir } from '../interop/peers/common';
import { TsbgpChild } from '../support/tsbgp';

export { NODE, RECORDER_JS, REPO, readJsonLines, TSBGP, tsbgpCli } from '../support/tsbgp';

export interface TsbgpOptions {
  name: string;
  /** Configuration text; written to DIR/NAME.conf. */
  config: string;
  /** exabgp.* / tsbgp.* settings passed through the environment. */
  env?: Record<string, string>;
  dir: string;
  debug?: boolean;
}

export class TsbgpDaemon extends TsbgpChild {
  constructor(readonly opts: TsbgpOptions) {
    super({
      dir: opts.dir,
      name: opts.name,
      config: opts.config,
      procName: `tsbgp-${opts.name}`,
      env: opts.env,
      runArgs: opts.debug ? ['--debug'] : [],
      commandTimeoutMs: 30_000,
    });
  }

  /** Wait until the control socket answers `version`. */
  override ready(timeoutMs = 10_000): Promise<void> {
    return super.ready(timeoutMs, `tsbgp ${this.opts.name} control socket`);
  }

  cli(command: string, timeoutMs = 30_000): Promise<CommandResult> {
    return this.send(command, timeoutMs);
  }
}

export async function startTsbgp(opts: TsbgpOptions): Promise<TsbgpDaemon> {
  const d = new TsbgpDaemon(opts);
  await d.ready();
  return d;
}

/**
 * An API program that plays COMMANDS (one per line) once its neighbor is up: it waits for a JSON
 * \`"state": "up"\` event, then writes one command, reads the lines up to the ack (\`done\`/\`error\`), records
 * {command, lines, answer} in RESULTS (JSON lines), and goes on. A line \`#sleep MS\` pauses. It then keeps
 * reading so it sees the events that follow, all of which land in EVENTS.
 */
export const PLAYER_JS = `'use strict';
const fs = require('fs');
const [cmdFile, resFile, evFile] = process.argv.slice(2);
const cmds = fs.readFileSync(cmdFile, 'utf8').split('\\n').filter((l) => l.trim() !== '');
const res = fs.openSync(resFile, 'a');
const ev = fs.openSync(evFile, 'a');
let buf = '', up = false, waiting = null, lines = [], i = 0;
function next() {
  if (i >= cmds.length) { fs.writeSync(res, JSON.stringify({ finished: true }) + '\\n'); return; }
  const c = cmds[i++];
  const m = /^#sleep (\\d+)$/.exec(c);
  if (m) { setTimeout(next, Number(m[1])); return; }
  waiting = c; lines = [];
  process.stdout.write(c + '\\n');
}
process.stdin.on('data', (d) => {
  buf += d;
  let k;
  while ((k = buf.indexOf('\\n')) >= 0) {
    const l = buf.slice(0, k); buf = buf.slice(k + 1);
    fs.writeSync(ev, l + '\\n');
    if (!up && l.startsWith('{') && /"state": *"up"/.test(l)) { up = true; next(); continue; }
    if (waiting === null || l.startsWith('{ "exabgp"') || l.startsWith('{"exabgp"')) continue;
    if (l === 'done' || l === 'error') {
      fs.writeSync(res, JSON.stringify({ command: waiting, lines, answer: l }) + '\\n');
      waiting = null; next();
    } else lines.push(l);
  }
});
process.stdin.on('end', () => process.exit(0));
`;

export function writeScript(dir: string, name: string, text: string): string {
  const p = path.join(dir, name);
  fs.writeFileSync(p, text, { mode: 0o755 });
  return p;
}

export function e2eDir(prefix: string): string {
  return makeTempDir(`e2e-${prefix}`);
}

/** Neighbor block text for a back-to-back pair. */
export function neighborBlock(o: {
  peer: string;
  local: string;
  localAs: number;
  peerAs: number;
  passive?: boolean;
  connect?: number;
  holdTime?: number;
  extra?: string[];
}): string {
  const l = [
    `neighbor ${o.peer} {`,
    `  router-id ${o.local};`,
    `  local-address ${o.local};`,
    `  local-as ${o.localAs};`,
    `  peer-as ${o.peerAs};`,
  ];
  if (o.holdTime !== undefined) l.push(`  hold-time ${o.holdTime};`);
  if (o.passive) l.push('  passive;');
  if (o.connect !== undefined) l.push(`  connect ${o.connect};`);
  for (const x of o.extra ?? []) l.push(`  ${x}`);
  l.push('}');
  return l.join('\n');
}

/**
 * The receiving side of a test against a raw sender: AS 65002 on `at`, passive and listening there, for a peer of
 * AS 65001 at `peer`, IPv4 unicast only.
 */
export function passiveIpv4Neighbor(
  peer: string,
  at: { address: string; port: number },
  extra: string[] = [],
  holdTime?: number,
): string {
  return neighborBlock({
    peer,
    local: at.address,
    localAs: 65002,
    peerAs: 65001,
    passive: true,
    holdTime,
    extra: [`listen ${at.port};`, 'family {', '  ipv4 unicast;', '}', ...extra],
  });
}

/**
 * A memory figure of a PID's /proc status (VmRSS, VmHWM) in KiB. A figure that cannot be read throws: a memory
 * bound checked against a failed measurement (0) would always hold.
 */
function statusKiB(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const m = new RegExp(`${field}:\\s+(\\d+) kB`).exec(status);
  if (!m || Number(m[1]) <= 0) throw new Error(`no ${field} in /proc/${pid}/status`);
  return Number(m[1]);
}

/** Resident set size of a PID in KiB. */
export const rssKiB = (pid: number): number => statusKiB(pid, 'VmRSS');

/** Peak resident set size (VmHWM) of a PID in KiB. */
export const peakRssKiB = (pid: number): number => statusKiB(pid, 'VmHWM');
