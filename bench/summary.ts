// The texts written from the stored results besides RESULTS.md's tables: its notes, and the performance section of
// README.md. Every figure in them is computed here from the measurements; what no run measured is said in words or
// left out (the commits that made each change give the figures measured then).
import { secondsText } from './chart';
import { type Data, findMeasure, median, mib } from './data';
import type { Measure } from './scenarios/common';

const secs = (m: Measure | undefined): string => (m ? secondsText(median(m.runs)) : '(not measured)');
const peak = (m: Measure | undefined): string => (m && m.hwmKiB.length > 0 ? mib(median(m.hwmKiB)) : '(not measured)');
/** "a – b" over the runs, or the one run. */
function spread(m: Measure | undefined): string {
  if (!m) return '(not measured)';
  const lo = Math.min(...m.runs);
  const hi = Math.max(...m.runs);
  return lo === hi ? secondsText(lo) : `${secondsText(lo)} – ${secondsText(hi)}`;
}
/** Microseconds per item at the median. */
const perItemUs = (m: Measure | undefined): string =>
  m ? `${((median(m.runs) / m.items) * 1e6).toFixed(0)} µs` : '(not measured)';

const RX1M = '1,000,000 IPv4 /24, in table';
const RX1M_JSON = '1,000,000 IPv4 /24, JSON to a process';
const RX100K = '100,000 IPv4 /24, in table';
const RX100K_2 = '100,000 IPv4 /24, in table, second session';
const V6 = '200,000 IPv6 /48, in table';
const FLOW_TS = '100,000 flow rules through the API, to a tsbgp receiver';
const FLOW_GO = '100,000 flow rules through the API';
const FLOW_ALONE = /GoBGP's ingestion alone/;
const RR = '1 client × 500,000 prefixes reflected to 10 clients';

/** RESULTS.md's notes: what the profiles led to and the limits of the measurements. */
export function notes(data: Data): string[] {
  const f = (scenario: string, impl: string, job: string | RegExp) => findMeasure(data, scenario, impl, job);
  const exa100k = f('receive', 'ExaBGP', '100,000 IPv4 /24, JSON to a process');
  const birdPeers = f('peers', 'BIRD', /peers/);
  const cores = data.machine.cores ?? '?';
  const flowTs = f('flowspec', 'tsbgp', FLOW_TS);
  const alone = f('flowspec', 'GoBGP', FLOW_ALONE);
  const exaFlow = f('flowspec', 'ExaBGP', FLOW_GO);
  const idle = data.floors?.tsbgpIdleKiB;
  const exaFifth = exa100k && exa100k.hwmKiB.length > 0 ? median(exa100k.hwmKiB) / 5 : undefined;
  const twentieth = alone && exaFlow ? median(exaFlow.runs) / 20 : undefined;
  return [
    '## Notes',
    '',
    'Every figure here is computed from the measurements above by bench/summary.ts. The commits that made each',
    'change (`git log -- FILE`) give the figures measured before and after it.',
    '',
    '- Fixes that came out of the profiles, all in the code measured here:',
    '  - Adj-RIB-In (src/rib/prefix-map.ts): a Map keyed by address × 64 + length (a number V8 boxes) was most of',
    '    the receive profile; a typed-array prefix table with no object or string per prefix now takes',
    `    ${RX1M} in ${secs(f('receive', 'tsbgp', RX1M))} and ${V6} in ${secs(f('receive', 'tsbgp', V6))}.`,
    '  - Static routes (src/config/route-list.ts, src/rib/nlri-table.ts): one object graph per route in the parser',
    '    and Maps keyed by NLRI strings in the Adj-RIB-Out gave way to routes stored by columns and a byte-packed',
    `    NLRI table: 1,000,000 static routes to BIRD now take ${secs(f('config', 'tsbgp', '1,000,000 static routes'))} and ${peak(f('config', 'tsbgp', '1,000,000 static routes'))}.`,
    '  - Distinct attributes per route: attribute sets are interned by their encoded bytes and written in ~64 KiB',
    '    writes instead of an object per attribute and one socket write per UPDATE.',
    '  - JSON to processes (src/api/json.ts): UTF-8 bytes into shared buffers instead of a string per prefix',
    `    (${RX1M_JSON}: ${peak(f('receive', 'tsbgp', RX1M_JSON))} peak).`,
    '  - FlowSpec through the API (src/api/commands.ts, src/flowspec/, src/wire/ip.ts; profile below): the line is',
    '    cut instead of split into words and joined, IPv4 addresses and prefixes are read in one character pass,',
    '    keyword tables are Maps (object lookups internalised fresh strings and found Object.prototype names), and',
    `    the guard reads no index -1; a rule now takes ${perItemUs(flowTs)} end to end with a tsbgp receiver`,
    `    (${spread(flowTs)} for ${flowTs ? flowTs.items.toLocaleString('en-US') : 'the'} rules). What remains is spread over the parser, the guard and GC.`,
    '- Memory: the floors in the machine table are measured at the start of each run. An idle tsbgp',
    `  (${idle ? mib(idle) : '(not measured)'}) holds ${idle && exaFifth && idle > exaFifth ? 'more' : 'less'} than a fifth of what ExaBGP holds at 100,000 routes`,
    `  (${peak(exa100k)} with JSON to a process)${idle && exaFifth && idle > exaFifth ? ', so "≤ 1/5 of ExaBGP" cannot be met at that size by any per-route saving' : ''};`,
    '  the per-prefix cost (goal table) is the better measure. ExaBGP runs cut at their cap held only part',
    '  of the table when their memory was read. Tried for the 1,000,000-prefix jobs and not kept: a smaller young',
    '  generation (--max-semi-space-size: no lower peak, slower), the prefix table sized for its final size up front',
    '  (growth is not the peak), and the prefix table in 64K-entry segments (a little less memory, receive slower).',
    '- Starting Node.js (floors above) is in every configuration run, and the times include the polling interval',
    "  given in each scenario's description: the true time is up to one interval shorter.",
    `- Receiving with JSON to a process: three programs (the sender, the daemon, and the counting program that`,
    `  parses every line) share the ${cores} cores, so the wall time cannot go much below half their summed CPU`,
    '  (the profile below shows the daemon busy for less than the wall time).',
    '- Cold code (the "second session" rows): a process\'s first table runs through code V8 has not compiled yet:',
    `  tsbgp takes ${RX100K} in ${spread(f('receive', 'tsbgp', RX100K))} the first time and`,
    `  ${spread(f('receive', 'tsbgp', RX100K_2))} from a second session on; BIRD ${spread(f('receive', 'BIRD', RX100K))} and`,
    `  ${spread(f('receive', 'BIRD', RX100K_2))}. Tried and not kept: V8 flags (--always-sparkplug, --maglev,`,
    '  --interrupt-budget, --no-lazy-feedback-allocation: no gain beyond the noise), and a synthetic warm-up at',
    '  start-up, which cost more start-up time than it saved on the first table.',
    `- FlowSpec to GoBGP: GoBGP alone needs ${spread(alone)} to take in the rules (its row), ${twentieth !== undefined && median(alone!.runs) > twentieth ? 'more' : 'less'} than a twentieth of`,
    `  ExaBGP's ${secs(exaFlow)}; the tsbgp receiver rows compare the senders.`,
    `- Many peers: BIRD's runs vary widely (${birdPeers ? birdPeers.runs.map(secondsText).join(', ') : 'not measured'}).`,
  ];
}

/** One README cell: the median time, and the peak memory when asked. */
function cell(m: Measure | undefined, withMemory = false): string {
  if (!m) return '';
  if (m.capped !== undefined) {
    const got = m.got !== undefined && m.got >= 0 ? `${Math.round(m.got / 1000)}k of ${m.items / 1e6}M` : 'not all';
    return `${got} after ${m.capped} s`;
  }
  const lo = Math.min(...m.runs);
  const hi = Math.max(...m.runs);
  // A spread over 2× says more than the median.
  const t = hi > 2 * lo ? `${secondsText(lo).replace(' s', '')}-${secondsText(hi)}` : secondsText(median(m.runs));
  return withMemory && m.hwmKiB.length > 0 ? `${t}, ${mib(median(m.hwmKiB))}` : t;
}

/** The performance section of README.md, between its markers. */
export function readmePerformance(data: Data): string[] {
  const f = (scenario: string, impl: string, job: string | RegExp) => findMeasure(data, scenario, impl, job);
  const v = data.machine;
  const cores = v.cores ?? '?';
  const api = f('api', 'tsbgp', '1,000,000 announce route lines');
  const alone = f('flowspec', 'GoBGP', FLOW_ALONE);
  const rows: [string, string, string, string, string, string][] = [
    [
      'receive 1,000,000 IPv4 prefixes into the table',
      cell(f('receive', 'tsbgp', RX1M), true),
      cell(f('receive', 'BIRD', RX1M)),
      cell(f('receive', 'FRR', RX1M)),
      cell(f('receive', 'GoBGP', RX1M)),
      '',
    ],
    [
      'the same, every UPDATE as JSON to a program',
      cell(f('receive', 'tsbgp', RX1M_JSON), true),
      '',
      '',
      '',
      cell(f('receive', 'ExaBGP', RX1M_JSON), true),
    ],
    [
      'receive 100,000 IPv4 prefixes, second session',
      cell(f('receive', 'tsbgp', RX100K_2)),
      cell(f('receive', 'BIRD', RX100K_2)),
      '',
      '',
      '',
    ],
    [
      '1,000,000 static routes from the config to BIRD',
      cell(f('config', 'tsbgp', '1,000,000 static routes'), true),
      '',
      '',
      '',
      cell(f('config', 'ExaBGP', '1,000,000 static routes'), true),
    ],
    [
      '1,000,000 `announce route` lines from a program',
      api ? `${cell(api)}, ${api.capped === undefined ? 'none lost' : 'some lost'}` : '',
      '',
      '',
      '',
      cell(f('api', 'ExaBGP', '1,000,000 announce route lines')),
    ],
    [
      '100,000 FlowSpec rules from a program, to tsbgp',
      cell(f('flowspec', 'tsbgp', FLOW_TS), true),
      '',
      '',
      '',
      cell(f('flowspec', 'ExaBGP', FLOW_TS), true),
    ],
    [
      `the same to GoBGP (GoBGP alone needs ${alone ? secondsText(median(alone.runs)) : '?'})`,
      cell(f('flowspec', 'tsbgp', FLOW_GO)),
      '',
      '',
      '',
      cell(f('flowspec', 'ExaBGP', FLOW_GO)),
    ],
    ['100 peers × 10,000 prefixes', cell(f('peers', 'tsbgp', /peers/)), cell(f('peers', 'BIRD', /peers/)), '', '', ''],
  ];
  // Scenario 10, once it has run at full size.
  const rr = (impl: string): Measure | undefined => f('route-reflector', impl, RR);
  if (rr('tsbgp'))
    rows.push([
      'route reflector: 500,000 prefixes from one client to 10 clients',
      cell(rr('tsbgp'), true),
      cell(rr('BIRD'), true),
      '',
      cell(rr('GoBGP'), true),
      '',
    ]);
  const micro = (name: RegExp): string => {
    const r = data.micro.find((x) => name.test(x.name));
    return r ? r.value.split(',')[0]! : '(not measured)';
  };
  const first = f('receive', 'tsbgp', RX100K);
  const birdFirst = f('receive', 'BIRD', RX100K);
  const idle = data.floors?.tsbgpIdleKiB;
  const exa100k = f('receive', 'ExaBGP', '100,000 IPv4 /24, JSON to a process');
  const idleNote =
    idle && exa100k && exa100k.hwmKiB.length > 0 && idle > median(exa100k.hwmKiB) / 5
      ? `at 100,000 routes an idle tsbgp (${mib(idle)}, measured by the benchmark) already holds more than a fifth of what ExaBGP holds.`
      : 'the memory goals are in its goal table.';
  const coldNote =
    first && birdFirst && median(birdFirst.runs) < median(first.runs)
      ? `a process's first table runs through code V8 has not compiled yet (BIRD takes a first 100,000-prefix ` +
        `table in ${secs(birdFirst)} to tsbgp's ${secs(first)}; from the second session on tsbgp takes ` +
        `${secs(f('receive', 'tsbgp', RX100K_2))}), and `
      : '';
  return [
    `Measured by \`npm run bench\` on one ${cores}-core machine, side by side with ExaBGP ${v.ExaBGP ?? '?'}, BIRD ${v.BIRD ?? '?'}, GoBGP`,
    `${v.GoBGP ?? '?'} and FRR ${v.FRR ?? '?'} on loopback, in the same run; every number, the exact commands and the goals we still`,
    'miss are in [bench/RESULTS.md](bench/RESULTS.md). This section is written from those results by bench/summary.ts',
    '(`npm run bench -- --render` writes it again).',
    '',
    '![benchmark results](bench/results.svg)',
    '',
    `| Job (one ${cores}-core machine, loopback; median time, peak memory) | tsbgp | BIRD | FRR | GoBGP | ExaBGP |`,
    '|---|---|---|---|---|---|',
    ...rows.map((r) => `| ${r.join(' | ')} |`),
    '',
    `UPDATE decoding runs at ${micro(/^UPDATE decode \(/)} and encoding at ${micro(/^UPDATE encode/)} on one core.`,
    `Where tsbgp is not ahead, RESULTS.md says by how much and why: ${coldNote}${idleNote}`,
  ];
}

export const README_BEGIN = '<!-- bench:performance: written by bench/summary.ts from bench/RESULTS.md -->';
export const README_END = '<!-- /bench:performance -->';

/** README.md with its performance section replaced; throws when the markers are missing. */
export function withPerformance(readme: string, data: Data): string {
  const i = readme.indexOf(README_BEGIN);
  const j = readme.indexOf(README_END);
  if (i < 0 || j < i) throw new Error(`README.md has no ${README_BEGIN} ... ${README_END} section`);
  return `${readme.slice(0, i + README_BEGIN.length)}\n${readmePerformance(data).join('\n')}\n${readme.slice(j)}`;
}
