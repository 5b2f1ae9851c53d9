// `tsbgp demo` (what `npm start` runs): the whole loop on loopback in about twenty seconds, no outside daemon.
//
//   edge speaker (127.0.0.1)                           collector speaker (127.0.0.2)
//     process healthcheck ── announce/withdraw ──▶      process printer ◀── JSON of every UPDATE
//     flow { route block-telnet ... }  ────── BGP ──▶   (prints it here)
//
// The demo opens a TCP "service" on loopback; the health check announces the anycast address 192.0.2.10/32 while
// the service answers, and withdraws it when the demo stops the service. Then a FlowSpec rule is changed live
// through `tsbgp cli`, and a rule that would cut BGP itself is refused by the guard.

import { type ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { sendCommand } from '../api/control';

const BIN = path.resolve(__dirname, '../../../bin/tsbgp.js');
const say = (s: string): void => void process.stdout.write(`\n\x1b[1m== ${s}\x1b[0m\n`);
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function freePort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, host, () => {
      const p = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(p));
    });
  });
}

function writeFiles(dir: string, bgpPort: number, servicePort: number): { edge: string; collector: string } {
  const probe = path.join(dir, 'probe.js');
  fs.writeFileSync(
    probe,
    `require('net').connect(${servicePort}, '127.0.0.1').on('connect', () => process.exit(0)).on('error', () => process.exit(1));\n`,
  );
  // The printer is an API process: events arrive on its stdin; its stdout would be read as commands, so it
  // prints to stderr, which tsbgp passes through to this terminal.
  const printer = path.join(dir, 'printer.js');
  fs.writeFileSync(
    printer,
    `require('readline').createInterface({ input: process.stdin }).on('line', (l) => {
  let m; try { m = JSON.parse(l); } catch { return; }
  const u = m.neighbor && m.neighbor.message && m.neighbor.message.update;
  if (m.type === 'state') process.stderr.write('  [collector] neighbor ' + m.neighbor.address.peer + ' is ' + m.neighbor.state + '\\n');
  if (u && (u.announce || u.withdraw)) process.stderr.write('  [collector] JSON: ' + l + '\\n');
});\n`,
  );
  const hcConf = path.join(dir, 'healthcheck.conf');
  fs.writeFileSync(
    hcConf,
    [
      `cmd = ${process.execPath} ${probe}`,
      'interval = 1',
      'fast-interval = 1',
      'rise = 1',
      'fall = 1',
      'ip = 192.0.2.10/32',
      'next-hop = 192.0.2.1',
      'withdraw-on-down',
      'community = 65001:100',
      'silent',
      // The demo's service address stays off this machine's lo.
      'no-ip-setup',
      '',
    ].join('\n'),
  );
  const edge = path.join(dir, 'edge.conf');
  fs.writeFileSync(
    edge,
    `# The edge: a health check announces the anycast address; a FlowSpec rule drops telnet to a customer.
process healthcheck {
  run ${process.execPath} ${BIN} healthcheck --config ${hcConf};
  encoder text;
}
neighbor 127.0.0.2 {
  router-id 10.0.0.1;
  local-address 127.0.0.1;
  local-as 65001;
  peer-as 65002;
  connect ${bgpPort};
  hold-time 9;
  family { ipv4 unicast; ipv4 flow; }
  api { processes [ healthcheck ]; }
  flow {
    route block-telnet {
      match { source 198.51.100.7/32; destination 203.0.113.0/24; protocol tcp; destination-port =23; }
      then { discard; }
    }
  }
}
`,
  );
  const collector = path.join(dir, 'collector.conf');
  fs.writeFileSync(
    collector,
    `# The collector: passive, hands every UPDATE to a program as ExaBGP JSON.
process printer {
  run ${process.execPath} ${printer};
  encoder json;
}
neighbor 127.0.0.1 {
  router-id 10.0.0.2;
  local-address 127.0.0.2;
  local-as 65002;
  peer-as 65001;
  hold-time 9;
  passive;
  family { ipv4 unicast; ipv4 flow; }
  api { processes [ printer ]; neighbor-changes; receive { parsed; update; } }
}
`,
  );
  return { edge, collector };
}

function start(name: string, conf: string, socket: string, env: Record<string, string>): ChildProcess {
  const child = spawn(process.execPath, [BIN, 'run', '--socket', socket, conf], {
    env: { ...process.env, 'exabgp.log.level': 'WARNING', 'exabgp.log.destination': 'stderr', ...env },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  child.on('exit', (code, sig) => {
    if (code !== 0 && sig === null) process.stderr.write(`  [${name}] exited with code ${code}\n`);
  });
  return child;
}

async function cli(socket: string, command: string): Promise<void> {
  process.stdout.write(`$ tsbgp cli ${command}\n`);
  const r = await sendCommand(socket, command, 5000);
  for (const l of r.lines) process.stdout.write(`  ${l}\n`);
}

const USAGE = `usage: tsbgp demo [--quick]
  Starts two tsbgp speakers on loopback (127.0.0.1 and 127.0.0.2) with a health check and a FlowSpec rule,
  and narrates the loop: announce, withdraw, a rule changed live, the guard refusing a rule. About 30 s.
  --quick   half the pauses
`;

export async function run(args: string[]): Promise<number> {
  for (const a of args) {
    if (a === '-h' || a === '--help') {
      process.stdout.write(USAGE);
      return 0;
    }
    if (a !== '--quick') {
      process.stderr.write(`tsbgp demo: unknown option ${a}\n${USAGE}`);
      return 2;
    }
  }
  const quick = args.includes('--quick');
  const pace = quick ? 0.5 : 1;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tsbgp-demo-'));
  const bgpPort = await freePort('127.0.0.2');
  const service = net.createServer((s) => s.end());
  await new Promise<void>((r) => service.listen(0, '127.0.0.1', r));
  const servicePort = (service.address() as net.AddressInfo).port;
  const files = writeFiles(dir, bgpPort, servicePort);
  const edgeSock = path.join(dir, 'edge.sock');
  const colSock = path.join(dir, 'collector.sock');
  const children: ChildProcess[] = [];
  try {
    say(`two tsbgp speakers on loopback (configs in ${dir})`);
    children.push(
      start('collector', files.collector, colSock, {
        'exabgp.tcp.bind': '127.0.0.2',
        'exabgp.tcp.port': String(bgpPort),
      }),
    );
    await sleep(700);
    children.push(start('edge', files.edge, edgeSock, {}));
    say(`service on 127.0.0.1:${servicePort} is up: the health check announces 192.0.2.10/32`);
    await sleep(5000 * pace);
    say('stopping the service: the health check withdraws the anycast address');
    await new Promise<void>((r) => service.close(() => r()));
    await sleep(4000 * pace);
    say('service back: announced again');
    await new Promise<void>((r) => service.listen(servicePort, '127.0.0.1', r));
    await sleep(4000 * pace);
    say('a detector rate-limits a flood instead: FlowSpec rule changed live through the API');
    await cli(
      edgeSock,
      'announce flow route { match { destination 203.0.113.10/32; protocol udp; source-port =123; } then { rate-limit 1000000; } }',
    );
    await sleep(1500 * pace);
    say('the guard: a rule that would also drop BGP (TCP port 179) is refused before it is sent');
    await cli(edgeSock, 'announce flow route { match { destination 0.0.0.0/0; protocol tcp; } then { discard; } }');
    say('what the collector holds');
    await cli(colSock, 'show adj-rib in');
    await cli(edgeSock, 'show neighbor summary');
    say('done: see README.md for the tour, docs/ for configuration, API and FlowSpec');
    return 0;
  } finally {
    for (const c of children) c.kill('SIGTERM');
    await Promise.all(
      children.map((c) => new Promise<void>((r) => (c.exitCode !== null ? r() : c.once('exit', () => r())))),
    );
    service.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
