// A tsbgp daemon as a child process for the FlowSpec and RTBH interop tests: configuration file, control
// socket, log, and the real `tsbgp cli` / `tsbgp validate` commands. Every child is a ManagedProcess, so the
// harness kills it on exit whatever the test outcome.

import * as fs from 'node:fs';
import * as path from 'node:path';
import type { CommandResult } from '../../src/api/control';
import { RECORDER_JS, readJsonLines, TSBGP, TsbgpChild } from '../support/tsbgp';
import { type CmdResult, runCmd } from './peers/common';

export { RECORDER_JS, REPO, readJsonLines as jsonLines, TSBGP } from '../support/tsbgp';

export class Tsbgp extends TsbgpChild {
  constructor(
    readonly dir: string,
    config: string,
    name = 'tsbgp',
  ) {
    super({ dir, name, config });
  }

  /** The configuration file. */
  get conf(): string {
    return this.confFile;
  }

  /** One command over the control socket. */
  command(line: string): Promise<CommandResult> {
    return this.send(line, 10_000);
  }

  /** One command over the control socket that must be answered `done` (else the test fails, saying why). */
  async done(line: string): Promise<void> {
    const r = await this.command(line);
    if (r.answer !== 'done') throw new Error(`${line}: ${JSON.stringify(r)}`);
  }

  /** The real command-line client: `tsbgp cli --socket S COMMAND`. */
  cli(line: string): Promise<CmdResult> {
    return this.runCli(line, 15_000);
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

/** A neighbor block: tsbgp connects to the peer's port; extra lines go inside. */
export function neighbor(o: {
  peer: string;
  port: number;
  local: string;
  localAs: number;
  peerAs: number;
  body: string[];
}): string {
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

/**
 * A `process recorder` block whose program appends every event line to `events` (recorder.js written in `dir`),
 * and the `api { }` lines that subscribe a neighbor to received UPDATEs.
 */
export function recorder(dir: string, events: string): { process: string[]; api: string[] } {
  const js = path.join(dir, 'recorder.js');
  fs.writeFileSync(js, RECORDER_JS);
  return {
    process: ['process recorder {', `  run ${process.execPath} ${js} ${events};`, '  encoder json;', '}'],
    api: ['api {', '  processes [ recorder ];', '  receive { parsed; update; }', '}'],
  };
}

/**
 * The NLRI of `family` (ExaBGP's name, "l2vpn evpn") that the recorder's events announced (under any next hop)
 * or withdrew, in the order received.
 */
export function recordedNlri(events: string, kind: 'announce' | 'withdraw', family: string): Record<string, any>[] {
  return readJsonLines(events).flatMap((e) => {
    const part = e.neighbor?.message?.update?.[kind]?.[family];
    if (!part) return [];
    return kind === 'announce' ? Object.values(part).flat() : part;
  });
}
