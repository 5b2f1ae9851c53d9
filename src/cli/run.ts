// `tsbgp CONF` / `tsbgp run [--env FILE] [--socket PATH] CONF`: the daemon in the foreground.
// Signals as ExaBGP 4.2 handles them (daemon/signals.ts): SIGTERM, SIGHUP and SIGINT shut down with a Cease to
// every peer, SIGUSR1 reloads the configuration, SIGUSR2 also restarts the processes, SIGALRM restarts.

import { daemonSocketPath } from '../api/control';
import { loadEnv } from '../config/env';
import { Daemon } from '../daemon/daemon';
import { Logger, levelFromSyslog, sinkFor } from '../daemon/log';
import { handleSignals } from '../daemon/signals';

const USAGE = 'usage: tsbgp run [--env FILE] [--socket PATH|--no-socket] [--debug] CONF\n';

export async function run(args: string[]): Promise<number> {
  let envFile: string | undefined;
  let socket: string | undefined;
  let debug = false;
  let conf: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--env' || a === '-e') envFile = args[++i];
    else if (a === '--socket') socket = args[++i];
    else if (a === '--no-socket') socket = '';
    else if (a === '--debug' || a === '-d') debug = true;
    else if (a === '-h' || a === '--help') {
      process.stdout.write(USAGE);
      return 0;
    } else if (a.startsWith('-')) {
      process.stderr.write(`tsbgp: unknown option ${a}\n${USAGE}`);
      return 2;
    } else conf = a;
  }
  if (!conf) {
    process.stderr.write(USAGE);
    return 2;
  }
  let env: ReturnType<typeof loadEnv>;
  try {
    env = loadEnv({ file: envFile });
  } catch (e) {
    process.stderr.write(`tsbgp: ${(e as Error).message}\n`);
    return 1;
  }
  const log = new Logger(
    sinkFor(env.log.destination, env.log.format),
    debug ? 'debug' : levelFromSyslog(env.log.level),
  );
  // exabgp.api.cli=false: no control socket (daemon.ts), so no folder for one either.
  if (socket === undefined && env.api.cli) {
    try {
      socket = daemonSocketPath(conf);
    } catch (e) {
      process.stderr.write(`tsbgp: ${(e as Error).message}\n`);
      return 1;
    }
  }
  const daemon = new Daemon({ configFile: conf, env, log, controlSocket: socket });
  try {
    await daemon.start();
  } catch (e) {
    process.stderr.write(`tsbgp: ${(e as Error).message}\n`);
    await daemon.shutdown('start failed').catch(() => undefined);
    return 1;
  }
  const unhandle = handleSignals(daemon);
  await daemon.done;
  unhandle();
  return 0;
}
