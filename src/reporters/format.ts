/**
 * The shape of an output format, shared by the two registries: the report formats of `scan`
 * (index.ts: table, json, sarif, markdown, csv) and the drift formats of `diff` and `trend`
 * (drift-reporters.ts: table, json, markdown). A registry is the list of its formats, in the order
 * `--help` shows them; the names, the extensions `-o` recognises and the help text all come from it.
 */

export interface OutputFormat<Name extends string, Input, Options> {
  readonly name: Name;
  /**
   * Lower-case file name endings that choose this format when `-o` is given without `--format`.
   * The longest ending that matches wins (`.sarif.json` is SARIF, not JSON); a name that is only an
   * ending (`.json`) has none, as `path.extname` says.
   */
  readonly extensions: readonly string[];
  /**
   * The output in pieces, in order; joined, they are the whole text. Pure: same input and options,
   * same pieces. A format that can outgrow one string (JSON) yields several.
   */
  render(input: Input, opts: Options): Iterable<string>;
}

/** What choosing a format needs to know of a registry: names and endings, not how it renders. */
export type FormatChoice<Name extends string> = Pick<OutputFormat<Name, never, never>, 'name' | 'extensions'>;

export function formatNames<Name extends string>(registry: readonly FormatChoice<Name>[]): Name[] {
  return registry.map((f) => f.name);
}

/** `table | json | markdown`: the `--format` help, in registry order. */
export function formatHelp(registry: readonly FormatChoice<string>[]): string {
  return formatNames(registry).join(' | ');
}

/** The format a file name's ending chooses, or undefined. */
export function formatOfFile<Name extends string>(registry: readonly FormatChoice<Name>[], file: string): Name | undefined {
  const base = (file.split('/').pop() ?? '').toLowerCase();
  let best: { name: Name; length: number } | undefined;
  for (const format of registry) {
    for (const ext of format.extensions) {
      if (base.length > ext.length && base.endsWith(ext) && (best === undefined || ext.length > best.length)) best = { name: format.name, length: ext.length };
    }
  }
  return best?.name;
}

/** The format of that name (the registry's own entry, so its render keeps its types). */
export function formatNamed<F extends FormatChoice<string>>(registry: readonly F[], name: F['name']): F {
  const format = registry.find((f) => f.name === name);
  if (format === undefined) throw new Error(`no output format named ${name}`);
  return format;
}
