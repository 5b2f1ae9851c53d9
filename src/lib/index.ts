// tsbgp as a library: `import { Speaker } from 'tsbgp'` or `require('tsbgp').Speaker` (docs/LIBRARY.md).
// This file is the whole public surface; everything else in dist/ is internal and may change.

export type { Level as LogLevel, LogEntry } from '../daemon/log';
export {
  type CodecOptions,
  decodeFlowSpec,
  decodeUpdate,
  encodeFlowSpec,
  encodeUpdate,
  type UpdateInput,
} from './codec';
export { ConfigurationError, FlowSpecRefused, NotRunning, TsbgpError } from './errors';
export type {
  DownEvent,
  EndOfRibEvent,
  NotificationEvent,
  SpeakerEvent,
  SpeakerEventMap,
  StateEvent,
  UpdateEvent,
  UpEvent,
} from './events';
export { ITERATOR_HIGH_WATER } from './events';
export type { NeighborOptions, SpeakerOptions } from './options';
export { type HeldRoute, type NeighborStatus, Speaker, type SpeakerLogOptions, type Target } from './speaker';
export type {
  DecodedUpdate,
  Family,
  FlowMatch,
  FlowMatchKey,
  FlowSpec,
  FlowThen,
  ReceivedFlow,
  ReceivedRoute,
  Route,
  RouteAttributes,
} from './types';
