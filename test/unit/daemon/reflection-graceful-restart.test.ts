// Route reflection through real sessions, three tsbgp daemons in this process on loopback: a reflector R and two
// clients, A (graceful-restart 2, two static routes) and B. A's routes reach B through R with ORIGINATOR_ID and
// CLUSTER_LIST; when A shuts down without NOTIFICATION (graceful restart, RFC 4724), R keeps A's paths stale and
// B keeps them (no flap); when A's restart time runs out, R withdraws them from B.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { waitFor } from '../../interop/peers/common';
import { reflectionLab } from './reflection-lab';

test('a client restarting gracefully: its reflected routes stay at the other client until its restart time ends', async () => {
  const { a, b, conf, member, client, reflector, daemon } = await reflectionLab('rr-gr');
  const logR: string[] = [];
  const gr = ' capability { graceful-restart 30; }\n';
  const dR = reflector(conf('r.conf', `cluster-id 10.255.0.1;\n${member(a, gr)}${member(b, gr)}`), logR);
  const dA = daemon(
    conf(
      'a.conf',
      client(
        a,
        '10.0.0.11',
        ' capability { graceful-restart 2; }\n static {\n  route 10.7.0.0/24 next-hop 192.0.2.9;\n  route 10.7.1.0/24 next-hop 192.0.2.9;\n }\n',
      ),
    ),
  );
  const dB = daemon(conf('b.conf', client(b, '10.0.0.12', '')));
  try {
    await dR.start();
    await dA.start();
    await dB.start();
    const ribB = () => dB.neighbors[0]!.ribIn!;
    await waitFor(() => ribB().size === 2, 15_000, "A's two routes at B");
    const route = [...ribB().routes()][0]!.attributes.attributes;
    assert.deepEqual([...route.originatorId!], [10, 0, 0, 11]);
    assert.deepEqual(
      route.clusterList!.map((c) => [...c]),
      [[10, 255, 0, 1]],
    );
    assert.deepEqual([...route.nextHop!], [192, 0, 2, 9]);

    const left = Date.now();
    await dA.shutdown('restarting');
    const atR = dR.neighbors.find((n) => n.cfg.peerAddress === a)!;
    await waitFor(() => atR.peer.state !== 'Established', 10_000, 'R to see A go');
    assert.equal(dR.reflector!.rib.pathCount, 2, 'R keeps A paths, stale');
    assert.equal(ribB().size, 2, 'B keeps them: no withdrawal while A restarts');
    await waitFor(() => ribB().size === 0, 10_000, 'withdrawn at B when the restart time ran out');
    assert.ok(Date.now() - left >= 1500, `withdrawn after ${Date.now() - left} ms, before A's restart time`);
    assert.equal(dR.reflector!.rib.pathCount, 0);
    assert.ok(
      logR.some((l) => /2 stale route\(s\) of ipv4 unicast deleted \(restart-timer\)/.test(l)),
      logR.join('\n'),
    );
  } finally {
    await dB.shutdown('test over');
    await dA.shutdown('test over');
    await dR.shutdown('test over');
  }
});
