// The HTTP server against a real BIRD 2 peer and a real Prometheus: BIRD originates routes with an AS path and
// communities; tsbgp (a child process, tsbgp.http.* from the environment) answers lookups of them over HTTP
// with the path and the communities decoded and named; Prometheus scrapes /metrics and its own query API
// reports `up == 1` and tsbgp's prefix count equal to what BIRD sent; the write API refuses a request without
// the token, announces with it (BIRD then holds the route), and answers a rule the FlowSpec guard refuses with
// 422 and the guard's reasons.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { TsbgpChild } from '../support/tsbgp';
import { startHttpLab } from './http-lab';
import { allocEndpoint, type Bird, ManagedProcess, makeTempDir, skipReason, stopAll, waitFor } from './peers';

after(stopAll);

const AS_T = 65440;
const AS_B = 65441;
const TOKEN = 'test-token-3f9c2a';
const ROUTES = 40;

const skip = skipReason('bird', 'prometheus');

describe('HTTP API and /metrics against BIRD and Prometheus', { skip }, () => {
  let t: TsbgpChild;
  let bird: Bird;
  let base: string;
  let eB: { address: string; port: number };

  before(async () => {
    const routes = [];
    for (let i = 0; i < ROUTES; i++)
      routes.push({
        prefix: `10.44.${i}.0/24`,
        nextHop: '192.0.2.44',
        asPath: [65442, 65443],
        communities: ['65535:65281', '65441:100'],
        largeCommunities: ['65441:1:2'],
      });
    const lab = await startHttpLab({
      name: 'http-bird',
      asT: AS_T,
      asB: AS_B,
      routes,
      names: { '65441:100': 'learned at the lab IX', '65441:1:*': 'lab region' },
      env: { 'tsbgp.http.token': TOKEN },
    });
    ({ t, bird, base } = lab);
    eB = { address: lab.birdAddress, port: 0 };
  });

  after(async () => {
    await t?.stop();
  });

  async function getJson(p: string, init?: RequestInit): Promise<any> {
    const r = await fetch(base + p, init);
    assert.equal(r.status, 200, `${p}: ${r.status} ${await r.clone().text()}`);
    return r.json();
  }

  it('answers /healthz and /readyz', async () => {
    assert.deepEqual(await getJson('/healthz'), { status: 'ok' });
    assert.deepEqual(await getJson('/readyz'), { status: 'ready' });
  });

  it('shows the neighbor with its session, capabilities and counters', async () => {
    const n = await getJson(`/api/v1/neighbors/${eB.address}`);
    assert.equal(n.state, 'established');
    assert.equal(n.peerAs, AS_B);
    assert.ok(n.negotiated.families.includes('ipv4-unicast'));
    assert.ok(n.negotiated.asn4);
    assert.ok(n.counters.messagesReceived.update >= 1);
    assert.equal(n.prefixes.received['ipv4-unicast'], ROUTES);
  });

  it('looks a prefix and an address up, with the AS path and the communities named', async () => {
    const exact = await getJson('/api/v1/lookup?prefix=10.44.7.0/24');
    assert.equal(exact.routes.length, 1);
    const r = exact.routes[0];
    assert.equal(r.prefix, '10.44.7.0/24');
    assert.equal(r.neighbor, eB.address);
    assert.equal(r.asPath, `${AS_B} 65442 65443`);
    assert.equal(r.originAs, 65443);
    // BIRD sends communities sorted; the order is BIRD's.
    const byValue = (a: { value: string }, b: { value: string }) => a.value.localeCompare(b.value);
    assert.deepEqual(r.communities.sort(byValue), [
      { value: '65441:100', name: 'learned at the lab IX' },
      { value: '65535:65281', name: 'no-export', wellKnown: true },
    ]);
    assert.deepEqual(r.largeCommunities, [{ value: '65441:1:2', name: 'lab region' }]);
    const longest = await getJson('/api/v1/lookup?prefix=10.44.7.99');
    assert.equal(longest.match, 'longest');
    assert.equal(longest.routes[0].prefix, '10.44.7.0/24');
    assert.equal((await getJson('/api/v1/lookup?prefix=10.45.0.1')).routes.length, 0);
    const byAs = await getJson('/api/v1/routes?origin-as=65443&limit=1000');
    assert.equal(byAs.routes.length, ROUTES);
    const byComm = await getJson('/api/v1/routes?community=no-export&limit=5');
    assert.equal(byComm.routes.length, 5);
    const bad = await fetch(`${base}/api/v1/lookup?prefix=10.44.7.0/33`);
    assert.equal(bad.status, 400);
  });

  it('pages and streams the Adj-RIB-In', async () => {
    const page = await getJson(`/api/v1/neighbors/${eB.address}/adj-rib-in?limit=15&offset=30`);
    assert.equal(page.total, ROUTES);
    assert.equal(page.routes.length, 10);
    const r = await fetch(`${base}/api/v1/neighbors/${eB.address}/adj-rib-in?format=ndjson`);
    const lines = (await r.text())
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    assert.equal(lines.length, ROUTES);
    assert.equal(new Set(lines.map((l) => l.prefix)).size, ROUTES);
  });

  it("names its metrics as Prometheus's linter wants (promtool check metrics)", async () => {
    const text = await (await fetch(`${base}/metrics`)).text();
    const r = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
    // Nothing of ours is faulted. prom-client's default Node.js metrics have three gauges named *_total
    // (nodejs_active_handles_total, ...), under the names every Node.js dashboard queries: left as they are.
    const findings = `${r.stdout}${r.stderr}`.split('\n').filter((l) => l.trim() !== '');
    assert.deepEqual(
      findings.filter((l) => !/^nodejs_active_(handles|requests|resources)_total non-counter/.test(l)),
      [],
    );
    for (const name of [
      'tsbgp_neighbor_up',
      'tsbgp_neighbor_session_state',
      'tsbgp_neighbor_uptime_seconds',
      'tsbgp_neighbor_messages_received_total',
      'tsbgp_neighbor_messages_sent_total',
      'tsbgp_neighbor_prefixes_received',
      'tsbgp_neighbor_prefixes_advertised',
      'tsbgp_process_backlog_bytes',
      'nodejs_eventloop_lag_seconds',
      'process_resident_memory_bytes',
    ])
      assert.match(text, new RegExp(`^# TYPE ${name} `, 'm'), name);
    assert.match(
      text,
      new RegExp(
        `tsbgp_neighbor_messages_received_total\\{neighbor="${eB.address.replace(/\./g, '\\.')}",type="update"\\} [1-9]`,
      ),
    );
  });

  it('is scraped by Prometheus: up == 1 and the prefix count BIRD sent', async () => {
    const dir = makeTempDir('prometheus');
    const ep = await allocEndpoint();
    const conf = path.join(dir, 'prometheus.yml');
    fs.writeFileSync(
      conf,
      [
        'global:',
        '  scrape_interval: 1s',
        '  evaluation_interval: 1s',
        'scrape_configs:',
        '  - job_name: tsbgp',
        '    static_configs:',
        `      - targets: ['${base.slice('http://'.length)}']`,
        '',
      ].join('\n'),
    );
    const prom = new ManagedProcess(
      'prometheus',
      'prometheus',
      [
        `--config.file=${conf}`,
        `--web.listen-address=${ep.address}:${ep.port}`,
        `--storage.tsdb.path=${path.join(dir, 'data')}`,
      ],
      path.join(dir, 'prometheus.log'),
    );
    const query = async (q: string): Promise<{ metric: Record<string, string>; value: [number, string] }[]> => {
      const r = await fetch(`http://${ep.address}:${ep.port}/api/v1/query?query=${encodeURIComponent(q)}`);
      if (r.status !== 200) return [];
      const j = (await r.json()) as any;
      return j.status === 'success' ? j.data.result : [];
    };
    try {
      const up = await waitFor(async () => (await query('up{job="tsbgp"} == 1'))[0], 30_000, 'Prometheus: up == 1');
      assert.equal(up.value[1], '1');
      const sent = await bird.routeCount('ipv4');
      const count = await waitFor(
        async () =>
          (await query(`tsbgp_neighbor_prefixes_received{neighbor="${eB.address}",family="ipv4-unicast"}`))[0],
        30_000,
        'Prometheus: tsbgp_neighbor_prefixes_received',
      );
      assert.equal(Number(count.value[1]), ROUTES);
      // What BIRD sent is every route of its table that it exports to tsbgp: its own statics.
      assert.equal(Number(count.value[1]), sent);
      const state = await query(`tsbgp_neighbor_up{neighbor="${eB.address}"}`);
      assert.equal(state[0]?.value[1], '1');
    } finally {
      await prom.stop();
    }
  });

  it('refuses the write API without the token, announces with it, and BIRD gets the route', async () => {
    const body = JSON.stringify({ route: '10.99.1.0/24 next-hop 192.0.2.9 community [ 65440:7 ]' });
    const post = (auth?: string) =>
      fetch(`${base}/api/v1/announce`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(auth ? { authorization: auth } : {}) },
        body,
      });
    assert.equal((await post()).status, 401);
    const auth = { authorization: `Bearer ${TOKEN}` };
    const bad = async (b: string, status: number, why: RegExp) => {
      const r = await fetch(`${base}/api/v1/announce`, { method: 'POST', headers: auth, body: b });
      assert.equal(r.status, status, b);
      assert.match(((await r.json()) as { error: string }).error, why);
    };
    await bad('not json', 400, /not JSON/);
    await bad(JSON.stringify({ route: '10.99.2.0/24' }), 400, /next-hop/);
    await bad(JSON.stringify({ route: '10.99.2.0/24 next-hop 192.0.2.9\nshutdown' }), 400, /one line/);
    await bad(JSON.stringify({ route: '10.99.2.0/24 next-hop 192.0.2.9', neighbor: '192.0.2.77' }), 404, /no neighbor/);
    assert.equal((await post('Bearer wrong-token')).status, 401);
    const ok = await post(`Bearer ${TOKEN}`);
    assert.equal(ok.status, 200, await ok.clone().text());
    const got = await waitFor(
      async () => (await bird.routes('ipv4')).find((r: { prefix: string }) => r.prefix === '10.99.1.0/24'),
      20_000,
      'BIRD holds 10.99.1.0/24',
    );
    assert.deepEqual(got.communities, ['65440:7']);
    assert.equal(got.nextHop, '192.0.2.9');
    const out = await getJson('/api/v1/lookup?prefix=10.99.1.0/24&rib=out');
    assert.equal(out.routes[0].nextHop, '192.0.2.9');
    const w = await fetch(`${base}/api/v1/withdraw`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}` },
      body: JSON.stringify({ route: '10.99.1.0/24' }),
    });
    assert.equal(w.status, 200, await w.clone().text());
    await waitFor(
      async () => !(await bird.routes('ipv4')).some((r: { prefix: string }) => r.prefix === '10.99.1.0/24'),
      20_000,
      'BIRD dropped 10.99.1.0/24',
    );
  });

  it('answers a flow rule the guard refuses with 422 and the reasons', async () => {
    const r = await fetch(`${base}/api/v1/announce`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}` },
      body: JSON.stringify({ flow: 'match { destination 0.0.0.0/0; protocol tcp; } then { discard; }' }),
    });
    assert.equal(r.status, 422);
    const j = (await r.json()) as any;
    assert.match(j.error, /flow rule refused/);
    assert.ok(j.reasons.length >= 1);
    assert.ok(
      j.reasons.some((x: any) => x.code === 'wide-destination' || x.code === 'matches-bgp'),
      JSON.stringify(j),
    );
    const metrics = await (await fetch(`${base}/metrics`)).text();
    assert.match(metrics, /tsbgp_flowspec_guard_refusals_total\{reason="(wide-destination|matches-bgp)"\} [1-9]/);
    assert.match(metrics, /tsbgp_commands_total\{source="http",result="refused"\} [1-9]/);
    const fine = await fetch(`${base}/api/v1/announce`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}` },
      body: JSON.stringify({
        flow: 'match { destination 10.44.3.9/32; protocol udp; destination-port =53; } then { discard; }',
      }),
    });
    assert.equal(fine.status, 200, await fine.clone().text());
    const flows = await getJson('/api/v1/flows');
    assert.equal(flows.flows.length, 1);
    assert.equal(flows.flows[0].source, 'http');
    assert.match(flows.flows[0].rule, /destination-ipv4 10\.44\.3\.9\/32/);
  });
});
