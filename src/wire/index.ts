// The public wire API: everything the session, RIB, API and CLI need to turn BGP bytes into values and back.

export * from './types';
export * from './errors';
export { Framer, frame, checkHeader, HeaderSubcode } from './framer';
export { encodeOpen, decodeOpen, OpenErrorSubcode } from './open';
export { encodeCapability, decodeCapability, decodeCapabilities, capabilityValue, capabilityName } from './capabilities';
export {
  encodeNotification,
  decodeNotification,
  notificationText,
  notificationCodeName,
  notificationSubcodeName,
  notificationFor,
  shutdownCommunication,
  shutdownMessage,
  CeaseSubcode,
  UpdateErrorSubcode,
  FsmErrorSubcode,
  RouteRefreshErrorSubcode,
  NOTIFICATION_CODE_NAMES,
  NOTIFICATION_SUBCODE_NAMES,
} from './notification';
export { encodeKeepalive } from './keepalive';
export { encodeRouteRefresh, decodeRouteRefresh, RefreshSubtype } from './refresh';
export { decodeMessage, encodeMessage } from './message';
export { decodeUpdate, encodeAttributes, encodeUpdate, packUpdates, encodeEndOfRib, type PackInput } from './update';
export { ipv4ToString, ipv6ToString, ipToString, parseIp, parsePrefix } from './ip';
export { registerFamily, familyCodec, familyName, parseFamily, emptyBlock, makeBlock } from './nlri/registry';
export { ipv4Unicast, ipv6Unicast, ipv4Multicast, ipv6Multicast, forEachPrefix, prefixToString } from './nlri/prefix';
export type { NlriCodec } from './nlri/codec';
