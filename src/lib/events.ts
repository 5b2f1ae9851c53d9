// The Speaker's events, typed, and the async iterator that hands them out in order. An iterator that falls
// behind stops the speaker reading from its peers (TCP then slows them down) until it catches up, as the daemon
// does for an API process that is behind: nothing is dropped and memory stays bounded.

import type { DecodedUpdate, Family } from './types';

export interface StateEvent {
  type: 'state';
  neighbor: string;
  /** RFC 4271 §8 FSM states: Idle, Connect, Active, OpenSent, OpenConfirm, Established. */
  from: string;
  to: string;
}

export interface UpEvent {
  type: 'up';
  neighbor: string;
  peerAs: number;
  holdTime: number;
  families: Family[];
}

export interface DownEvent {
  type: 'down';
  neighbor: string;
  reason: string;
}

export interface UpdateEvent {
  type: 'update';
  neighbor: string;
  update: DecodedUpdate;
}

export interface EndOfRibEvent {
  type: 'eor';
  neighbor: string;
  family: Family;
}

export interface NotificationEvent {
  type: 'notification';
  neighbor: string;
  direction: 'sent' | 'received';
  code: number;
  subcode: number;
  /** What the codes mean, and the data (an RFC 9003 shutdown message among them). */
  message: string;
}

export type SpeakerEvent = StateEvent | UpEvent | DownEvent | UpdateEvent | EndOfRibEvent | NotificationEvent;

/** Event name to event, for the EventEmitter side. */
export interface SpeakerEventMap {
  state: StateEvent;
  up: UpEvent;
  down: DownEvent;
  update: UpdateEvent;
  eor: EndOfRibEvent;
  notification: NotificationEvent;
}

/** Events an iterator may hold before the speaker stops reading from its peers; reading resumes at half. */
export const ITERATOR_HIGH_WATER = 10000;

export class EventStream implements AsyncIterableIterator<SpeakerEvent> {
  private readonly queue: SpeakerEvent[] = [];
  private head = 0;
  private waiter: ((r: IteratorResult<SpeakerEvent>) => void) | null = null;
  private closed = false;
  private full = false;

  constructor(
    private readonly hooks: {
      /** The queue crossed ITERATOR_HIGH_WATER (true) or drained to half of it (false). */
      congested(full: boolean): void;
      /** The program stopped iterating (break, return). */
      detach(): void;
    },
  ) {}

  push(e: SpeakerEvent): void {
    if (this.closed) return;
    if (this.waiter) {
      const w = this.waiter;
      this.waiter = null;
      w({ value: e, done: false });
      return;
    }
    this.queue.push(e);
    if (!this.full && this.queue.length - this.head >= ITERATOR_HIGH_WATER) {
      this.full = true;
      this.hooks.congested(true);
    }
  }

  /** No more events: what is queued is still handed out, then the iteration ends. */
  close(): void {
    this.closed = true;
    if (this.waiter) {
      const w = this.waiter;
      this.waiter = null;
      w({ value: undefined, done: true });
    }
  }

  next(): Promise<IteratorResult<SpeakerEvent>> {
    if (this.head < this.queue.length) {
      const value = this.queue[this.head++]!;
      if (this.head > 1024 && this.head * 2 > this.queue.length) {
        this.queue.splice(0, this.head);
        this.head = 0;
      }
      if (this.full && this.queue.length - this.head <= ITERATOR_HIGH_WATER / 2) {
        this.full = false;
        this.hooks.congested(false);
      }
      return Promise.resolve({ value, done: false });
    }
    if (this.closed) return Promise.resolve({ value: undefined, done: true });
    return new Promise((r) => (this.waiter = r));
  }

  return(): Promise<IteratorResult<SpeakerEvent>> {
    this.queue.length = 0;
    this.head = 0;
    if (this.full) {
      this.full = false;
      this.hooks.congested(false);
    }
    this.close();
    this.hooks.detach();
    return Promise.resolve({ value: undefined, done: true });
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<SpeakerEvent> {
    return this;
  }
}
