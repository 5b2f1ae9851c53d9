// The public wire API: everything the session, RIB, API and CLI need to turn BGP bytes into values and back.

export {
  capabilityName,
  capabilityValue,
  decodeCapabilities,
  decodeCapability,
  encodeCapability,
} from './capabilities';
export * from './errors';
export { checkHeader, Framer, frame, HeaderSubcode } from './framer';
export { ipToString, ipv4ToString, ipv6ToString, parseIp, parsePrefix } from './ip';
export { encodeKeepalive } from './keepalive';
export { decodeMessage, encodeMessage } from './message';
export type { NlriCodec } from './nlri/codec';
export { forEachPrefix, ipv4Multicast, ipv4Unicast, ipv6Multicast, ipv6Unicast, prefixToString } from './nlri/prefix';
export { emptyBlock, familyCodec, familyName, makeBlock, parseFamily, registerFamily } from './nlri/registry';
export {
  CeaseSubcode,
  decodeNotification,
  encodeNotification,
  FsmErrorSubcode,
  NOTIFICATION_CODE_NAMES,
  NOTIFICATION_SUBCODE_NAMES,
  notificationCodeName,
  notificationFor,
  notificationSubcodeName,
  notificationText,
  RouteRefreshErrorSubcode,
  shutdownCommunication,
  shutdownMessage,
  UpdateErrorSubcode,
} from './notification';
export { decodeOpen, encodeOpen, OpenErrorSubcode } from './open';
export { decodeRouteRefresh, encodeRouteRefresh, RefreshSubtype } from './refresh';
export * from './types';
export { decodeUpdate, encodeAttributes, encodeEndOfRib, encodeUpdate, type PackInput, packUpdates } from './update';
