// How the daemon answers signals. As ExaBGP 4.2 (reactor/interrupt.py, reactor/loop.py): SIGTERM and SIGHUP shut
// down, SIGUSR1 reloads the configuration, SIGUSR2 reloads it and restarts the API processes, SIGALRM restarts
// (every session closed with a Cease and opened again, configuration re-read, processes restarted); SIGINT shuts
// down as ^C does. Before acting, processes whose api block asks for `signal` are told, as ExaBGP tells them.
//
// Where tsbgp differs on purpose: a shutdown sends every peer a NOTIFICATION Cease / Administrative Shutdown
// (RFC 4486 §4) with the signal's name as the RFC 9003 message, where ExaBGP 4.2 closes the TCP connections
// without one (both close without one a session with graceful restart negotiated, RFC 4724 §4.1); and the other signals that would end the process and that a program can catch (ExaBGP is killed
// by them at once) shut down as SIGTERM does. A shutdown is never delayed; a reload or restart waits for the one
// before it to finish.

import * as os from 'node:os';
import type { Daemon } from './daemon';

type Action = 'shutdown' | 'reload' | 'reload and restart processes' | 'restart';

/** ExaBGP 4.2's own signals. */
const EXABGP: Readonly<Partial<Record<NodeJS.Signals, Action>>> = {
  SIGTERM: 'shutdown',
  SIGHUP: 'shutdown',
  SIGUSR1: 'reload',
  SIGUSR2: 'reload and restart processes',
  SIGALRM: 'restart',
};

/**
 * Every catchable signal whose default action ends the process, and what tsbgp does on it. Left out on purpose:
 * SIGKILL and SIGSTOP (nothing can catch them); SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT and SIGSYS (a crash:
 * Node.js cannot run JavaScript safely after a real one); SIGTRAP and SIGPROF (debugger and CPU profiler);
 * SIGPIPE (Node.js ignores it).
 */
export const SIGNAL_ACTIONS: Readonly<Partial<Record<NodeJS.Signals, Action>>> = {
  ...EXABGP,
  SIGINT: 'shutdown',
  SIGQUIT: 'shutdown',
  SIGPWR: 'shutdown',
  SIGXCPU: 'shutdown',
  SIGXFSZ: 'shutdown',
  SIGVTALRM: 'shutdown',
  SIGIO: 'shutdown',
  SIGSTKFLT: 'shutdown',
};

/** Install the handlers; returns the function that removes them. */
export function handleSignals(d: Daemon): () => void {
  let queue: Promise<unknown> = Promise.resolve();
  const installed: [NodeJS.Signals, () => void][] = [];
  for (const [name, action] of Object.entries(SIGNAL_ACTIONS)) {
    const sig = name as NodeJS.Signals;
    const handler = (): void => {
      d.log.info(`received ${sig}: ${action}`);
      if (EXABGP[sig] !== undefined) d.signalled(os.constants.signals[sig]);
      if (action === 'shutdown') {
        void d.shutdown(`received ${sig}`);
        return;
      }
      queue = queue
        .then(() => (action === 'restart' ? d.restart() : d.reload({ restartProcesses: action !== 'reload' })))
        .catch((e: unknown) => d.log.error(`${action} on ${sig} failed: ${(e as Error).message}`));
    };
    process.on(sig, handler);
    installed.push([sig, handler]);
  }
  return () => {
    for (const [sig, handler] of installed) process.off(sig, handler);
  };
}
