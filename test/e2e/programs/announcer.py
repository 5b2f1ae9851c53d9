#!/usr/bin/env python3
"""An API program written the way ExaBGP users write them, for ExaBGP 4.2 and tsbgp alike.

It reads ExaBGP's JSON events on its standard input, one per line, skips the acks ("done"/"error"), and when a
session comes up writes its commands on its standard output: routes with the attributes scripts commonly set,
one route announced and withdrawn again, an IPv6 route. It stops when told the daemon is shutting down. Nothing
in it knows which daemon runs it.
"""

import json
import sys

COMMANDS = [
    'announce route 198.51.100.0/24 next-hop 192.0.2.1 med 50 community [65001:100 65001:200]',
    'announce route 198.51.101.0/24 next-hop 192.0.2.1 as-path [64512 64513] large-community [65001:1:1]',
    'announce route 198.51.102.0/25 next-hop 192.0.2.2 origin egp',
    'announce route 203.0.113.0/24 next-hop 192.0.2.1 community [no-export]',
    'announce route 203.0.113.128/25 next-hop 192.0.2.1',
    'withdraw route 203.0.113.128/25 next-hop 192.0.2.1',
    'announce route 2001:db8:100::/48 next-hop 2001:db8::1 med 7',
]


def send(command):
    sys.stdout.write(command + '\n')
    sys.stdout.flush()


def main():
    announced = False
    while True:
        line = sys.stdin.readline()
        if not line:
            return
        line = line.strip()
        if line in ('', 'done', 'error'):
            continue
        try:
            event = json.loads(line)
        except ValueError:
            continue
        if event.get('type') == 'notification' and event.get('notification') == 'shutdown':
            return
        if event.get('type') == 'state' and event['neighbor']['state'] == 'up' and not announced:
            for command in COMMANDS:
                send(command)
            announced = True


if __name__ == '__main__':
    main()
