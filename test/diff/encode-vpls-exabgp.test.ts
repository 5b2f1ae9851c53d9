// Differential test: the UPDATE bytes of VPLS routes (RFC 4761) as tsbgp encodes them (`tsbgp encode`'s
// encodeVpls, from the routes the configuration parser reads) must be byte-identical to ExaBGP 4.2's
// (`exabgp -d -t CONF`, "parsed hex"): Debian's conf-l2vpn.conf and a configuration of our own with the three
// RD types, iBGP defaults (exabgp -t encodes for iBGP whatever the ASNs) and bare routes. ExaBGP prints one UPDATE per NLRI (the last route configured for it).

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { encodeVpls, toHex } from '../../src/cli/encode';
import { parseConfigFile } from '../../src/config/parser';
import { vplsEntry } from '../../src/daemon/routes';
import { skipReason } from '../support/programs';

const OURS = `neighbor 192.0.2.2 {
  router-id 192.0.2.1;
  local-address 192.0.2.1;
  local-as 65001;
  peer-as 65001;
  family {
    l2vpn vpls;
  }
  l2vpn {
    vpls rd 65000:7 endpoint 1 base 16 offset 0 size 10 next-hop 192.0.2.1;
    vpls rd 4200000000:9 endpoint 65535 base 65535 offset 65535 size 65535 next-hop 192.0.2.9 med 0 as-path [ 65001 65003 ];
    vpls rd 10.0.0.1:65535 endpoint 300 base 0 offset 2 size 1 next-hop 192.0.2.1 community [ no-export 65000:1 ] extended-community [ l2info:5:2:9000:0 origin:65000:3 ];
  }
}
`;

function exabgpHex(file: string): string[] {
  const r = spawnSync('exabgp', ['-d', '-t', file], {
    encoding: 'utf8',
    cwd: path.dirname(file),
    timeout: 120_000,
    env: { ...process.env, 'exabgp.log.destination': 'stdout' },
  });
  return [...`${r.stdout}\n${r.stderr}`.matchAll(/parsed hex\s+([0-9A-F ]+)/g)].map((m) => m[1]!.replace(/\s+/g, ''));
}

/** tsbgp's UPDATE for each NLRI of the file, the last route configured for an NLRI winning as in a RIB. */
function tsbgpHex(file: string): string[] {
  const byNlri = new Map<string, string>();
  for (const n of parseConfigFile(file).neighbors) {
    const localAs = n.localAs === 'auto' ? 0 : n.localAs;
    const peerAs = n.peerAs === 'auto' ? 0 : n.peerAs;
    for (const v of n.vpls) {
      const m = encodeVpls(v, {
        localAs,
        peerAs,
        asn4: true,
        addPath: false,
        selfV4: new Uint8Array(4),
        selfV6: new Uint8Array(16),
      });
      byNlri.set(toHex(vplsEntry(v).entry), toHex(m));
    }
  }
  return [...byNlri.values()];
}

test('VPLS UPDATEs are byte-identical to exabgp -d -t (conf-l2vpn.conf and our own routes)', {
  skip: skipReason('exabgp', 'exabgp-examples'),
  timeout: 240_000,
}, () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tsbgp-vpls-'));
  try {
    const ours = path.join(dir, 'vpls.conf');
    fs.writeFileSync(ours, OURS);
    for (const file of ['/usr/share/doc/exabgp/examples/conf-l2vpn.conf', ours]) {
      const want = exabgpHex(file).sort();
      assert.ok(want.length >= 2, `${file}: exabgp printed ${want.length} UPDATEs`);
      assert.deepEqual(tsbgpHex(file).sort(), want, file);
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
