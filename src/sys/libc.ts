// The few libc calls Node.js has no API for: socket options (TCP MD5, TTL security) on sockets made before the SYN,
// and Unix datagram sockets for syslog. They go through koffi (a prebuilt FFI, see docs/DEPENDENCIES.md), required
// on first use only, so that a configuration that needs none of them never loads it. Linux only.

/** The part of koffi's API used here (typed locally: building tsbgp does not need koffi installed). */
interface Koffi {
  load(path: string): { func(declaration: string): (...args: unknown[]) => number };
  errno(): number;
}

export interface Libc {
  socket(domain: number, type: number, protocol: number): number;
  setsockopt(fd: number, level: number, name: number, value: Buffer, len: number): number;
  bind(fd: number, addr: Buffer, len: number): number;
  sendto(fd: number, data: Buffer, len: number, flags: number, addr: Buffer, addrLen: number): number;
  close(fd: number): number;
  /** errno of the last call that failed. */
  errno(): number;
}

// Linux values (include/linux/net.h), the same on x86-64, arm64 and riscv64.
export const SOCK_NONBLOCK = 0o4000;
export const SOCK_CLOEXEC = 0o2000000;

let libc: Libc | undefined;
let loadError: string | undefined;

/** libc's functions, loaded once; throws (every time) with the reason when this system cannot provide them. */
export function loadLibc(): Libc {
  if (libc) return libc;
  if (loadError === undefined) {
    if (process.platform !== 'linux') {
      loadError = `only supported on Linux (this is ${process.platform})`;
    } else {
      try {
        const koffi = require('koffi') as Koffi;
        const lib = koffi.load('libc.so.6');
        libc = {
          socket: lib.func('int socket(int, int, int)'),
          setsockopt: lib.func('int setsockopt(int, int, int, const void *, uint32_t)'),
          bind: lib.func('int bind(int, const void *, uint32_t)'),
          sendto: lib.func('long sendto(int, const void *, size_t, int, const void *, uint32_t)'),
          close: lib.func('int close(int)'),
          errno: () => koffi.errno(),
        };
        return libc;
      } catch (e) {
        loadError = `cannot load libc.so.6 through koffi: ${(e as Error).message}`;
      }
    }
  }
  throw new Error(loadError);
}
