// `tsbgp decode`: print a BGP message as ExaBGP 4.2 prints it (`exabgp --decode HEX CONF`), one JSON object per
// message. HEX is a full message (with the 16-byte marker, several may follow each other), a message without
// marker (length + type + body), or a bare UPDATE body, as ExaBGP accepts; colons and spaces are ignored.
// Without HEX, every line of standard input is one HEX.

import * as readline from 'node:readline';
import { afiName, type Direction, JsonEncoder, type NeighborContext, safiName } from '../api/json';
import { ExabgpTextEncoder } from '../api/text';
import { isDecodeError } from '../wire/errors';
import { decodeMessage } from '../wire/message';
import { parseFamily } from '../wire/nlri/registry';
import {
  type CodecContext,
  type FamilyKey,
  HEADER_LENGTH,
  MAX_EXTENDED_MESSAGE,
  type Message,
  MessageType,
} from '../wire/types';

const USAGE = `usage: tsbgp decode [options] [HEX ...]
  Print BGP messages as ExaBGP 4.2 JSON (what 'exabgp --decode HEX CONF' prints), one object per line.
  HEX: a full message (marker included), a message without marker, or an UPDATE body; ':' and spaces ignored.
  Without HEX, each line of standard input is decoded and answered in its place: a line that cannot be decoded
  gets {"error": "REASON"} (with --text: error REASON), a blank or comment line an empty line, so JSON output has
  one line per input line; the exit code is 1 if a line was refused.
options:
  --family "AFI SAFI"      accept only these families (repeatable; default: every family tsbgp knows)
  --path-information       NLRI carry ADD-PATH path identifiers (RFC 7911), for every family
  --asn2                   AS_PATH/AGGREGATOR use 2-octet AS numbers (default: 4-octet, as ExaBGP's decode)
  --local-address IP       neighbor context printed in the JSON (default 127.0.0.1)
  --peer-address IP        (default 127.0.0.1)
  --local-as N             (default 65000)
  --peer-as N              (default 65000)
  --direction WORD         (default "in", as exabgp --decode)
  --text                   print ExaBGP's text encoder output instead of JSON
  --compact                ExaBGP api.compact: prefixes without path-id printed as plain strings
`;

interface Options {
  families: FamilyKey[] | null;
  ctx: CodecContext;
  neighbor: NeighborContext;
  direction: Direction;
  text: boolean;
  compact: boolean;
  hex: string[];
}

/** All families an ADD-PATH flag can apply to: every AFI/SAFI pair (the set is only consulted by lookup). */
class AllFamilies extends Set<FamilyKey> {
  override has(): boolean {
    return true;
  }
}

function parseArgs(args: string[]): Options | string {
  const o: Options = {
    families: null,
    ctx: { asn4: true, addPath: new Set(), maxMessage: MAX_EXTENDED_MESSAGE },
    neighbor: { localAddress: '127.0.0.1', peerAddress: '127.0.0.1', localAs: 65000, peerAs: 65000 },
    direction: 'in',
    text: false,
    compact: false,
    hex: [],
  };
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    const val = (): string => {
      const v = args[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    const asn = (s: string): number => {
      const n = Number(s);
      if (!Number.isInteger(n) || n < 0 || n > 0xffffffff) throw new Error(`invalid AS number: ${s}`);
      return n;
    };
    switch (a) {
      case '-h':
      case '--help':
        return 'help';
      case '--family': {
        const words = val().trim().split(/\s+/);
        const k = parseFamily(words[0] ?? '', words[1] ?? '');
        if (k === undefined) throw new Error(`unknown family: ${words.join(' ')}`);
        (o.families ??= []).push(k);
        break;
      }
      case '--path-information':
      case '--add-path':
        o.ctx.addPath = new AllFamilies();
        break;
      case '--asn2':
        o.ctx.asn4 = false;
        break;
      case '--local-address':
        o.neighbor.localAddress = val();
        break;
      case '--peer-address':
        o.neighbor.peerAddress = val();
        break;
      case '--local-as':
        o.neighbor.localAs = asn(val());
        break;
      case '--peer-as':
        o.neighbor.peerAs = asn(val());
        break;
      case '--direction':
        o.direction = val() as Direction;
        break;
      case '--text':
        o.text = true;
        break;
      case '--compact':
        o.compact = true;
        break;
      default:
        if (a.startsWith('--')) throw new Error(`unknown option ${a}`);
        o.hex.push(a);
    }
  }
  return o;
}

/** Hex text to bytes; ':' and whitespace are separators, as in ExaBGP. */
export function parseHex(s: string): Uint8Array {
  const h = s.replace(/[\s:]/g, '');
  if (h.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(h)) throw new Error('the BGP message must be an hexadecimal string');
  return Uint8Array.from(Buffer.from(h, 'hex'));
}

/** Split input into (type, body) pairs: full messages, one marker-less message, or one UPDATE body. */
export function splitMessages(raw: Uint8Array): { type: number; body: Uint8Array }[] {
  const out: { type: number; body: Uint8Array }[] = [];
  const hasMarker = (o: number): boolean =>
    raw.length - o >= HEADER_LENGTH && raw.subarray(o, o + 16).every((x) => x === 0xff);
  if (hasMarker(0)) {
    let o = 0;
    while (o < raw.length) {
      if (!hasMarker(o)) throw new Error(`no BGP marker at offset ${o}`);
      const len = (raw[o + 16]! << 8) | raw[o + 17]!;
      if (len < HEADER_LENGTH || o + len > raw.length) throw new Error(`invalid message length ${len} at offset ${o}`);
      out.push({ type: raw[o + 18]!, body: raw.subarray(o + HEADER_LENGTH, o + len) });
      o += len;
    }
    return out;
  }
  // "001E02..." : length (counting the absent marker) and type, as ExaBGP's usage text shows.
  if (raw.length >= 3 && ((raw[0]! << 8) | raw[1]!) === raw.length + 16 && raw[2]! >= 1 && raw[2]! <= 5) {
    return [{ type: raw[2]!, body: raw.subarray(3) }];
  }
  return [{ type: MessageType.UPDATE, body: raw }];
}

function familiesOf(m: Message): FamilyKey[] {
  if (m.type !== MessageType.UPDATE) return [];
  const a = m.update.attributes;
  const f: FamilyKey[] = [];
  if (a.mpReach) f.push(a.mpReach.family);
  if (a.mpUnreach) f.push(a.mpUnreach.family);
  return f;
}

/** Decode one HEX input to its output lines (JSON or text). Throws Error with a readable message. */
export function decodeToLines(hex: string, o: Options, json: JsonEncoder, text: ExabgpTextEncoder): string[] {
  const lines: string[] = [];
  for (const { type, body } of splitMessages(parseHex(hex))) {
    let m: Message;
    try {
      m = decodeMessage(type, body, o.ctx);
    } catch (e) {
      if (isDecodeError(e))
        throw new Error(`could not parse the message: ${e.message} (code ${e.code} subcode ${e.subcode})`);
      throw e;
    }
    if (o.families) {
      for (const f of familiesOf(m))
        if (!o.families.includes(f))
          throw new Error(`presented a non-negotiated family ${afiName(f >> 8)} ${safiName(f & 0xff)}`);
    }
    const n = o.neighbor;
    const d = o.direction;
    switch (m.type) {
      case MessageType.UPDATE:
        lines.push(o.text ? text.update(n, d, m.update) : json.update(n, d, m.update));
        break;
      case MessageType.OPEN:
        lines.push(o.text ? text.open(n, d, m.open) : json.open(n, d, m.open));
        break;
      case MessageType.NOTIFICATION:
        lines.push(o.text ? text.notification(n, d, m.notification) : json.notification(n, d, m.notification));
        break;
      case MessageType.KEEPALIVE:
        lines.push(o.text ? text.keepalive(n, d) : json.keepalive(n, d));
        break;
      case MessageType.ROUTE_REFRESH:
        lines.push(o.text ? text.refresh(n, d, m.refresh) : json.refresh(n, d, m.refresh));
        break;
    }
  }
  // Text events end in a newline already; JSON ones do not.
  return lines.map((l) => (l.endsWith('\n') ? l.slice(0, -1) : l));
}

export async function run(args: string[]): Promise<number> {
  let o: Options;
  try {
    const p = parseArgs(args);
    if (typeof p === 'string') {
      process.stdout.write(USAGE);
      return 0;
    }
    o = p;
  } catch (e) {
    process.stderr.write(`tsbgp decode: ${(e as Error).message}\n${USAGE}`);
    return 2;
  }
  const json = new JsonEncoder({ compact: o.compact });
  const text = new ExabgpTextEncoder();
  let failed = 0;
  if (o.hex.length) {
    // Like exabgp --decode, several words form one hex string ("FFFF... 001E02 0000...").
    try {
      const lines = decodeToLines(o.hex.join(''), o, json, text);
      if (lines.length) process.stdout.write(lines.join('\n') + '\n');
    } catch (e) {
      process.stderr.write(`tsbgp decode: ${(e as Error).message}\n`);
      return 1;
    }
    return 0;
  }
  // Standard input: the output keeps in step with the input, so that line N answers line N. A line that
  // cannot be decoded gets an error line in its place on stdout (a JSON object with "error" in JSON mode);
  // a blank or comment line an empty line. Only a line holding several messages gives one line per message.
  const rl = readline.createInterface({ input: process.stdin, crlfDelay: Infinity });
  for await (const line of rl) {
    if (line.trim() === '' || line.trimStart().startsWith('#')) {
      process.stdout.write('\n');
      continue;
    }
    let lines: string[];
    try {
      lines = decodeToLines(line, o, json, text);
    } catch (e) {
      failed++;
      const reason = (e as Error).message;
      lines = [o.text ? `error ${reason}` : JSON.stringify({ error: reason })];
    }
    process.stdout.write(`${lines.length > 0 ? lines.join('\n') : ''}\n`);
  }
  return failed ? 1 : 0;
}
