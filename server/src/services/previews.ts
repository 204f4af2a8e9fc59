import {
  evaluateCondition,
  placeholders,
  validateMergeData,
  type MergeData,
  type TemplateRole,
  type Variable,
} from '@countersign/core';
import { composeDocument } from '../pdf/compose.ts';
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
