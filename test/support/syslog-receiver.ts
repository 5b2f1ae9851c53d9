// A syslog receiver on a Unix datagram socket, as /dev/log is: Node.js cannot bind one, so a small Python
// program does, and hands back each datagram it receives as a line.

import { type ChildProcess, spawn } from 'node:child_process';
import { waitFor } from '../interop/peers/common';

const RECEIVER_PY = `
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
print("ready", flush=True)
while True:
    print(s.recv(65536).decode(), flush=True)
`;

export interface SyslogReceiver {
  /** The datagrams received so far, in order. */
  messages(): string[];
  stop(): void;
}

/** Binds `socketPath` and resolves once it is ready. */
export async function startSyslogReceiver(socketPath: string): Promise<SyslogReceiver> {
  const rx: ChildProcess = spawn('python3', ['-c', RECEIVER_PY, socketPath], { stdio: ['ignore', 'pipe', 'inherit'] });
  let got = '';
  rx.stdout!.on('data', (d: Buffer) => (got += d.toString()));
  await waitFor(() => got.startsWith('ready\n'), 10_000, `a syslog receiver on ${socketPath}`);
  return {
    messages: () => got.split('\n').slice(1, -1),
    stop: () => void rx.kill(),
  };
}
