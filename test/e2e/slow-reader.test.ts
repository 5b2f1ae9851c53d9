// The slow-reader case (test/e2e/slow-reader-case.ts) at a size npm test can afford: 100,000 one-prefix UPDATEs
// (TSBGP_SLOW_READER_UPDATES overrides it) to a program reading about 0.9 MB/s (TSBGP_SLOW_READER_RATE, bytes a
// second). test/reliability/slow-reader.test.ts runs it with 1,000,000 and the default settings; here the
// per-process bound (tsbgp.api.buffer) is 8 MiB, so that 100,000 events (45 MB of JSON) are more than it: a
// reader that keeps reading must not be cut off whatever the bound.

import { slowReaderCase } from './slow-reader-case';

slowReaderCase(
  Number(process.env.TSBGP_SLOW_READER_UPDATES ?? 100_000),
  Number(process.env.TSBGP_SLOW_READER_RATE ?? 900_000),
  { 'tsbgp.api.buffer': String(8 * 1024 * 1024) },
);
