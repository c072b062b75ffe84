/** One fake endpoint per test: started on demand with the credentials pointed at it, stopped and the env restored after each test. */

import { afterEach } from 'vitest';
import { useFakeGcpEnv, type FakeCredentials } from './env.js';
import { FakeGcp, type FakeGcpOptions } from './server.js';

export function useFakeGcp(): (options: FakeGcpOptions, credentials?: FakeCredentials) => Promise<FakeGcp> {
  let fake: FakeGcp | undefined;
  let restoreEnv: (() => void) | undefined;
  afterEach(async () => {
    await fake?.stop();
    restoreEnv?.();
    fake = undefined;
    restoreEnv = undefined;
  });
  return async (options, credentials = 'service-account') => {
    fake = new FakeGcp(options);
    restoreEnv = useFakeGcpEnv(await fake.start(), credentials);
    return fake;
  };
}
