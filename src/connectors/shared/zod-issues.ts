/**
 * zod issues turned into one line a user can act on: the path inside the file (`RoleDetailList[3].RoleName`)
 * and the problem, shared by every provider file reader.
 */

export type JsonPath = readonly (string | number)[];

export function formatJsonPath(path: JsonPath): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out === '' ? part : `.${part}`;
  }
  return out === '' ? '(top level)' : out;
}

export interface IssueLike {
  code: string;
  path: PropertyKey[];
  message: string;
  expected?: string;
  errors?: IssueLike[][];
}

/** The most specific problem: inside a union, the alternative that got furthest into the value. */
export function describeZodIssue(issue: IssueLike, prefix: JsonPath = []): { path: JsonPath; problem: string } {
  const here: JsonPath = [...prefix, ...issue.path.map((p) => (typeof p === 'number' ? p : String(p)))];
  if (issue.code === 'invalid_union' && issue.errors && issue.errors.length > 0) {
    const firsts = issue.errors.map((alt) => alt[0]).filter((i): i is IssueLike => i !== undefined);
    const deepest = Math.max(...firsts.map((i) => i.path.length));
    const candidates = firsts.filter((i) => i.path.length === deepest);
    if (candidates.length === 1 && candidates[0] !== undefined) return describeZodIssue(candidates[0], here);
    const expected = candidates.map((i) => i.expected).filter((e): e is string => e !== undefined);
    if (expected.length > 0 && deepest === 0) return { path: here, problem: `expected ${expected.join(' or ')}` };
  }
  const problem = issue.message
    .replace(/^Invalid input: /, '')
    .replace(/^Invalid option: /, '')
    .replace(/, received undefined$/, ' (field is missing)');
  return { path: here, problem };
}
