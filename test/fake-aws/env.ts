/** Points the SDK at the fake endpoint with fake credentials, hermetically (no ~/.aws, no IMDS). */

export function fakeAwsEnv(url: string): Record<string, string> {
  return {
    AWS_ENDPOINT_URL: url,
    AWS_ACCESS_KEY_ID: 'AKIAFAKEFAKEFAKEFAKE',
    AWS_SECRET_ACCESS_KEY: 'fakeSecretKeyThatMustNeverBePrintedAnywhere00',
    AWS_REGION: 'us-east-1',
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_CONFIG_FILE: '/nonexistent/permdrift-test-aws-config',
    AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/permdrift-test-aws-credentials',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  };
}

const SDK_VARS = [
  'AWS_PROFILE',
  'AWS_SESSION_TOKEN',
  'AWS_DEFAULT_REGION',
  'AWS_ROLE_ARN',
  'AWS_WEB_IDENTITY_TOKEN_FILE',
  'AWS_CONTAINER_CREDENTIALS_RELATIVE_URI',
  'AWS_CONTAINER_CREDENTIALS_FULL_URI',
];

/** Sets the variables in this process (vitest runs each file in its own fork); returns a restore function. */
export function useFakeAwsEnv(url: string): () => void {
  const saved = new Map<string, string | undefined>();
  const vars = fakeAwsEnv(url);
  for (const k of [...Object.keys(vars), ...SDK_VARS]) saved.set(k, process.env[k]);
  for (const k of SDK_VARS) delete process.env[k];
  Object.assign(process.env, vars);
  return () => {
    for (const [k, v] of saved) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  };
}
