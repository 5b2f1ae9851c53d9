// The `tsbgp` command: one word picks the subcommand, the rest goes to it.
// A first argument that is a file (not a subcommand) runs the daemon on it, as `exabgp CONF` does.

const SUBCOMMANDS: Record<string, string> = {
  decode: './decode',
  encode: './encode',
  validate: './validate',
  run: './run',
  cli: './cli',
  healthcheck: './healthcheck',
  demo: './demo',
};

const USAGE = `usage: tsbgp <command> [options]
  tsbgp CONF | tsbgp run CONF   run the daemon on an ExaBGP-style configuration
  tsbgp validate CONF           check a configuration without connecting anywhere
  tsbgp decode [HEX]            print a BGP message as ExaBGP 4.2 JSON
  tsbgp encode ["route ..."]    print the UPDATE bytes for a route, in hex
  tsbgp cli COMMAND             send an API command to a running daemon
  tsbgp healthcheck [options]   anycast health check, used as an API process
  tsbgp demo                    two speakers on loopback showing the whole loop
`;

export async function main(argv: string[]): Promise<number> {
  const [first, ...rest] = argv;
  if (first === undefined || first === '-h' || first === '--help' || first === 'help') {
    process.stdout.write(USAGE);
    return first === undefined ? 1 : 0;
  }
  if (first === '--version' || first === 'version') {
    process.stdout.write(`tsbgp ${require('../../../package.json').version}\n`);
    return 0;
  }
  const modPath = SUBCOMMANDS[first];
  if (modPath === undefined) {
    // `tsbgp CONF` is the daemon, as `exabgp CONF`.
    const mod = (await import('./run')) as { run: (a: string[]) => Promise<number> };
    return mod.run(argv);
  }
  const mod = (await import(modPath)) as { run: (a: string[]) => Promise<number> };
  return mod.run(rest);
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => (process.exitCode = code),
    (err: unknown) => {
      process.stderr.write(`tsbgp: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exitCode = 1;
    },
  );
}
