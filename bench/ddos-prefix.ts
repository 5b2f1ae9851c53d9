// A network for the benchmark's host table, as the ddos block would give it.

import { tokenize } from '../src/config/tokenizer';
import { wordPrefix } from '../src/ddos/config';
import type { WordPrefix } from '../src/ddos/hosts';

export function wordPrefixOf(text: string, group: number): WordPrefix {
  return wordPrefix(tokenize(text)[0]!, group);
}
