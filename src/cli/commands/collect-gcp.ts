/** `permdrift collect gcp -o <dir>`: read GCP projects live and write them as an offline snapshot (docs/gcp.md layout). */

import { Command } from 'commander';
import { collectAction, collectParent } from '../collect-action.js';
import { runCollectGcp } from '../collect-gcp-run.js';
import { type CommandContext } from '../context.js';
import { addFlags } from '../flags.js';

export function registerCollectGcp(program: Command, ctx: CommandContext): void {
  addFlags(
    collectParent(program)
      .command('gcp')
      .description('read GCP projects through the Google Cloud APIs (read-only) and write <dir>/gcp/<project-id>/ in the layout `scan files` reads'),
    'collect gcp',
  )
    .addHelpText(
      'after',
      `
Examples:
  permdrift collect gcp --project my-prod -o snapshots/$(date +%F)
  permdrift collect gcp --folder 123456789012 --impersonate-service-account scanner@audit.iam.gserviceaccount.com -o snap
  permdrift collect gcp --project my-prod --audit-logs gs://org-audit-sink/exports -o snap
  permdrift scan files snapshots/2026-11-20            audit it later, offline
Credentials: Application Default Credentials (\`gcloud auth application-default login\`, GOOGLE_APPLICATION_CREDENTIALS,
or the metadata server). Permissions: \`permdrift policy gcp\` prints the read-only custom role (docs/gcp-live.md).
Exit codes: 0 collected (warnings in <dir>/gcp/<project-id>/collect-warnings.json), 2 usage, credential or provider error.
Time limits: --connect-timeout, --request-timeout (a timed-out attempt is retried), --retry-budget. Interrupted
(SIGINT/SIGTERM, exit 130/143): the files written so far are whole, and the project's collect-manifest.json says
complete: false (\`scan files\` then needs --allow-incomplete).`,
    )
    .action(collectAction(ctx, runCollectGcp, (result) => result.collected.map((p) => `gcp/${p.projectId}/`)));
}
