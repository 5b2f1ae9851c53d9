// Two tsbgp daemons in this process, peered over loopback: A connects to B (passive, listening on a free port),
// both ipv4 unicast unless told. Each daemon's log lines are kept, and A has a control socket, for tests of what one
// side's commands do to the session as the other side sees it.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadEnv } from '../../../src/config/env';
import { Daemon } from '../../../src/daemon/daemon';
import { Logger } from '../../../src/daemon/log';
import { allocAddress, freePort, makeTempDir, waitFor } from '../../interop/peers/common';

export interface Pair {
  a: Daemon;
  b: Daemon;
  addrA: string;
  addrB: string;
  /** A's control socket. */
  socket: string;
  logA: string[];
  logB: string[];
  stop(): Promise<void>;
}

/** What else the two neighbor blocks say: their family block (both), and lines of each neighbor block. */
export interface PairOptions {
  families?: string;
  neighborA?: string;
  neighborB?: string;
  /** B's configuration after its neighbor block. */
  extraB?: string;
}

/** Starts B then A; `staticA`: routes of A's static block; `extraA`: configuration after A's neighbor block. */
export async function startPair(
  name: string,
  staticA: string[] = [],
  extraA = (_addrA: string) => '',
  opts: PairOptions = {},
): Promise<Pair> {
  const families = opts.families ?? 'ipv4 unicast;';
  const dir = makeTempDir(name);
  const [addrA, addrB] = [allocAddress(), allocAddress()];
  const port = await freePort(addrB);
  const write = (file: string, text: string) => {
    const f = path.join(dir, file);
    fs.writeFileSync(f, text);
    return f;
  };
  const staticBlock = staticA.length > 0 ? ` static {\n${staticA.map((r) => `  ${r};\n`).join('')} }\n` : '';
  const confA = write(
    'a.conf',
    `neighbor ${addrB} {\n router-id 10.0.0.1; local-address ${addrA}; local-as 65001; peer-as 65002;` +
      ` connect ${port};\n family { ${families} }\n${opts.neighborA ?? ''}${staticBlock}}\n${extraA(addrA)}`,
  );
  const confB = write(
    'b.conf',
    `neighbor ${addrA} {\n router-id 10.0.0.2; local-address ${addrB}; local-as 65002; peer-as 65001; passive;\n` +
      ` family { ${families} }\n${opts.neighborB ?? ''}}\n${opts.extraB ?? ''}`,
  );
  const logA: string[] = [];
  const logB: string[] = [];
  const socket = path.join(dir, 'a.sock');
  const b = new Daemon({
    configFile: confB,
    env: loadEnv({ env: { 'exabgp.tcp.bind': addrB, 'exabgp.tcp.port': String(port) } }),
    log: new Logger({ write: (l) => logB.push(l) }),
  });
  const a = new Daemon({
    configFile: confA,
    env: loadEnv({ env: {} }),
    log: new Logger({ write: (l) => logA.push(l) }),
    controlSocket: socket,
  });
  const stop = async () => {
    await a.shutdown('test over');
    await b.shutdown('test over');
  };
  try {
    await b.start();
    await a.start();
    await waitFor(() => a.neighbors[0]!.peer.state === 'Established', 15_000, 'A established');
  } catch (e) {
    await stop();
    throw e;
  }
  return {
    a,
    b,
    addrA,
    addrB,
    socket,
    logA,
    logB,
    stop,
  };
}
