import type { Report } from '../model/report.js';

/**
 * The engine builds every object in a fixed key order and sorts the findings, so plain
 * stringification is already byte-for-byte deterministic; nothing here may reorder.
 */
export function renderJson(report: Report): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}

function indented(json: string, pad: string): string {
  return json.includes('\n') ? json.split('\n').join(`\n${pad}`) : json;
}

/**
 * The same bytes as renderJson, in pieces: one per finding. A report of thousands of basic-role
 * grants can outgrow the longest string a JavaScript engine can hold, so files and stdout are
 * written from these pieces instead of from one string.
 */
export function* renderJsonChunks(report: Report): Generator<string> {
  const entries = Object.entries(report).filter(([, value]) => value !== undefined);
  yield '{\n';
  for (const [i, [key, value]] of entries.entries()) {
    const comma = i < entries.length - 1 ? ',' : '';
    if (Array.isArray(value) && value.length > 0 && key === 'findings') {
      yield `  ${JSON.stringify(key)}: [\n`;
      for (const [j, item] of value.entries()) {
        yield `    ${indented(JSON.stringify(item, null, 2), '    ')}${j < value.length - 1 ? ',' : ''}\n`;
      }
      yield `  ]${comma}\n`;
    } else {
      yield `  ${JSON.stringify(key)}: ${indented(JSON.stringify(value, null, 2), '  ')}${comma}\n`;
    }
  }
  yield '}\n';
}
