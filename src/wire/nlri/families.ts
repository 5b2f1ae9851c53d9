// Every family codec, loaded for its registration (each module calls registerFamily when it is loaded). The
// UPDATE decoder imports this module so that what it reads does not depend on which other modules a program
// happened to import: without it, a process that loaded only the decoder kept MVPN, MUP, BGP-LS, RTC, SR Policy,
// FlowSpec and VPN NLRI raw while the daemon parsed (and refused) the same bytes.

import './bgpls';
import './evpn';
import './flowspec';
import './labeled';
import './rtc';
import './srpolicy';
import './typed';
import './vpls';
