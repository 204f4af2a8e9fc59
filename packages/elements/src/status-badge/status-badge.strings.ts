import { registerTranslation } from '../internal/localize.ts';

/** English strings of <cs-status-badge>; other locales override them with registerTranslation(). */
export const statusBadgeStrings = {
  'statusBadge.prefix': 'Envelope status',
  'statusBadge.loading': 'Loading…',
  'statusBadge.status.draft': 'Draft',
  'statusBadge.status.sent': 'Sent',
  'statusBadge.status.completed': 'Completed',
  'statusBadge.status.declined': 'Declined',
  'statusBadge.status.voided': 'Voided',
  'statusBadge.status.expired': 'Expired',
  'statusBadge.progress': '{done}/{total} signed',
  'statusBadge.progressLong': '{done} of {total} signed',
  'statusBadge.error': 'Unavailable',
  'statusBadge.error.unauthorized': 'Sign-in expired',
  'statusBadge.error.forbidden': 'No access',
  'statusBadge.error.not-found': 'Not found',
  'statusBadge.error.network': 'Offline',
  'statusBadge.errorDetail.unauthorized': 'The token was refused; sign in again.',
  'statusBadge.errorDetail.forbidden': 'You do not have access to this envelope.',
  'statusBadge.errorDetail.not-found': 'This envelope does not exist.',
  'statusBadge.errorDetail.network': 'The server could not be reached.',
  'statusBadge.errorDetail.server': 'The server could not report the status.',
} as const;

registerTranslation('en', statusBadgeStrings);
