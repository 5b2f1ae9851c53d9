// `tsbgp validate [--env FILE] CONF...`: parse and check configurations, start nothing.
// The checks are the daemon's own start-up checks (daemon/startup.ts), so a configuration the daemon would
// refuse (an unsupported family for a route, a rule matching BGP itself, an unclosed section...) fails here
// first, with the file:line:col of the cause, and the exit code is 1. tsbgp.flowspec.guard=warn makes the guard's
// refusals warnings, as in the daemon.

import { EnvError, loadEnv } from '../config/env';
import { ConfigRefused, loadConfiguration } from '../daemon/startup';

const USAGE = 'usage: tsbgp validate [--env FILE] [--no-program-check] CONFIGURATION...\n';

export async function run(args: string[]): Promise<number> {
  let envFile: string | undefined;
  let checkPrograms = true;
  const files: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === '--env' || a === '-e') {
      envFile = args[++i];
      if (envFile === undefined) {
        process.stderr.write(USAGE);
        return 2;
      }
    } else if (a.startsWith('--env=')) envFile = a.slice(6);
    else if (a === '--no-program-check') checkPrograms = false;
    else if (a === '-h' || a === '--help') {
      process.stdout.write(USAGE);
      return 0;
    } else if (a.startsWith('-')) {
      process.stderr.write(`tsbgp validate: unknown option ${a}\n${USAGE}`);
      return 2;
    } else files.push(a);
  }
  if (files.length === 0) {
    process.stderr.write(USAGE);
    return 2;
  }
  let env: ReturnType<typeof loadEnv>;
  try {
    env = loadEnv({ file: envFile });
  } catch (e) {
    if (e instanceof EnvError) {
      process.stderr.write(`${e.message}\n`);
      return 1;
    }
    throw e;
  }
  let failed = false;
  for (const f of files) {
    try {
      const { config: c, warnings } = loadConfiguration(f, { checkPrograms, flowspec: env.flowspec });
      for (const w of warnings) process.stderr.write(`${w}\n`);
      let routes = 0;
      let flows = 0;
      let vpls = 0;
      let evpn = 0;
      for (const n of c.neighbors) {
        routes += n.routes.length;
        flows += n.flows.length;
        vpls += n.vpls.length;
        evpn += n.evpn.length;
      }
      process.stdout.write(
        `${f}: ok, ${c.neighbors.length} neighbor${c.neighbors.length === 1 ? '' : 's'}, ${c.processes.size} process${c.processes.size === 1 ? '' : 'es'}, ${routes} route${routes === 1 ? '' : 's'}, ${flows} flow route${flows === 1 ? '' : 's'}${vpls > 0 ? `, ${vpls} vpls route${vpls === 1 ? '' : 's'}` : ''}${evpn > 0 ? `, ${evpn} evpn route${evpn === 1 ? '' : 's'}` : ''}\n`,
      );
    } catch (e) {
      if (!(e instanceof ConfigRefused)) throw e;
      for (const x of e.errors) process.stderr.write(`${x}\n`);
      failed = true;
    }
  }
  return failed ? 1 : 0;
}
