// `tsbgp cli [--socket PATH | --config CONF] COMMAND...`: send one API command to a running daemon and print its
// answer. Exit status 0 when the daemon answers `done`, 1 on `error`, `shutdown`, or when no daemon answers.

import { type CommandResult, cliSockets, isListening, sendCommand, socketRefusal } from '../api/control';

const USAGE = `usage: tsbgp cli [--socket PATH | --config CONF] [--timeout SECONDS] COMMAND...
  send one API command (e.g. "show neighbor summary") to a daemon's control socket
  --socket PATH   the control socket (default: $TSBGP_SOCKET, else found as below)
  --config CONF   the daemon started with configuration CONF (\`tsbgp run CONF\` names its socket after it)
                  without either: the only daemon running, in $XDG_RUNTIME_DIR/tsbgp, /run/tsbgp or
                  $TMPDIR/tsbgp-UID (the first of them holding sockets)
  --timeout N     give up after N seconds without a complete answer (default 30)
`;

/** Which socket to talk to, or the message saying why there is none. */
async function choose(config: string | undefined): Promise<{ path: string } | { problem: string }> {
  const { sockets, looked } = cliSockets(config);
  if (sockets.length === 1) return { path: sockets[0]! };
  const where = looked.join(', ');
  if (sockets.length === 0) {
    return {
      problem:
        config === undefined
          ? `tsbgp is not running (no control socket in ${where})`
          : `tsbgp is not running with ${config} (no control socket for it in ${where})`,
    };
  }
  // Several: sockets left by daemons that died do not count.
  const alive: string[] = [];
  for (const s of sockets) if (!socketRefusal(s) && (await isListening(s))) alive.push(s);
  if (alive.length === 1) return { path: alive[0]! };
  return {
    problem: `${alive.length === 0 ? 'no daemon answers on' : 'several daemons are running:'} ${(alive.length === 0 ? sockets : alive).join(', ')}; choose one with --config CONF or --socket PATH`,
  };
}

export async function run(args: string[]): Promise<number> {
  let socketPath: string | undefined;
  let config: string | undefined;
  let timeout = 30;
  const words: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (words.length === 0 && (a === '--socket' || a === '-s' || a === '--config' || a === '-c')) {
      const v = args[++i];
      if (v === undefined) {
        process.stderr.write(USAGE);
        return 1;
      }
      if (a === '--config' || a === '-c') config = v;
      else socketPath = v;
    } else if (words.length === 0 && a.startsWith('--socket=')) {
      socketPath = a.slice('--socket='.length);
    } else if (words.length === 0 && a.startsWith('--config=')) {
      config = a.slice('--config='.length);
    } else if (words.length === 0 && a === '--timeout') {
      timeout = Number(args[++i]);
      if (!(timeout > 0)) {
        process.stderr.write(USAGE);
        return 1;
      }
    } else if (words.length === 0 && (a === '-h' || a === '--help')) {
      process.stdout.write(USAGE);
      return 0;
    } else {
      words.push(a);
    }
  }
  if (words.length === 0) {
    process.stderr.write(USAGE);
    return 1;
  }
  let path = socketPath;
  if (path === undefined) {
    const c = await choose(config);
    if ('problem' in c) {
      process.stderr.write(`${c.problem}\n`);
      return 1;
    }
    path = c.path;
  }
  const refused = socketRefusal(path);
  if (refused) {
    process.stderr.write(`refusing to send commands to ${path}: ${refused}\n`);
    return 1;
  }
  let res: CommandResult;
  try {
    res = await sendCommand(path, words.join(' '), timeout * 1000);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ECONNREFUSED') {
      process.stderr.write(`tsbgp is not running (no control socket at ${path})\n`);
    } else {
      process.stderr.write(`could not talk to tsbgp at ${path}: ${err instanceof Error ? err.message : String(err)}\n`);
    }
    return 1;
  }
  if (res.lines.length > 0) process.stdout.write(res.lines.join('\n') + '\n');
  if (res.answer === 'done') return 0;
  if (res.answer === 'shutdown') process.stderr.write('tsbgp is shutting down, command aborted\n');
  else process.stderr.write('tsbgp returned an error (see its log for the reason); "help" lists the commands\n');
  return 1;
}
