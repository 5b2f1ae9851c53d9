// `tsbgp cli [--socket PATH] COMMAND...`: send one API command to a running daemon and print its answer.
// Exit status 0 when the daemon answers `done`, 1 on `error`, `shutdown`, or when no daemon answers.

import { defaultSocketPath, sendCommand } from '../api/control';

const USAGE = `usage: tsbgp cli [--socket PATH] [--timeout SECONDS] COMMAND...
  send one API command (e.g. "show neighbor summary") to the daemon's control socket
  --socket PATH   control socket (default: $TSBGP_SOCKET, /run/tsbgp/tsbgp.sock or the temporary folder)
  --timeout N     give up after N seconds without a complete answer (default 30)
`;

export async function run(args: string[]): Promise<number> {
  let socketPath: string | undefined;
  let timeout = 30;
  const words: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (words.length === 0 && (a === '--socket' || a === '-s')) {
      socketPath = args[++i];
      if (socketPath === undefined) {
        process.stderr.write(USAGE);
        return 1;
      }
    } else if (words.length === 0 && a.startsWith('--socket=')) {
      socketPath = a.slice('--socket='.length);
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
  const path = socketPath ?? defaultSocketPath();
  const command = words.join(' ');
  try {
    const res = await sendCommand(path, command, timeout * 1000);
    if (res.lines.length > 0) process.stdout.write(res.lines.join('\n') + '\n');
    if (res.answer === 'done') return 0;
    if (res.answer === 'shutdown') process.stderr.write('tsbgp is shutting down, command aborted\n');
    else process.stderr.write('tsbgp returned an error (see its log for the reason); "help" lists the commands\n');
    return 1;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ECONNREFUSED') {
      process.stderr.write(`tsbgp is not running (no control socket at ${path})\n`);
    } else {
      process.stderr.write(`could not talk to tsbgp at ${path}: ${err instanceof Error ? err.message : String(err)}\n`);
    }
    return 1;
  }
}
