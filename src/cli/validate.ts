// `tsbgp validate [--env FILE] CONF...`: parse and check configurations, start nothing.
// Flow routes are built and run through the FlowSpec guard exactly as the daemon does at start-up, so a
// configuration the daemon would refuse (a rule matching BGP itself, a wildcard destination...) fails here
// first, with the file:line:col of the route.

import { EnvError, loadEnv } from '../config/env';
import { flowFindings } from '../config/flow-check';
import { parseConfigFile } from '../config/parser';
import { ConfigError } from '../config/tokenizer';

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
  try {
    loadEnv({ file: envFile });
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
      const c = parseConfigFile(f, { checkPrograms });
      for (const w of c.warnings) process.stderr.write(`${w}\n`);
      const findings = flowFindings(c);
      for (const x of findings) process.stderr.write(`${x.text}\n`);
      if (findings.some((x) => x.severity === 'error')) {
        failed = true;
        continue;
      }
      let routes = 0;
      let flows = 0;
      for (const n of c.neighbors) {
        routes += n.routes.length;
        flows += n.flows.length;
      }
      process.stdout.write(
        `${f}: ok, ${c.neighbors.length} neighbor${c.neighbors.length === 1 ? '' : 's'}, ${c.processes.size} process${c.processes.size === 1 ? '' : 'es'}, ${routes} route${routes === 1 ? '' : 's'}, ${flows} flow route${flows === 1 ? '' : 's'}\n`,
      );
    } catch (e) {
      if (e instanceof ConfigError) {
        process.stderr.write(`${e.message}\n`);
        failed = true;
        continue;
      }
      throw e;
    }
  }
  return failed ? 1 : 0;
}
