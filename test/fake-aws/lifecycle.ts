/** One fake endpoint per test: started on demand with the SDK pointed at it, stopped and the env restored after each test. */

import { afterEach } from 'vitest';
import { useFakeAwsEnv } from './env.js';
import { FakeAws, type FakeAwsOptions } from './server.js';

export function useFakeAws(): (options: FakeAwsOptions) => Promise<FakeAws> {
  let fake: FakeAws | undefined;
  let restoreEnv: (() => void) | undefined;
  afterEach(async () => {
    await fake?.stop();
    restoreEnv?.();
    fake = undefined;
    restoreEnv = undefined;
  });
  return async (options) => {
    fake = new FakeAws(options);
    restoreEnv = useFakeAwsEnv(await fake.start());
    return fake;
  };
}
