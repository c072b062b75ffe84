/**
 * Policy source files the user passes (`--policy-source`: Terraform, CloudFormation, raw policy
 * JSON): lets SARIF results point at the line that grants a finding's permissions. Matching is by
 * text — the policy's name and the statement's Sid — because a grant seen in IAM carries no link
 * back to the code that made it. No match means no physical location, never a wrong one on purpose:
 * a name must appear quoted or as a YAML value, not as a substring of another word.
 */

import { readdir, readFile, stat } from 'node:fs/promises';
import { join, relative, resolve, sep } from 'node:path';
import { InputError } from '../../model/errors.js';
import { isGcpGrantPath, type Finding } from '../../model/report.js';

export interface SourceLocation {
  /** Relative to the working directory (the repository root in CI), with forward slashes. */
  uri: string;
  line: number;
}

interface SourceFile {
  uri: string;
  lines: string[];
}

const EXTENSIONS = /\.(tf|tf\.json|json|ya?ml|template)$/i;
const SKIP_DIRS = new Set(['node_modules', '.git', '.terraform']);
/** Files larger than this are not policy sources (state files, logs): skipped. */
const MAX_BYTES = 5 * 1024 * 1024;

async function collectFiles(path: string, out: string[]): Promise<void> {
  const s = await stat(path);
  if (s.isFile()) {
    if (s.size <= MAX_BYTES) out.push(path);
    return;
  }
  if (!s.isDirectory()) return;
  for (const entry of await readdir(path, { withFileTypes: true })) {
    if (entry.isDirectory() && SKIP_DIRS.has(entry.name)) continue;
    const full = join(path, entry.name);
    if (entry.isDirectory()) await collectFiles(full, out);
    else if (entry.isFile() && EXTENSIONS.test(entry.name)) await collectFiles(full, out);
  }
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The name as a whole value: quoted, or a bare YAML value after a colon. */
function valuePattern(name: string): RegExp {
  const n = escape(name);
  return new RegExp(`(["'\`])${n}\\1|:\\s*${n}\\s*$`);
}

export class PolicySourceIndex {
  constructor(private readonly files: SourceFile[]) {}

  get size(): number {
    return this.files.length;
  }

  private find(pattern: RegExp): { file: SourceFile; line: number }[] {
    const hits: { file: SourceFile; line: number }[] = [];
    for (const file of this.files) {
      file.lines.forEach((text, i) => {
        if (pattern.test(text)) hits.push({ file, line: i + 1 });
      });
    }
    return hits;
  }

  /** The line that grants the finding's first permission: the statement's Sid in the policy's file, else the policy's name. */
  locate(finding: Finding): SourceLocation | undefined {
    for (const path of finding.permissions[0]?.grantedBy ?? []) {
      if (isGcpGrantPath(path)) {
        // Terraform google_*_iam_member/binding: the role's line, preferring a file that names the account.
        const email = path.member.replace(/^[a-zA-Z]+:/, '');
        const roleHits = this.find(valuePattern(path.binding.role));
        const chosen = roleHits.find((h) => h.file.lines.some((l) => l.includes(email))) ?? roleHits[0];
        if (chosen) return { uri: chosen.file.uri, line: chosen.line };
        continue;
      }
      const policyHits = this.find(valuePattern(path.policy.name));
      const sid = path.statement.sid;
      if (sid !== undefined) {
        const sidHits = this.find(valuePattern(sid));
        const inPolicyFile = sidHits.find((h) => policyHits.some((p) => p.file === h.file));
        const chosen = inPolicyFile ?? (sidHits.length === 1 ? sidHits[0] : undefined);
        if (chosen) return { uri: chosen.file.uri, line: chosen.line };
      }
      const first = policyHits[0];
      if (first) return { uri: first.file.uri, line: first.line };
    }
    return undefined;
  }
}

export async function readPolicySources(paths: string[], cwd: string): Promise<PolicySourceIndex> {
  const files: string[] = [];
  for (const p of paths) {
    try {
      await collectFiles(resolve(cwd, p), files);
    } catch (cause) {
      throw new InputError(`cannot read policy source ${p}`, 'pass Terraform, CloudFormation or policy JSON files or folders to --policy-source', {
        cause,
        file: p,
      });
    }
  }
  const sources: SourceFile[] = [];
  for (const f of [...new Set(files)].sort()) {
    const text = await readFile(f, 'utf8');
    sources.push({ uri: relative(cwd, f).split(sep).join('/'), lines: text.split(/\r?\n/) });
  }
  return new PolicySourceIndex(sources);
}
