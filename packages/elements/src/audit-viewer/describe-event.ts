import type { AuditActor, AuditEvent } from '@countersign/core';

type Translate = (key: string, vars?: Record<string, string | number>) => string;

/** Recipient names by id, learnt from the trail itself (envelope.created lists them). */
export function recipientNames(events: readonly AuditEvent[]): Map<string, string> {
  const names = new Map<string, string>();
  for (const event of events) {
    const listed = event.data?.['recipients'];
    if (Array.isArray(listed)) {
      for (const r of listed as Array<{ id?: unknown; name?: unknown; email?: unknown }>) {
        const name = text(r?.name) ?? text(r?.email);
        if (typeof r?.id === 'string' && name) names.set(r.id, name);
      }
    }
    if (event.actor?.kind === 'recipient' && event.actor.id) {
      const name = text(event.actor.name) ?? text(event.actor.email);
      if (name) names.set(event.actor.id, name);
    }
  }
  return names;
}

/** Who acted, as a person would name them. */
export function actorLabel(actor: AuditActor | undefined, t: Translate): string {
  const name = text(actor?.name) ?? text(actor?.email);
  if (name) return name;
  if (!actor) return t('auditViewer.actor.unknown');
  if (actor.kind === 'system') return t('auditViewer.actor.system');
  const key = `auditViewer.actor.${actor.kind}`;
  const label = t(key, { id: actor.id ?? '' }).trim();
  return label === key ? t('auditViewer.actor.unknown') : label;
}

/**
 * Wraps a name in Unicode first-strong isolates (FSI … PDI), as <bdi> does in markup, so a
 * right-to-left name cannot reorder the sentence around it.
 */
export function isolate(value: string): string {
  return `\u2068${value}\u2069`;
}

/** One sentence that says what happened, e.g. "Юлия signed". */
export function describeEvent(
  event: AuditEvent,
  t: Translate,
  names: ReadonlyMap<string, string>,
  fieldLabels: ReadonlyMap<string, string> = new Map(),
): string {
  const data = event.data ?? {};
  const actor = isolate(actorLabel(event.actor, t));
  const recipientId = text(data['recipientId']);
  const recipient = isolate((recipientId && names.get(recipientId)) || recipientId || t('auditViewer.someone'));
  switch (event.type) {
    case 'consent.accepted': {
      const version = text(data['version']) ?? text(data['consentVersion']);
      return version
        ? t('auditViewer.event.consent.accepted', { version, actor })
        : t('auditViewer.event.consent.acceptedNoVersion', { actor });
    }
    case 'field.filled': {
      const id = text(data['fieldId']);
      const field = isolate(text(data['label']) ?? (id && fieldLabels.get(id)) ?? id ?? '');
      return t(data['cleared'] === true ? 'auditViewer.event.field.cleared' : 'auditViewer.event.field.filled', {
        actor,
        field,
      });
    }
    case 'recipient.completed':
      return t(
        data['status'] === 'approved'
          ? 'auditViewer.event.recipient.approved'
          : 'auditViewer.event.recipient.completed',
        {
          actor,
        },
      );
    default: {
      const key = `auditViewer.event.${event.type}`;
      const sentence = t(key, { actor, recipient });
      return sentence === key ? t('auditViewer.event.unknown', { type: String(event.type), actor }) : sentence;
    }
  }
}

/** What a `field.filled` event says was entered, when the server recorded it. */
export type EnteredValue =
  | { kind: 'text'; text: string }
  | { kind: 'checkbox'; checked: boolean }
  | { kind: 'typed'; text: string }
  | { kind: 'drawn'; sha256: string };

export function enteredValue(event: AuditEvent): EnteredValue | undefined {
  const data = event.data ?? {};
  if (event.type !== 'field.filled' || data['cleared'] === true) return undefined;
  const image = text(data['imageSha256']);
  if (image) return { kind: 'drawn', sha256: image };
  const typed = text(data['text']);
  if (typed !== undefined) return { kind: 'typed', text: typed };
  const value = data['value'];
  if (typeof value === 'boolean') return { kind: 'checkbox', checked: value };
  if (typeof value === 'string' || typeof value === 'number') return { kind: 'text', text: String(value) };
  return undefined;
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() ? value : typeof value === 'number' ? String(value) : undefined;
}
