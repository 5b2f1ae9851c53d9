// `npm run bench [-- SCENARIO... ] [--runs N] [--scale F]`: every benchmark scenario against tsbgp and, where installed,
// ExaBGP 4.2, GoBGP, BIRD 2 and FRR on loopback; writes bench/RESULTS.md, bench/results.svg and README.md's
// performance section (bench/summary.ts).
// Scenarios: receive, config, api, flowspec, peers, codec, http, ddos, profile, route-server, loc-rib,
// route-reflector (all of them when none is named);
// `--render` only rewrites them from the results RESULTS.md carries.
// Running a subset keeps the other scenarios' previous results: they are carried in RESULTS.md itself, in a
// comment at its end, so the file stays the single record of the last measurements.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { isInstalled, stopAll } from '../test/interop/peers';
import { type BarGroup, barChart, secondsText } from './chart';
import { type Data, findMeasure, fmtInt, median, mib } from './data';
import { apiScenario } from './scenarios/api';
import { codecScenario } from './scenarios/codec';
import { type Floors, type Measure, measureFloors, REPO, type ScenarioContext, versions } from './scenarios/common';
import { configScenario } from './scenarios/config';
import { ddosScenario } from './scenarios/ddos';
import { flowspecScenario } from './scenarios/flowspec';
import { httpScenario } from './scenarios/http';
import { locRibScenario } from './scenarios/loc-rib';
import { peersScenario } from './scenarios/peers';
import { profileScenario } from './scenarios/profile';
import { receive } from './scenarios/receive';
import { routeReflectorScenario } from './scenarios/route-reflector';
import { routeServerScenario } from './scenarios/route-server';
import { notes, withPerformance } from './summary';

const SCENARIOS = [
  'receive',
  'config',
  'api',
  'flowspec',
  'peers',
  'codec',
  'http',
  'ddos',
  'profile',
  'route-server',
  'loc-rib',
  'route-reflector',
] as const;
type Scenario = (typeof SCENARIOS)[number];

const RESULTS_MD = path.join(REPO, 'bench', 'RESULTS.md');
const RESULTS_SVG = path.join(REPO, 'bench', 'results.svg');
const README_MD = path.join(REPO, 'README.md');
/** Where RESULTS.md carries its data (read back by --render and by test/unit/bench/summary.test.ts). */
const DATA_TAG = '<!-- bench-data ';

export function loadPrevious(): Data | undefined {
  try {
    const md = fs.readFileSync(RESULTS_MD, 'utf8');
    const i = md.lastIndexOf(DATA_TAG);
    if (i < 0) return undefined;
    const j = md.indexOf(' -->', i);
    return JSON.parse(md.slice(i + DATA_TAG.length, j)) as Data;
  } catch {
    return undefined;
  }
}

function machine(): Record<string, string> {
  const cpus = os.cpus();
  let model = cpus[0]?.model ?? 'unknown';
  model = model.replace(/\s+/g, ' ').trim();
  return {
    CPU: model,
    cores: String(cpus.length),
    memory: `${Math.round(os.totalmem() / 2 ** 30)} GiB`,
    kernel: `${os.type()} ${os.release()}`,
    'load average at start': os
      .loadavg()
      .map((x) => x.toFixed(2))
      .join(' '),
    ...Object.fromEntries(Object.entries(versions()).map(([k, v]) => [k === 'node' ? 'Node.js' : k, v])),
  };
}

// ---------- statistics ----------

function timeCell(m: Measure): string {
  if (m.note) return m.note;
  if (m.runs.length === 0) return '–';
  if (m.capped !== undefined)
    return `> ${m.capped} s (cap)${m.got !== undefined && m.got >= 0 ? `, ${fmtInt(m.got)} of ${fmtInt(m.items)} by then` : ''}`;
  const med = median(m.runs);
  const lo = Math.min(...m.runs);
  const hi = Math.max(...m.runs);
  return m.runs.length === 1 ? `${secondsText(med)}` : `${secondsText(med)} (${secondsText(lo)} – ${secondsText(hi)})`;
}

function rateCell(m: Measure): string {
  if (m.note || m.runs.length === 0) return '–';
  const med = median(m.runs);
  if (m.capped !== undefined) return m.got !== undefined && m.got >= 0 ? `< ${fmtInt(m.got / med)}/s` : '–';
  return `${fmtInt(m.items / med)}/s`;
}

/** The tsbgp measure a peer's measure is compared with: same scenario and job. */
function tsbgpOf(data: Data, m: Measure): Measure | undefined {
  return data.measures.find(
    (x) => x.scenario === m.scenario && x.job === m.job && x.impl === 'tsbgp' && !x.note && x.runs.length > 0,
  );
}

/** "how many times slower than tsbgp this implementation is", as text. */
function ratioCell(data: Data, m: Measure): string {
  if (m.impl === 'tsbgp') return '1';
  const t = tsbgpOf(data, m);
  if (!t || m.note || m.runs.length === 0) return '–';
  const r = median(m.runs) / median(t.runs);
  const s = r >= 10 ? r.toFixed(0) : r.toFixed(2);
  return m.capped !== undefined ? `> ${s}×` : `${s}×`;
}

function memRatioCell(data: Data, m: Measure): string {
  if (m.impl === 'tsbgp') return '1';
  const t = tsbgpOf(data, m);
  if (!t || m.hwmKiB.length === 0 || t.hwmKiB.length === 0) return '–';
  return `${(median(m.hwmKiB) / median(t.hwmKiB)).toFixed(2)}×`;
}

// ---------- RESULTS.md ----------

function floorRows(f: Floors | undefined): string[] {
  if (!f) return [];
  const rows = [`| Node.js start-up (\`node -e 0\`, median of 5) | ${secondsText(f.nodeStartS)} |`];
  if (f.tsbgpIdleKiB) rows.push(`| tsbgp idle, one neighbor, no routes (peak RSS) | ${mib(f.tsbgpIdleKiB)} |`);
  if (f.exabgpIdleKiB) rows.push(`| ExaBGP idle, one neighbor, no routes (peak RSS) | ${mib(f.exabgpIdleKiB)} |`);
  return rows;
}

const TITLES: Record<string, string> = {
  receive: '1. Receive a table from one peer',
  config: '2. Announce a table from the configuration (static routes) to BIRD',
  api: '3. Announce a table from an API process to BIRD',
  flowspec: '4. Announce FlowSpec rules from an API process to GoBGP (and to tsbgp)',
  peers: '5. Many peers: 100 sessions × 10,000 prefixes into one daemon',
  http: '7. HTTP lookups while a full table arrives',
  'route-server': '8. Route server: 50 clients × 20,000 prefixes, 500,000 VRPs',
  'route-reflector': '10. Route reflector: one client × 500,000 prefixes reflected to 10 clients',
};

const HOW: Record<string, string> = {
  receive:
    'bench/sender.ts opens one session and writes the table in full 4096-byte UPDATEs as fast as the socket drains. ' +
    'The clock runs from Established (as the sender sees it) until the receiver holds the last prefix. ' +
    '"in table": the daemon\'s own count (tsbgp `show neighbor json` every 20 ms over the control socket; BIRD ' +
    '`birdc show protocols all` every 20 ms; FRR `vtysh show bgp summary json` every 250 ms; GoBGP `gobgp neighbor` ' +
    'every 1 s, because its count walks the Adj-RIB-In and frequent polls slow it). "JSON to a process": an API ' +
    'program that `JSON.parse`s every line it is sent and counts the announced prefixes; the clock stops when it ' +
    'has counted them all. ExaBGP is measured only that way, which is how its users take routes in (it keeps an ' +
    'Adj-RIB-In as well: adj-rib-in is on by default in 4.2, as in tsbgp).',
  config:
    'The table as `route P next-hop 192.0.2.1;` lines in the `static { }` block of the neighbor. The clock runs ' +
    'from starting the daemon (parsing the file included) until BIRD counts every prefix imported ' +
    '(`birdc show protocols all` every 50 ms).',
  api:
    'An API program waits for the neighbor to come up, then writes N `announce route 20.x.y.0/24 next-hop ' +
    '192.0.2.1` lines as fast as its stdout drains (and reads the acks). The clock runs from its first line until ' +
    'BIRD counts all N (`birdc show protocols all` every 50 ms); "lost" is N minus what BIRD held at the end (or at the cap).',
  flowspec:
    'An API program writes N distinct `announce flow route { match { destination 10.x.y.0/24; protocol tcp; ' +
    'destination-port =80; } then { discard; } }` lines once the session is up; the clock runs from its first ' +
    'line until the receiver holds N ipv4-flowspec paths (GoBGP: `gobgp global rib summary` every 250 ms; tsbgp: ' +
    '`show neighbor json` every 20 ms). GoBGP first, as the issue asks; then the same rules already in a tsbgp ' +
    'configuration, timed from Established, which is the time GoBGP needs to take them in when the sender only ' +
    "writes (its row shows GoBGP's memory); then the API job again with a tsbgp receiver, which measures the senders rather than GoBGP.",
  peers:
    '100 bench/sender.ts sessions, each from its own 127.x.y.z address and AS, each sending 10,000 distinct ' +
    'IPv4 /24s (1,000,000 paths in all) to one daemon. The clock runs from starting all senders (the daemon is ' +
    'already listening) until the daemon holds every path (tsbgp: `show neighbor json` every 250 ms; BIRD: ' +
    'the sum of `birdc show protocols all` "Routes: N imported" every 250 ms, configured with `import all; export none;` on every session, so that ' +
    "it does not re-advertise each peer's routes to the 99 others).",
  'route-server':
    '50 bench/sender.ts sessions, each from its own 127.x.y.z address and AS, announce 20,000 IPv4 /24s each, ' +
    'half of them shared with the next client (510,000 distinct prefixes), to a route server that validates ' +
    'them against 500,000 VRPs from StayRTR (the first 250,000 prefixes valid for both announcers, the rest ' +
    'not-found). The clock runs from starting the clients (the route server already holds the VRPs) until ' +
    'every client has received every prefix it did not announce itself, counted by the clients themselves (a ' +
    'bitmap each, summed every 20 ms). tsbgp: `route-server-client;` neighbors and an `rpki` cache; BIRD 2: one table, `rs ' +
    'client` sessions, a `roa_check` import filter, `export all`; GoBGP: `route-server-client = true` ' +
    'neighbors (a RIB per client) with an import policy rejecting RPKI-invalid routes. How tsbgp keeps it: it ' +
    'exports from its one Loc-RIB and keeps per client no copy of what it sends. Every destination gets a ' +
    'number shared by all clients, and each client one 16-bit cell per destination (the source of the path it ' +
    'is to have, and an in-queue bit), laid out destination by destination in pages of 4,096 ' +
    "(src/rib/dest-table.ts); a client's Adj-RIB-Out reads its routes through a view and looks the " +
    'attribute set up as the session sends. Without action communities one decision per destination serves ' +
    "every client, and a change that leaves a client's choice alone queues nothing for it. The routes the " +
    'clients sent are kept with their verdicts in typed columns (src/roles/route-server/client-routes.ts). ' +
    'Before this design (one Adj-RIB-Out per client, 25,480,000 NlriTable entries of 37.5 bytes, and a Map of ' +
    'objects per client for the verdicts) the same job took 24.7 s and 1,370 MiB, 54% of the CPU going into ' +
    'filling those copies. Where the memory is now, from a heap snapshot (`v8.writeHeapSnapshot()` from a ' +
    '`--require` hook when the RSS reached 330 MiB, near the end of a run whose peak was 345 MiB; self sizes ' +
    'summed by the owning object and field): the snapshot holds 217 MiB, the other 113 MiB of RSS being ' +
    "Node.js itself (55 MiB idle), code and free heap pages. The clients' cells 45.9 MiB (50 clients in runs " +
    'of 52 cells of 2 bytes, for about 460,000 destinations by then); the destination numbering 25.0 MiB ' +
    "(prefix index 12.9, key bytes 5.8, the best path's set per destination 4.4, its source 1.3, other 0.6); " +
    'send queues 2.9 MiB; the routes the clients sent, with their verdicts, 42.3 MiB (PrefixMaps 31.7, set ' +
    'references 7.8, reason and RPKI bytes 2.8); the Adj-RIBs-In 31.7 MiB (the same routes again: every ' +
    'neighbor has one unless `adj-rib-in false;`); the Loc-RIB 41.7 MiB (prefix index 12.9, path pool 28.8); ' +
    'the 500,000 VRPs 14.0 MiB; small objects 9.2 MiB. BIRD holds 145 MiB in all, 6 bytes per route its ' +
    'clients received; tsbgp about 14 bytes a route, 12 over Node.js idle. What keeps tsbgp above BIRD: ' +
    "Node.js itself, the received routes kept twice (the route server's store and the Adj-RIB-In: about 32 " +
    "MiB would go if a route-server client's Adj-RIB-In were read from the route server's store), and the 2 " +
    'bytes per client and destination (BIRD exports from its one table and sends a client nothing for the ' +
    "prefixes whose best path is the client's own). Time, from a CPU profile (inspector Profiler from a " +
    "`--require` hook, 7 s from 200 MiB RSS on, the sessions' teardown at the end included): socket writes " +
    '11%, deciding per destination (`exportDest`) 10%, packing UPDATEs (`packV4`, `drain`) 16%, RPKI ' +
    'validation 6%, looking the sets up at send time (`ClientView.get`) 5%, GC 5%.',
  'route-reflector':
    'Eleven bench/sender.ts sessions from their own 127.x.y.z addresses, all in AS 65000 and all route-reflector ' +
    'clients of the daemon (RFC 4456): one announces 500,000 IPv4 /24s with an AS_PATH of 64500 (as an iBGP ' +
    'speaker passes on routes learnt from a neighbor AS) and next hop 192.0.2.1, the ten others announce nothing. ' +
    'The clock runs from starting the clients until each of the ten has received all 500,000 prefixes, counted ' +
    "by the clients themselves (a bitmap each, summed every 20 ms); the peak RSS is the reflector's then. tsbgp: passive " +
    '`route-reflector-client;` neighbors; BIRD 2: `rr client` iBGP sessions, `import all; export all;`, with a ' +
    'static route making the next hop resolvable; GoBGP: `route-reflector-client = true` neighbors. How tsbgp ' +
    "keeps it: the members' IPv4 and IPv6 unicast routes are not copied into their Adj-RIBs-Out. The route " +
    "server's compact export (src/rib/dest-table.ts) serves the reflector too: each destination is numbered once " +
    'with its best learned path, each member has a 16-bit cell per destination naming the source of what it gets ' +
    '(the best where RFC 4456 §6 lets it go, a route written for it, or nothing), and its Adj-RIB-Out reads them ' +
    'through a view; the reflected set (ORIGINATOR_ID, CLUSTER_LIST) is made as the session sends, cached per ' +
    'received set and cluster id. Before (one Adj-RIB-Out per member: 5,000,000 NlriTable entries) the same job ' +
    'took 8.3 s and 347 MiB in the first run (14.0 s, 348 MiB at load 13 in a later one), 56% of the CPU filling ' +
    'those tables. Time now, from a CPU profile of tsbgp alone (inspector Profiler from a `--require` hook, the ' +
    "sessions' teardown at the end included): the per-destination export (`exportView`, the cells) 11%, packing " +
    "UPDATEs and withdrawals (`drain`, `wireEntry`, `packV4`) 24%, socket writes 8%, the Loc-RIB's and the " +
    "numbering's prefix indexes 10%, GC 5%.",
  http:
    "Scenario 1's 1,000,000-prefix receive into a tsbgp whose HTTP server is on (`tsbgp.http.port`), once with " +
    'no client and once with 200 lookups a second (`GET /api/v1/lookup?prefix=ADDRESS`, a random address of the ' +
    'table each, longest match) from the moment the session is Established until tsbgp holds every prefix; the ' +
    'runs alternate between the two. After each run, 200 lookups one after another with the whole table held. ' +
    'Latencies are measured by the client (request to parsed JSON answer) on the same two cores. A lookup that ' +
    'arrives while tsbgp decodes a burst of UPDATEs waits for that slice of work, so the latencies during the ' +
    'receive show how the receive is sliced, and the "held" row what a lookup costs. The machine is shared (load ' +
    "average above): the spread of each row's runs is the noise a difference between the two rows must beat.",
};

function table(data: Data, scenario: string): string[] {
  const ms = data.measures.filter((m) => m.scenario === scenario);
  if (ms.length === 0) return ['Not run yet.'];
  const lost = scenario === 'api' || scenario === 'flowspec' || scenario === 'config';
  const head = [
    'Job',
    'Implementation',
    'Median (min – max)',
    'Runs',
    'Rate',
    'Peak RSS',
    'Time vs tsbgp',
    'Memory vs tsbgp',
  ];
  if (lost) head.push('Lost');
  const rows = [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`];
  for (const m of ms) {
    const cells = [
      m.job,
      m.impl === 'tsbgp' ? '**tsbgp**' : m.impl,
      timeCell(m),
      String(m.runs.length),
      rateCell(m),
      m.hwmKiB.length ? mib(median(m.hwmKiB)) : '–',
      ratioCell(data, m),
      memRatioCell(data, m),
    ];
    if (lost)
      cells.push(
        m.note || m.runs.length === 0
          ? '–'
          : m.capped !== undefined && m.got !== undefined && m.got >= 0
            ? fmtInt(m.items - m.got)
            : '0',
      );
    rows.push(`| ${cells.join(' | ')} |`);
  }
  return rows;
}

interface Goal {
  goal: string;
  met: boolean | null;
  detail: string;
}

/** tsbgp's CPU during the receive with lookups over without, as text for the goal's row ('' when not measured). */
function cpuText(data: Data): string {
  const h = data.http;
  if (!h?.cpuIdle?.length || !h.cpuBusy?.length) return '';
  const r = median(h.cpuBusy) / median(h.cpuIdle) - 1;
  return `; tsbgp's own CPU ${r >= 0 ? '+' : ''}${(r * 100).toFixed(1)}% (${secondsText(median(h.cpuBusy))} vs ${secondsText(median(h.cpuIdle))}), the rest of the wall-clock difference being the client and the other work on the two shared cores`;
}

function goals(data: Data): Goal[] {
  const out: Goal[] = [];
  const find = (scenario: string, impl: string, job: RegExp): Measure | undefined =>
    findMeasure(data, scenario, impl, job);
  // Speed vs ExaBGP on 1-3: every job where both ran.
  for (const m of data.measures) {
    if (m.impl === 'tsbgp' || m.note || m.runs.length === 0) continue;
    if (!['receive', 'config', 'api'].includes(m.scenario) && !(m.impl === 'ExaBGP' && m.scenario === 'flowspec'))
      continue;
    const t = tsbgpOf(data, m);
    if (!t) continue;
    const r = median(m.runs) / median(t.runs);
    const lower = m.capped !== undefined ? ' (at least: ExaBGP hit its cap)' : '';
    if (m.impl === 'ExaBGP') {
      // With GoBGP receiving FlowSpec, GoBGP's own ingestion time bounds what any sender can show.
      const alone =
        m.scenario === 'flowspec' && !m.job.includes('tsbgp receiver')
          ? find('flowspec', 'GoBGP', /GoBGP's ingestion alone/)
          : undefined;
      let floor = alone
        ? `; GoBGP alone takes ${secondsText(median(alone.runs))} to take the rules in, ExaBGP's time / 20 is ${secondsText(median(m.runs) / 20)}`
        : '';
      // The configuration job's clock starts with the process: Node.js's own start-up is in it.
      if (m.scenario === 'config' && r < 20 && data.floors)
        floor = `; 20× is ${secondsText(median(m.runs) / 20)}, and Node.js start-up alone is ${secondsText(data.floors.nodeStartS)} of tsbgp's ${secondsText(median(t.runs))}`;
      out.push({
        goal: `≥ 20× faster than ExaBGP: ${m.scenario}, ${m.job}`,
        met: r >= 20 ? true : m.capped !== undefined ? null : false,
        detail: `${r.toFixed(1)}×${lower}${floor}`,
      });
      if (m.hwmKiB.length && t.hwmKiB.length) {
        const mr = median(t.hwmKiB) / median(m.hwmKiB);
        const fifth = median(m.hwmKiB) / 5;
        const idle = data.floors?.tsbgpIdleKiB ?? 0;
        const floorNote =
          mr > 0.2 && idle > fifth
            ? `; out of reach at this size: tsbgp idle is ${mib(idle)}, ExaBGP's fifth ${mib(fifth)}`
            : '';
        out.push({
          goal: `≤ 1/5 of ExaBGP's memory: ${m.scenario}, ${m.job}`,
          met: mr <= 0.2,
          detail: `tsbgp ${mib(median(t.hwmKiB))} vs ExaBGP ${mib(median(m.hwmKiB))} = ${(mr * 100).toFixed(0)}%${m.capped !== undefined ? ' (ExaBGP stopped at its cap, before holding everything)' : ''}${floorNote}`,
        });
      }
    } else if (m.scenario === 'receive' || m.scenario === 'config') {
      out.push({
        goal: `faster than ${m.impl}: ${m.scenario}, ${m.job}`,
        met: r > 1,
        detail:
          r > 1
            ? `${r.toFixed(2)}× faster`
            : `${(1 / r).toFixed(2)}× slower (tsbgp ${secondsText(median(t.runs))} vs ${secondsText(median(m.runs))})`,
      });
    }
  }
  // Memory per prefix vs BIRD: marginal bytes per prefix between the 100k and 1M IPv4 receive jobs.
  const per = (impl: string): number | undefined => {
    const a = find('receive', impl, /^100,000 IPv4.*in table$/);
    const b = find('receive', impl, /^1,000,000 IPv4 \/24, in table$/);
    if (!a || !b || !a.hwmKiB.length || !b.hwmKiB.length) return undefined;
    return ((median(b.hwmKiB) - median(a.hwmKiB)) * 1024) / (b.items - a.items);
  };
  const pt = per('tsbgp');
  const pb = per('BIRD');
  if (pt !== undefined && pb !== undefined) {
    out.push({
      goal: 'memory per prefix within 2× of BIRD (peak RSS at 1M minus at 100k, over 900k prefixes)',
      met: pt <= 2 * pb,
      detail: `tsbgp ${pt.toFixed(0)} B/prefix, BIRD ${pb.toFixed(0)} B/prefix (${(pt / pb).toFixed(2)}×)`,
    });
  }
  const idle = find('http', 'tsbgp', /no client$/);
  const busy = find('http', 'tsbgp', /lookups\/s meanwhile$/);
  if (idle && busy) {
    const slow = median(busy.runs) / median(idle.runs) - 1;
    out.push({
      goal: `200 HTTP lookups/s slow a ${fmtInt(idle.items)}-prefix receive by at most 10%`,
      met: slow <= 0.1 && data.http?.sessionsUp !== false,
      detail: `${secondsText(median(busy.runs))} with lookups vs ${secondsText(median(idle.runs))} without (${slow >= 0 ? '+' : ''}${(slow * 100).toFixed(1)}%)${cpuText(data)}${data.http?.sessionsUp === false ? '; a session went down' : ''}`,
    });
  }
  if (data.http) {
    out.push({
      goal: `a lookup answers in under 50 ms with ${fmtInt(data.http.prefixes)} routes held`,
      met: data.http.held[1] < 50,
      detail: `over HTTP, p99 ${data.http.held[1].toFixed(1)} ms, max ${data.http.held[2].toFixed(1)} ms`,
    });
  }
  return out;
}

/** The DDoS collector's section: decode rates on one core, memory per host, the UDP replay beside nfacctd. */
function ddosSection(data: Data): string[] {
  const L = ['## DDoS flow collector (`npm run bench -- ddos`)', ''];
  const d = data.ddos;
  if (!d) return [...L, 'Not run yet.', ''];
  const M = (x: number): string => `${(x / 1e6).toFixed(2)} M`;
  L.push(
    `Flow records decoded and accounted into the host table on one core (bench/ddos.ts, a fresh process), ${fmtInt(d.hosts)} distinct destination hosts in the table; datagrams of about 1,400 bytes built by test/support/flow-packets.ts (NetFlow v9 / IPFIX: 45 records of 30 bytes, templates every 500 datagrams; sFlow: 7 flow samples with 128-byte Ethernet/IPv4 headers).`,
    '',
    '| Format | Records/s (one core) | Goal 2,000,000/s |',
    '|---|---|---|',
    ...d.decode.map((r) => `| ${r.name} | ${M(r.perSecond)} | ${r.perSecond >= 2e6 ? 'met' : '**not met**'} |`),
    '',
    `Memory per tracked host: ${d.memory.table.toFixed(0)} bytes (the host table's arrays over ${fmtInt(d.hosts)} hosts: counters of two windows, key, group, hash slots, with the rows the doubling allocated ahead; no object per host).${d.tickMs === undefined ? '' : ` The detector's once-a-second check of every host against four thresholds took ${d.tickMs.toFixed(1)} ms (median of ten ticks).`} ${d.load === undefined ? '' : `Load average when the scenario started: ${d.load.toFixed(2)}. `}On this shared 2-core machine the decode rates moved between runs (from 2.0 to 7.4 M records/s for NetFlow v9 in runs here).`,
    '',
    "The same datagrams over loopback UDP to tsbgp's collector (a process with FlowCollector and the host table) and to pmacct's nfacctd 1.7.7 (print plugin, `aggregate: dst_host, flows`), one after the other, sent in bursts of 200 datagrams every 20 ms; CPU seconds are utime + stime from /proc (nfacctd: its core and plugin processes), so the figure is records accounted per CPU second, sockets included:",
    '',
    '| Format | Receiver | Records sent | Records counted | CPU s | Records per CPU second |',
    '|---|---|---|---|---|---|',
    ...d.replay.map(
      (r) =>
        `| ${r.name} | ${r.impl} | ${fmtInt(r.sent)} | ${fmtInt(r.counted)} | ${r.cpuSeconds.toFixed(2)} | ${M(r.perCpuSecond)} |`,
    ),
    '',
  );
  return L;
}

/** The Loc-RIB's steps on one core (bench/loc-rib.ts, from bench/scenarios/loc-rib.ts). */
function locRibSection(data: Data): string[] {
  const L = ['## 9. Loc-RIB: best-path decision and route reflection (one core, in a fresh process)', ''];
  const r = data.locRib;
  if (!r) return [...L, 'Not run yet (`npm run bench -- loc-rib`).', ''];
  L.push(
    `bench/loc-rib.ts in a process of its own (\`node --expose-gc\`), the Loc-RIB (src/rib/loc-rib.ts) fed directly, without sessions: peer 1 announces ${fmtInt(r.prefixes)} distinct IPv4 /24s (64 to an attribute set, as in full UPDATEs), peer 2 the same prefixes with other attributes, winning on LOCAL_PREF for every other set, then peer 1 goes down (each of its paths withdrawn). Then the same through the route reflector (src/roles/route-reflector/reflector.ts): three clients and a non-client, every best-path change exported to the members' Adj-RIBs-Out. Times are the median of ${r.runs} run(s) with the fastest and slowest; the heap growth (since the bench began, after a collection) and the outcome are the last run's.`,
    '',
    '| Step | Median (min – max) | CPU | Prefixes/s | Heap growth | After the step |',
    '|---|---|---|---|---|---|',
    ...r.steps.map(
      (s) =>
        `| ${s.name} | ${secondsText(s.seconds[0]!)} (${secondsText(s.seconds[1]!)} – ${secondsText(s.seconds[2]!)}) | ${secondsText(s.cpuSeconds)} | ${fmtInt(r.prefixes / s.seconds[0]!)}/s | ${s.heapMiB.toFixed(1)} MiB | ${s.after} |`,
    ),
    '',
    `Peak RSS of the process (the largest of the runs): ${mib(r.peakRssKiB)}.`,
    '',
  );
  return L;
}

function render(data: Data, totalSeconds: number): string {
  const L: string[] = [];
  L.push('# tsbgp benchmark results', '');
  L.push(
    `Written by \`npm run bench\` (bench/run.ts) on ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC; ` +
      `${totalSeconds > 0 ? `the last run took ${Math.round(totalSeconds)} s; ` : ''}each scenario last ran: ${Object.entries(
        data.ran,
      )
        .map(([k, v]) => `${k} ${Math.round(v.seconds)} s at ${v.at}`)
        .join(', ')}.`,
    'Every daemon ran on loopback on this one machine, each started fresh for each run and stopped by its PID.',
    'Times are medians over the runs, with the fastest and slowest run; "Time vs tsbgp" is the other',
    "implementation's median over tsbgp's median for the same job (above 1: tsbgp is faster). Peak RSS is the",
    "daemon process's VmHWM from /proc/PID/status, read just before it was stopped (for ExaBGP: the Python process;",
    'API programs and the sender are not counted). A run that hit its cap is shown as "> cap" and not repeated.',
    '',
    '![results](results.svg)',
    '',
    '## Machine',
    '',
    '| | |',
    '|---|---|',
    ...Object.entries(data.machine).map(([k, v]) => `| ${k} | ${v} |`),
    ...floorRows(data.floors),
    '',
    `The load average is there because other work shared this ${data.machine.cores ?? '?'}-core machine during some runs; times are`,
    'wall-clock and include the sender and the polling, which run on the same two cores.',
    '',
  );
  for (const s of ['receive', 'config', 'api', 'flowspec', 'peers']) {
    L.push(`## ${TITLES[s]}`, '', HOW[s]!, '', ...table(data, s), '');
  }
  L.push('## 6. Codec micro-benchmarks (one core, in a fresh process)', '');
  if (data.micro.length === 0) L.push('Not run yet.', '');
  else {
    L.push('| Benchmark | Result |', '|---|---|');
    for (const r of data.micro) L.push(`| ${r.name} | ${r.value} |`);
    L.push(
      '',
      'From bench/codec.ts (IPv4 /24s packed in 4096-byte UPDATEs, 200,000 prefixes per pass), bench/flowspec.ts (10,000 distinct rules, 4 components each) bench/labeled.ts (10,000 distinct VPN and labeled routes, one label each) and bench/evpn.ts (10,000 distinct EVPN MAC/IP or IP Prefix routes, one label each).',
      '',
    );
  }
  L.push(`## ${TITLES.http}`, '', HOW.http!, '', ...table(data, 'http'), '');
  if (data.http) {
    const h = data.http;
    const ms = (x: number): string => `${x.toFixed(1)} ms`;
    L.push(
      '| Lookups over HTTP | Count | p50 | p99 | max |',
      '|---|---|---|---|---|',
      `| while the table arrives (${h.rate}/s) | ${fmtInt(h.loadedCount)} | ${ms(h.loaded[0])} | ${ms(h.loaded[1])} | ${ms(h.loaded[2])} |`,
      `| ${fmtInt(h.prefixes)} prefixes held, one after another | ${fmtInt(h.heldCount)} | ${ms(h.held[0])} | ${ms(h.held[1])} | ${ms(h.held[2])} |`,
      '',
      `tsbgp's own CPU time from Established to the last prefix (user + system, /proc/PID/stat): median ${h.cpuIdle.length ? secondsText(median(h.cpuIdle)) : '–'} without lookups, ${h.cpuBusy.length ? secondsText(median(h.cpuBusy)) : '–'} with them.`,
      '',
      `Sessions: ${h.sessionsUp ? 'every run ended Established, with one session from start to end (none reset)' : '**a session went down or was reset in at least one run**'}.`,
      '',
    );
  }
  L.push(...ddosSection(data));
  L.push(`## ${TITLES['route-server']}`, '', HOW['route-server']!, '', ...table(data, 'route-server'), '');
  L.push(...locRibSection(data));
  L.push(`## ${TITLES['route-reflector']}`, '', HOW['route-reflector']!, '', ...table(data, 'route-reflector'), '');
  L.push('## Goals', '');
  const gs = goals(data);
  if (gs.length === 0) L.push('No comparable measurements yet.', '');
  else {
    L.push('| Goal | Met | Measured |', '|---|---|---|');
    for (const g of gs) L.push(`| ${g.goal} | ${g.met === null ? 'n/a' : g.met ? 'yes' : '**no**'} | ${g.detail} |`);
    L.push('');
    const missed = gs.filter((g) => g.met === false);
    if (missed.length > 0)
      L.push(`${missed.length} goal(s) missed; the profile below shows where tsbgp spends its time.`, '');
  }
  L.push('## Profiles', '');
  if (!data.profiles) L.push('Not run yet (`npm run bench -- profile`).', '');
  else {
    for (const p of data.profiles) {
      L.push(
        `${p.what}. Command: \`${p.command}\`. Top functions by self time (${(p.totalMs / 1000).toFixed(1)} s sampled, whole process life):`,
        '',
      );
      L.push('| Self time | Share of busy | Function | Where |', '|---|---|---|---|');
      for (const f of p.top.slice(0, 10))
        L.push(`| ${(f.ms / 1000).toFixed(2)} s | ${f.share.toFixed(1)}% | \`${f.name}\` | ${f.where} |`);
      L.push('', p.summary, '');
    }
  }
  L.push(...notes(data), '');
  L.push('## Exact commands', '');
  L.push(
    "`npm run bench` builds (tsc) and runs `node dist/bench/run.js`; `npm run bench -- receive` (or config, api, flowspec, peers, codec, http, ddos, profile, route-server, loc-rib, route-reflector) runs one scenario and keeps the others' previous results; `--runs N` sets the runs of the fast implementations (default 3).",
    '',
  );
  L.push(
    "One run of each measurement (addresses and ports are picked fresh every run; the peers' configuration files are written by test/interop/peers/*.ts):",
    '',
  );
  for (const m of data.measures) {
    if (m.commands.length === 0) continue;
    L.push(`- ${m.scenario} / ${m.job} / ${m.impl}:`);
    for (const c of m.commands) L.push(`  - \`${c.replace(/`/g, "'")}\``);
  }
  L.push('');
  L.push(`${DATA_TAG}${JSON.stringify(data)} -->`, '');
  return L.join('\n');
}

function chart(data: Data): string {
  const groups: BarGroup[] = [];
  const byJob = new Map<string, Measure[]>();
  for (const m of data.measures) {
    if (m.note || m.runs.length === 0) continue;
    const k = `${m.scenario}: ${m.job}`;
    if (!byJob.has(k)) byJob.set(k, []);
    byJob.get(k)!.push(m);
  }
  for (const [title, ms] of byJob) {
    groups.push({
      title,
      bars: ms.map((m) => ({
        label: m.impl,
        value: median(m.runs),
        capped: m.capped !== undefined,
        ours: m.impl === 'tsbgp',
      })),
    });
  }
  return barChart(
    'tsbgp vs ExaBGP 4.2, BIRD 2, GoBGP 3, FRR 8 — seconds, log scale (shorter is better)',
    `${data.machine.CPU ?? ''}, ${data.machine.cores ?? '?'} cores; hatched = stopped at the cap`,
    groups,
  );
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  let runs = 3;
  let scale = 1;
  // --render: write RESULTS.md and results.svg again from the results they carry, measuring nothing.
  let render_only = false;
  const chosen: Scenario[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--render') render_only = true;
    else if (a === '--runs') runs = Number(args[++i]);
    else if (a === '--scale') scale = Number(args[++i]);
    else if ((SCENARIOS as readonly string[]).includes(a)) chosen.push(a as Scenario);
    else throw new Error(`unknown argument ${a}; scenarios: ${SCENARIOS.join(', ')}`);
  }
  const todo = render_only ? [] : chosen.length > 0 ? chosen : [...SCENARIOS];
  const prev = loadPrevious();
  const data: Data = {
    measures: (prev?.measures ?? []).filter((m) => !todo.includes(m.scenario as Scenario)),
    micro: todo.includes('codec') ? [] : (prev?.micro ?? []),
    profiles: todo.includes('profile') ? undefined : prev?.profiles,
    http: todo.includes('http') ? undefined : prev?.http,
    ddos: todo.includes('ddos') ? undefined : prev?.ddos,
    locRib: todo.includes('loc-rib') ? undefined : prev?.locRib,
    ran: Object.fromEntries(Object.entries(prev?.ran ?? {}).filter(([k]) => !todo.includes(k as Scenario))),
    machine: render_only && prev ? prev.machine : machine(),
    floors: prev?.floors,
    // --render measures nothing: the header keeps the last measuring run's time.
    total: prev?.total,
  };
  const t0 = Date.now();
  const ctx: ScenarioContext = {
    runs,
    say: (s) => process.stdout.write(`[${((Date.now() - t0) / 1000).toFixed(0).padStart(4)} s] ${s}\n`),
    record: (m) => data.measures.push(m),
    installed: (k) => isInstalled(k),
    scale,
  };
  // A scaled-down run checks the machinery; it must not overwrite the real results.
  const mdFile = scale === 1 ? RESULTS_MD : path.join(os.tmpdir(), 'tsbgp-bench-check.md');
  const svgFile = scale === 1 ? RESULTS_SVG : path.join(os.tmpdir(), 'tsbgp-bench-check.svg');
  const save = (): void => {
    // Scenario order in the file follows SCENARIOS, whatever order they ran in.
    data.measures.sort((a, b) => SCENARIOS.indexOf(a.scenario as Scenario) - SCENARIOS.indexOf(b.scenario as Scenario));
    if (!render_only) data.total = (Date.now() - t0) / 1000;
    fs.writeFileSync(mdFile, render(data, data.total ?? 0));
    fs.writeFileSync(svgFile, chart(data));
    if (scale === 1) fs.writeFileSync(README_MD, withPerformance(fs.readFileSync(README_MD, 'utf8'), data));
  };
  if (render_only) save();
  if (todo.length > 0) {
    ctx.say('=== floors: Node.js start-up, idle tsbgp and ExaBGP');
    data.floors = await measureFloors(isInstalled('exabgp'));
    await stopAll();
  }
  for (const s of todo) {
    const ts = Date.now();
    ctx.say(`=== ${s}`);
    try {
      switch (s) {
        case 'receive':
          await receive(ctx);
          break;
        case 'config':
          await configScenario(ctx);
          break;
        case 'api':
          await apiScenario(ctx);
          break;
        case 'flowspec':
          await flowspecScenario(ctx);
          break;
        case 'peers':
          await peersScenario(ctx);
          break;
        case 'codec':
          data.micro = await codecScenario(ctx);
          break;
        case 'ddos':
          data.ddos = await ddosScenario(ctx);
          break;
        case 'http':
          data.http = await httpScenario(ctx);
          break;
        case 'profile':
          data.profiles = await profileScenario(ctx);
          break;
        case 'route-server':
          await routeServerScenario(ctx);
          break;
        case 'loc-rib':
          data.locRib = await locRibScenario(ctx);
          break;
        case 'route-reflector':
          await routeReflectorScenario(ctx);
          break;
      }
    } finally {
      // Whatever a scenario left running is stopped before the next one starts.
      await stopAll();
    }
    data.ran[s] = { at: new Date(ts).toISOString().slice(0, 16).replace('T', ' '), seconds: (Date.now() - ts) / 1000 };
    save();
  }
  ctx.say(`wrote ${mdFile} and ${svgFile}`);
}

if (require.main === module) {
  main().catch(async (e) => {
    process.stderr.write(`${(e as Error).stack}\n`);
    await stopAll();
    process.exitCode = 1;
  });
}
