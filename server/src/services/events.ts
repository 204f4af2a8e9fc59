import { EventEmitter } from 'node:events';
import type { EnvelopeStatusEvent } from '@countersign/core';

export interface DomainEvent {
  type: string;
  envelopeId: string;
  status: EnvelopeStatusEvent;
}

/** In-process bus of domain events, emitted by services after their write. */
export class EventBus {
  #emitter = new EventEmitter();
  constructor() {
    this.#emitter.setMaxListeners(0);
  }
  emit(event: DomainEvent): void {
    this.#emitter.emit(`envelope:${event.envelopeId}`, event);
    this.#emitter.emit('*', event);
  }
  /** Subscribes to one envelope's events; returns the unsubscribe function. */
  onEnvelope(envelopeId: string, listener: (e: DomainEvent) => void): () => void {
    this.#emitter.on(`envelope:${envelopeId}`, listener);
    return () => this.#emitter.off(`envelope:${envelopeId}`, listener);
  }
  /** Live subscribers of one envelope (each open SSE stream holds one). */
  listenerCount(envelopeId: string): number {
    return this.#emitter.listenerCount(`envelope:${envelopeId}`);
  }
  onAny(listener: (e: DomainEvent) => void): () => void {
    this.#emitter.on('*', listener);
    return () => this.#emitter.off('*', listener);
  }
}
