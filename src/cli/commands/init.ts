/** `permdrift init`: write a commented starter config in the working directory. */

import { Command } from 'commander';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { STARTER_CONFIG } from '../../config/config-file.js';
import { UsageError } from '../../model/errors.js';
import { writeReportFile } from '../report-file.js';
import { type CommandContext } from '../context.js';
import { visibleText } from '../../reporters/visible-text.js';
import { addFlags } from '../flags.js';

export function registerInit(program: Command, ctx: CommandContext): void {
  addFlags(program.command('init').description('write a commented starter permdrift.config.yaml in the working directory'), 'init').action(
    async (flags: { force: boolean; output: string }) => {
      const path = resolve(ctx.io.cwd ?? process.cwd(), flags.output);
      if (existsSync(path) && !flags.force) {
        throw new UsageError(`${flags.output} already exists`, 'edit it, or run `permdrift init --force` to replace it');
      }
      await writeReportFile(path, STARTER_CONFIG);
      ctx.io.stderr.write(`permdrift: wrote ${visibleText(flags.output)}; every key is a scan flag (flag > PERMDRIFT_* env > file > default)\n`);
    },
  );
}
