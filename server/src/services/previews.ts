import {
  evaluateCondition,
  formatVariable,
  placeholders,
  validateMergeData,
  type MergeData,
  type TemplateField,
  type TemplateRole,
  type Variable,
} from '@countersign/core';
import { composeDocument } from '../pdf/compose.ts';
import { stampPdf, type Stamp } from '../pdf/index.ts';
import type { InlineClausesSource } from '../store/types.ts';
import { conditionData } from './envelopes.ts';

/** Printed at the top of every preview page, so a preview is never mistaken for the contract. */
export const PREVIEW_HEADER = 'Preview — not for signature';

/**
 * The merge data a preview prints: values that pass their variable's checks are formatted as in
 * an envelope; a missing or invalid value prints as a visible blank, "[label]" (or "[key]").
 */
export function previewData(
  texts: string[],
  variables: readonly Variable[],
  mergeData: MergeData,
): { data: Record<string, unknown>; variables: Variable[]; conditions: Record<string, unknown> } {
  const invalid = new Set(validateMergeData(variables, mergeData).map((e) => e.path));
  const valid: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(mergeData)) {
    if (!invalid.has(key) && value !== null && value !== undefined && value !== '') valid[key] = value;
  }
  const byKey = new Map(variables.map((v) => [v.key, v]));
  const data: Record<string, unknown> = { ...valid };
  for (const key of new Set(texts.flatMap(placeholders))) {
    if (!(key in valid)) data[key] = `[${byKey.get(key)?.label?.trim() || key}]`;
  }
  return {
    data,
    // A blank is printed as is, not formatted as money or a date.
    variables: variables.filter((v) => v.key in valid),
    conditions: conditionData(variables, valid),
  };
}

/**
 * A clauses source composed for reading before anything is sent: clauses whose condition is
 * false for the values given are left out, as they would be in an envelope.
 */
export async function composePreview(
  source: InlineClausesSource,
  variables: readonly Variable[],
  roles: readonly TemplateRole[],
  mergeData: MergeData,
): Promise<Uint8Array> {
  const texts = [
    source.title,
    ...(source.parties ?? []).flatMap((p) => [p.label, ...p.lines]),
    ...source.clauses.flatMap((c) => [c.title, c.body]),
  ];
  const { data, variables: formatted, conditions } = previewData(texts, variables, mergeData);
  const included = source.clauses.filter((c) => evaluateCondition(c.condition, conditions));
  const composed = await composeDocument({
    title: source.title,
    ...(source.parties ? { parties: source.parties } : {}),
    clauses: included.map(({ key, title, body }) => ({ key, title, body })),
    data,
    variables: formatted,
    header: PREVIEW_HEADER,
    signatureBlock: roles.filter((r) => r.action === 'sign').map((r) => ({ role: r.key, label: r.label ?? r.key })),
  });
  return composed.bytes;
}

/**
 * A PDF version read before anything is sent: each text field tied to a merge variable shows its
 * value formatted as the envelope would prefill it, or "[Label]" where the value is missing or
 * invalid, stamped at the field's place as the seal stamps it.
 */
export async function stampPreview(
  original: Uint8Array,
  fields: readonly TemplateField[],
  variables: readonly Variable[],
  mergeData: MergeData,
): Promise<Uint8Array> {
  const invalid = new Set(validateMergeData(variables, mergeData).map((e) => e.path));
  const byKey = new Map(variables.map((v) => [v.key, v]));
  const stamps: Stamp[] = [];
  for (const f of fields) {
    if (f.type !== 'text' || !f.key) continue;
    const value = mergeData[f.key];
    const variable = byKey.get(f.key);
    const usable =
      !invalid.has(f.key) && value !== null && value !== undefined && value !== '' && typeof value !== 'object';
    const text = usable ? formatVariable(variable, value) : `[${variable?.label?.trim() || f.label?.trim() || f.key}]`;
    stamps.push({
      page: f.page,
      x: f.x,
      y: f.y,
      width: f.width,
      height: f.height,
      type: 'text',
      value: { kind: 'text', text },
    });
  }
  return stampPdf(original, stamps);
}
