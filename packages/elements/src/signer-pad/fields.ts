import type { FieldValue, SigningField } from '@countersign/core';

/** Fields the signer can change: not stamped by the server (date_signed), not set by the agent. */
export function isEditable(field: SigningField): boolean {
  return field.type !== 'date_signed' && !field.readOnly;
}

/** Fields a signer must fill themselves (date_signed is stamped, read-only ones are prefilled). */
export function needsInput(field: SigningField): boolean {
  return field.required && isEditable(field);
}

export function isFilled(field: SigningField, value: FieldValue | undefined): boolean {
  switch (field.type) {
    case 'signature':
    case 'initials':
      return (
        typeof value === 'object' && value !== null && (value.kind === 'drawn' ? !!value.image : !!value.text.trim())
      );
    case 'text':
      return typeof value === 'string' && value.trim() !== '';
    case 'checkbox':
      return value === true;
    case 'date_signed':
      return typeof value === 'string' && value !== '';
  }
}

/** Reading order: page, then top to bottom, then left to right. */
export function readingOrder(fields: readonly SigningField[]): SigningField[] {
  return [...fields].sort((a, b) => a.page - b.page || a.y - b.y || a.x - b.x);
}

export function initialsOf(name: string): string {
  return name
    .split(/\s+/)
    .filter(Boolean)
    .map((part) => part[0]!.toUpperCase())
    .join('');
}

/** `left/top/width/height` in percent of the page box: right at any zoom and width. */
export function placement(field: SigningField): string {
  const pct = (n: number) => `${(Math.min(Math.max(n, 0), 1) * 100).toFixed(4)}%`;
  return `left:${pct(field.x)};top:${pct(field.y)};width:${pct(field.width)};height:${pct(field.height)}`;
}
