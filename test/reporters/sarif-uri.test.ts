/**
 * SARIF `artifactLocation.uri` is a URI reference (RFC 3986), and code scanning resolves it against
 * the repository root: a file path must arrive percent-encoded and relative, never as a scheme
 * (`javascript:`), a drive (`C:`) or a host (`//server`).
 */

import { describe, expect, it } from 'vitest';
import { renderSarif, sarifUri } from '../../src/reporters/sarif.js';
import { twoAccountsPartialCoverage } from './fixtures/two-accounts-partial-coverage.js';
import { sarifErrors } from './sarif-schema.js';

interface Log {
  runs: { results: { locations: { physicalLocation?: { artifactLocation: { uri: string }; region?: { startLine: number } } }[] }[] }[];
}

function uris(text: string): string[] {
  const log = JSON.parse(text) as Log;
  return (log.runs[0]?.results ?? []).map((r) => r.locations[0]?.physicalLocation?.artifactLocation.uri ?? '');
}

/** RFC 3986 relative-ref with a path only: unreserved, sub-delims, `:` `@` and percent-escapes; no scheme, no authority. */
const RELATIVE_PATH_REF = /^(?!\/\/)(?![^/]*:)(?:[A-Za-z0-9\-._~!$&'()*+,;=:@/]|%[0-9A-F]{2})*$/;

describe('SARIF artifact URIs', () => {
  const cases: [string, string][] = [
    ['my policy #1%.tf', 'my%20policy%20%231%25.tf'],
    ['C:\\repo\\iam\\main.tf', 'C%3A/repo/iam/main.tf'],
    ['javascript:alert(1)', 'javascript%3Aalert(1)'],
    ['https://evil.example/x.tf', 'https%3A//evil.example/x.tf'],
    ['\\\\server\\share\\main.tf', '/server/share/main.tf'],
    ['//host/path.tf', '/host/path.tf'],
    ['iam/snapshot.json', 'iam/snapshot.json'],
    ['terraform/iam/roles.tf', 'terraform/iam/roles.tf'],
    ['../infra/ünïcode ?.tf', '../infra/%C3%BCn%C3%AFcode%20%3F.tf'],
  ];

  it.each(cases)('%j → %j', (path, uri) => {
    expect(sarifUri(path)).toBe(uri);
    expect(sarifUri(path)).toMatch(RELATIVE_PATH_REF);
  });

  it('encodes --sarif-artifact and located sources, and the log stays valid against the schema', () => {
    for (const [path, uri] of cases) {
      const withArtifact = renderSarif(twoAccountsPartialCoverage(), { artifactUri: path });
      expect(new Set(uris(withArtifact))).toEqual(new Set([uri]));
      expect(sarifErrors(JSON.parse(withArtifact))).toEqual([]);
      const located = renderSarif(twoAccountsPartialCoverage(), { locate: () => ({ uri: path, line: 3 }) });
      expect(new Set(uris(located))).toEqual(new Set([uri]));
      expect(sarifErrors(JSON.parse(located))).toEqual([]);
    }
  });
});
