// A route reflector and two clients as tsbgp daemons in this process, on loopback addresses of their own: the
// addresses, the configuration text of each side and a daemon maker, for tests of reflection through real sessions.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadEnv } from '../../../src/config/env';
import { Daemon } from '../../../src/daemon/daemon';
import { Logger } from '../../../src/daemon/log';
import { allocAddress, freePort, makeTempDir } from '../../interop/peers/common';

export interface ReflectionLab {
  /** The reflector's address, and the two clients'. */
  r: string;
  a: string;
  b: string;
  /** Writes a configuration file of the lab; returns its path. */
  conf(name: string, text: string): string;
  /** R's neighbor block for a client (route-reflector-client, passive), with `body` lines in it. */
  member(ip: string, body: string): string;
  /** A client's neighbor block towards R, with `body` lines in it. */
  client(ip: string, routerId: string, body: string): string;
  /** The reflector's daemon (listening on its address) from a configuration file; its log lines go to `log`. */
  reflector(file: string, log?: string[]): Daemon;
  /** A client's daemon. */
  daemon(file: string, log?: string[]): Daemon;
}

export async function reflectionLab(name: string): Promise<ReflectionLab> {
  const dir = makeTempDir(name);
  const [r, a, b] = [allocAddress(), allocAddress(), allocAddress()];
  const port = await freePort(r);
  const daemon = (file: string, log: string[] = [], env: Record<string, string> = {}) =>
    new Daemon({ configFile: file, env: loadEnv({ env }), log: new Logger({ write: (l) => log.push(l) }) });
  return {
    r,
    a,
    b,
    conf(file, text) {
      const f = path.join(dir, file);
      fs.writeFileSync(f, text);
      return f;
    },
    member: (ip, body) =>
      `neighbor ${ip} {\n router-id 10.0.0.1; local-address ${r}; local-as 65000; peer-as 65000; passive;\n` +
      ` route-reflector-client;\n${body}}\n`,
    client: (ip, routerId, body) =>
      `neighbor ${r} {\n router-id ${routerId}; local-address ${ip}; local-as 65000; peer-as 65000; connect ${port};\n${body}}\n`,
    reflector: (file, log) => daemon(file, log, { 'exabgp.tcp.bind': r, 'exabgp.tcp.port': String(port) }),
    daemon: (file, log) => daemon(file, log),
  };
}
