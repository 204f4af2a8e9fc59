import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { EnvelopeStatusEvent } from '@countersign/core';

export interface DomainEvent {
  type: string;
  envelopeId: string;
  status: EnvelopeStatusEvent;
}

/** A domain event with its place in this process's sequence (the SSE `id:` is built from it). */
export interface SequencedEvent {
  seq: number;
  event: DomainEvent;
}

/** How many recent events the bus keeps for event streams that resume with Last-Event-ID. */
export const RECENT_EVENTS = 1024;

/** In-process bus of domain events, emitted by services after their write. */
export class EventBus {
  /** Names this process's sequence, so an id from another process or run is never misread. */
  readonly epoch = randomBytes(6).toString('base64url');
  #emitter = new EventEmitter();
  #seq = 0;
  #recent: SequencedEvent[] = [];
  #streams = new Set<() => void>();

  constructor() {
    this.#emitter.setMaxListeners(0);
  }
  emit(event: DomainEvent): void {
    const seq = ++this.#seq;
    this.#recent.push({ seq, event });
    if (this.#recent.length > RECENT_EVENTS) this.#recent.shift();
    this.#emitter.emit(`envelope:${event.envelopeId}`, event, seq);
    this.#emitter.emit('*', event, seq);
  }
  /** Sequence number of the last event emitted (0 before the first). */
  get head(): number {
    return this.#seq;
  }
  /**
   * The events after `seq`, oldest first, or undefined when the bus no longer holds all of
   * them (older than the last {@link RECENT_EVENTS}) or `seq` is not one it gave out.
   */
  since(seq: number): SequencedEvent[] | undefined {
    if (!Number.isInteger(seq) || seq < 0 || seq > this.#seq) return undefined;
    const oldest = this.#recent[0]?.seq ?? this.#seq + 1;
    if (seq < oldest - 1) return undefined;
    return this.#recent.filter((e) => e.seq > seq);
  }
  /** Subscribes to one envelope's events; returns the unsubscribe function. */
  onEnvelope(envelopeId: string, listener: (e: DomainEvent, seq: number) => void): () => void {
    this.#emitter.on(`envelope:${envelopeId}`, listener);
    return () => this.#emitter.off(`envelope:${envelopeId}`, listener);
  }
  /** Live subscribers of one envelope (each open SSE stream holds one). */
  listenerCount(envelopeId: string): number {
    return this.#emitter.listenerCount(`envelope:${envelopeId}`);
  }
  onAny(listener: (e: DomainEvent, seq: number) => void): () => void {
    this.#emitter.on('*', listener);
    return () => this.#emitter.off('*', listener);
  }
  /** Registers an open event stream by the function that ends it; returns the deregistration. */
  trackStream(close: () => void): () => void {
    this.#streams.add(close);
    return () => this.#streams.delete(close);
  }
  /** Open multiplexed event streams (GET /api/v1/events), e.g. one per console page. */
  get streamCount(): number {
    return this.#streams.size;
  }
  /** Ends every open event stream (a restart or a proxy dropping them would); returns how many. */
  closeStreams(): number {
    const all = [...this.#streams];
    this.#streams.clear();
    for (const close of all) close();
    return all.length;
  }
}
