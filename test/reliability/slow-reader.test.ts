// Issue 11's slow-reader proof at full size: 1,000,000 one-prefix UPDATEs to a program reading about 0.9 MB/s
// (test/e2e/slow-reader-case.ts): every event delivered, no session drop, tsbgp's peak memory printed and under
// 300 MiB. Takes about 9 minutes (2026-12-07: 542 s, 873 KB/s read, peak RSS 155 MiB). TSBGP_SLOW_READER_UPDATES
// and TSBGP_SLOW_READER_RATE override the figures.

import { slowReaderCase } from '../e2e/slow-reader-case';

slowReaderCase(
  Number(process.env.TSBGP_SLOW_READER_UPDATES ?? 1_000_000),
  Number(process.env.TSBGP_SLOW_READER_RATE ?? 900_000),
);
