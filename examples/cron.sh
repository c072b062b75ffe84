#!/usr/bin/env bash
# Nightly permdrift report for a scheduled job: one dated JSON report per day, the newest KEEP kept.
#
#   examples/cron.sh <snapshot-dir> [reports-dir] [keep]
#
# crontab (02:30 UTC every night; refresh the snapshot first, e.g. with `aws s3 sync` of the trail):
#   30 2 * * * /opt/permdrift/examples/cron.sh /srv/iam-snapshot /var/lib/permdrift/reports 30 >>/var/log/permdrift.log 2>&1
#
# Environment: PERMDRIFT (the command, default `permdrift`), and any PERMDRIFT_* setting
# (PERMDRIFT_WINDOW, PERMDRIFT_EXCEPTIONS, …) or a permdrift.config.yaml found upward from the
# working directory. Exit status: 0 written; 2 permdrift could not read its input (cron mails it).
set -euo pipefail

snapshot=${1:?usage: cron.sh <snapshot-dir> [reports-dir] [keep]}
reports=${2:-./permdrift-reports}
keep=${3:-30}
permdrift=${PERMDRIFT:-permdrift}

case "$keep" in
  ''|*[!0-9]*) echo "cron.sh: keep must be a whole number, got '$keep'" >&2; exit 2 ;;
esac

mkdir -p "$reports"
stamp=$(date -u +%Y-%m-%d)
# Written atomically by permdrift (temp file + rename): a reader never sees half a report.
# --fail-on never: a nightly report is an audit, not a gate; errors still exit 2.
$permdrift scan files "$snapshot" --format json -o "$reports/permdrift-$stamp.json" --fail-on never --quiet

# Keep the newest $keep reports (names sort by date).
find "$reports" -maxdepth 1 -name 'permdrift-????-??-??.json' -print | sort | head -n "-$keep" | while IFS= read -r old; do
  rm -f -- "$old"
done
echo "cron.sh: wrote $reports/permdrift-$stamp.json"
