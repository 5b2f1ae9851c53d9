import type { ErrorAction, FamilyKey } from './types';

/** NOTIFICATION error codes, RFC 4271 §4.5 (and RFC 7313 for 7). */
export const ErrorCode = {
  MESSAGE_HEADER: 1,
  OPEN_MESSAGE: 2,
  UPDATE_MESSAGE: 3,
  HOLD_TIMER_EXPIRED: 4,
  FSM: 5,
  CEASE: 6,
  ROUTE_REFRESH: 7,
} as const;

/**
 * The one thing the decoder throws. It carries the RFC 7606 action and the NOTIFICATION that goes with it,
 * so the session never has to interpret a message text.
 */
export class DecodeError extends Error {
  constructor(
    readonly code: number,
    readonly subcode: number,
    message: string,
    readonly action: ErrorAction = 'session-reset',
    readonly data: Uint8Array = new Uint8Array(0),
    /** For 'afisafi-disable' (RFC 7606 §2): the family to disable. */
    readonly family?: FamilyKey,
  ) {
    super(message);
    this.name = 'DecodeError';
  }
}

export const isDecodeError = (e: unknown): e is DecodeError => e instanceof DecodeError;
