/**
 * Reads `aws iam get-credential-report` output: JSON whose `Content` is the base64 CSV report
 * (the CLI prints base64; some tools save it decoded, which we also accept).
 * Columns: https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_getting-report.html
 */

import { z } from 'zod';
import type { CredentialReportEntry } from '../../model/aws/inventory.js';
import { InputError } from '../../model/errors.js';

const file = z.object({ Content: z.string(), GeneratedTime: z.string(), ReportFormat: z.string().optional() });

function splitCsvLine(line: string): string[] {
  // The report has no quoted fields (ARNs, dates, booleans, N/A), but be safe with quotes anyway.
  const out: string[] = [];
  let cur = '';
  let isQuoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (isQuoted) {
      if (c === '"' && line[i + 1] === '"') {
        cur += '"';
        i++;
      } else if (c === '"') isQuoted = false;
      else cur += c;
    } else if (c === '"') isQuoted = true;
    else if (c === ',') {
      out.push(cur);
      cur = '';
    } else cur += c;
  }
  out.push(cur);
  return out;
}

function dateOrNull(v: string | undefined): string | null {
  if (!v || v === 'N/A' || v === 'no_information' || v === 'not_supported') return null;
  const d = new Date(v);
  return Number.isNaN(d.getTime()) ? null : d.toISOString();
}

export function parseCredentialReport(json: unknown, source: string): { generatedTime: string; entries: CredentialReportEntry[] } {
  const parsed = file.safeParse(json);
  if (!parsed.success) {
    throw new InputError(
      `${source} is not \`aws iam get-credential-report\` output`,
      'run `aws iam generate-credential-report` then `aws iam get-credential-report > iam-get-credential-report.json`',
      { file: source },
    );
  }
  let csv = parsed.data.Content;
  if (!csv.startsWith('user,')) csv = Buffer.from(csv, 'base64').toString('utf8');
  const lines = csv.split(/\r?\n/).filter((l) => l.length > 0);
  const header = splitCsvLine(lines[0] ?? '');
  if (header[0] !== 'user' || !header.includes('arn')) {
    throw new InputError(`${source}: the credential report CSV has no header row`, 'fetch the report again with `aws iam get-credential-report`', {
      file: source,
    });
  }
  const entries: CredentialReportEntry[] = [];
  for (const line of lines.slice(1)) {
    const cells = splitCsvLine(line);
    const row = new Map(header.map((h, i) => [h, cells[i] ?? '']));
    const arn = row.get('arn') ?? '';
    if (row.get('user') === '<root_account>' || !arn.includes(':user/')) continue;
    entries.push({
      userArn: arn,
      user: row.get('user') ?? '',
      userCreationTime: dateOrNull(row.get('user_creation_time')) ?? '',
      passwordEnabled: row.get('password_enabled') === 'true',
      passwordLastUsed: dateOrNull(row.get('password_last_used')),
      accessKeys: ([1, 2] as const).map((slot) => ({
        slot,
        isActive: row.get(`access_key_${slot}_active`) === 'true',
        lastRotated: dateOrNull(row.get(`access_key_${slot}_last_rotated`)),
        lastUsedDate: dateOrNull(row.get(`access_key_${slot}_last_used_date`)),
        lastUsedService: ((s) => (s && s !== 'N/A' ? s : null))(row.get(`access_key_${slot}_last_used_service`)),
      })),
    });
  }
  entries.sort((a, b) => (a.userArn < b.userArn ? -1 : 1));
  return { generatedTime: new Date(parsed.data.GeneratedTime).toISOString(), entries };
}
