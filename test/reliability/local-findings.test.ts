// Issue 11's findings 2, 3, 5 and 7 replayed in the reliability suite, by the tests that prove their fixes (they
// also run in npm test): named pipes and control sockets of other local users refused, two daemons with no socket
// option, silent connections that no longer keep a neighbor (a tsbgp peer, BIRD) out, and the UPDATEs the RFCs
// say to ignore.

import '../e2e/local-users.test';
import '../interop/silent-connections.test';
import '../unit/session/pending-inbound.test';
import '../unit/session/received.test';
