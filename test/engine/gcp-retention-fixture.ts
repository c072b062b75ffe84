/**
 * The GCP fixture the manifest tests share: fixtures/gcp/data-access-retention (project
 * retention-3579). Its entries end 2026-11-19T17:05Z; its Admin Activity entries start 2026-08-22,
 * its Data Access ones 2026-10-21.
 */

import { fileURLToPath } from 'node:url';

export const PROJECT = 'retention-3579';
export const FIXTURE = fileURLToPath(new URL('../../fixtures/gcp/data-access-retention', import.meta.url));
export const DAY = 86_400_000;
export const WINDOW_MS = 90 * DAY;
/** Four days after the last entry: beyond the 1-day edge tolerance, so entries alone cannot cover it. */
export const AS_OF = new Date('2026-11-23T18:00:00Z');
export const WINDOW_START = new Date(AS_OF.getTime() - WINDOW_MS).toISOString();
export const ACTIVITY = 'cloudaudit.googleapis.com/activity';
/** An Admin Activity permission granted to the uploader and never used (ADMIN_WRITE). */
export const ADMIN_WRITE = 'storage.objects.setIamPolicy';
