// A DdosService on a fake clock for the unit tests: datagrams go straight into its collector, the detector ticks
// once per `second()`, the mitigator's commands are recorded (or refused by `run`), events kept as parsed JSON.

import type { DdosConfig } from '../../../src/ddos/config';
import { DdosService } from '../../../src/ddos/service';

export const EXPORTER = '127.0.0.1';

export function serviceRig(cfg: DdosConfig, run: (line: string) => string | null = () => null) {
  const commands: string[] = [];
  const events: {
    event: string;
    victim: string;
    signature: Record<string, unknown>;
    notSent: { rule: string; reason: string }[];
  }[] = [];
  let now = 1_000_000;
  const svc = new DdosService(
    cfg,
    {
      run: (l) => {
        const why = run(l);
        if (why === null) commands.push(l);
        return why;
      },
      event: (l) => {
        const e = JSON.parse(l).ddos;
        events.push({ event: e.event, victim: e.victim, signature: e.signature, notSent: e.mitigation['not-sent'] });
      },
      log: () => undefined,
    },
    now,
  );
  /** One second: the datagrams into the collector, then a tick. */
  const second = (...bufs: Uint8Array[]) => {
    for (const b of bufs) svc.collector.datagram(b, EXPORTER, 9000, now);
    now += 1000;
    svc.detector.tick(now);
  };
  return { svc, commands, events, second, now: () => now };
}
