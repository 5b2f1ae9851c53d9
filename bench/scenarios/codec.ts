// Scenario 6, codec micro-benchmarks: bench/codec.ts, flowspec.ts, labeled.ts and evpn.ts on one core, in a fresh child
// process (common.ts forkBench says why).
import { benchCodec, benchDecodeWalk } from '../codec';
import { benchEvpn } from '../evpn';
import { benchFlowspec } from '../flowspec';
import { benchLabeled } from '../labeled';
import { forkBench, type ScenarioContext } from './common';

export interface MicroResult {
  name: string;
  value: string;
}

const M = (x: number): string => `${(x / 1e6).toFixed(2)} M`;

export async function codecScenario(ctx: ScenarioContext): Promise<MicroResult[]> {
  const out = await forkBench<MicroResult[]>(__filename, ['--child']);
  for (const r of out) ctx.say(`  ${r.name}: ${r.value}`);
  return out;
}

async function measure(): Promise<MicroResult[]> {
  const c = await benchCodec();
  const walk = await benchDecodeWalk();
  const f = await benchFlowspec();
  const v = await benchLabeled();
  const e = await benchEvpn();
  const out: MicroResult[] = [
    {
      name: 'UPDATE decode (IPv4 /24)',
      value: `${M(c.decodePps)} prefixes/s, ${(c.decodeBps / 2 ** 20).toFixed(0)} MiB/s`,
    },
    { name: 'UPDATE decode + walk every prefix', value: `${M(walk)} prefixes/s` },
    {
      name: 'UPDATE encode (packUpdates)',
      value: `${M(c.encodePps)} prefixes/s, ${(c.encodeBps / 2 ** 20).toFixed(0)} MiB/s`,
    },
  ];
  for (const [fam, r] of Object.entries(f)) {
    out.push({ name: `FlowSpec ${fam} encode`, value: `${M(r.encodePerSec)} rules/s` });
    out.push({ name: `FlowSpec ${fam} decode (scan + items)`, value: `${M(r.decodePerSec)} rules/s` });
    out.push({ name: `FlowSpec ${fam} scan only`, value: `${M(r.scanPerSec)} rules/s` });
  }
  for (const [fam, r] of [...Object.entries(v), ...Object.entries(e)]) {
    out.push({ name: `${fam} encode`, value: `${M(r.encodePerSec)} routes/s` });
    out.push({ name: `${fam} decode (scan + items)`, value: `${M(r.decodePerSec)} routes/s` });
  }
  return out;
}

if (require.main === module && process.argv.includes('--child')) {
  void measure().then((out) => process.send?.(out, () => process.exit(0)));
}
