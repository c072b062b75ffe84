/**
 * Hermetic Google credentials for tests: an RSA key generated at test time, written as a
 * service_account key file for GOOGLE_APPLICATION_CREDENTIALS. google-auth-library then signs its
 * own JWTs (useJWTAccessWithScope, as the gax clients set it), so no token endpoint is called; no
 * gcloud config, no metadata server, and a proxy pointing at the fake catches anything that would
 * try to leave 127.0.0.1.
 */

import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const CALLER_EMAIL = 'permdrift-scanner@audit-host.iam.gserviceaccount.com';

let cachedPem: string | undefined;

/** Writes a service_account key file (token_uri aimed at the fake, though JWTs are self-signed). */
function writeKeyFile(dir: string, url: string): string {
  cachedPem ??= generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const file = join(dir, 'sa-key.json');
  writeFileSync(
    file,
    JSON.stringify({
      type: 'service_account',
      project_id: 'audit-host',
      private_key_id: 'fake-key-id-0001',
      private_key: cachedPem,
      client_email: CALLER_EMAIL,
      client_id: '100000000000000000001',
      token_uri: `${url}/token`,
    }),
  );
  return file;
}

/**
 * User ADC as `gcloud auth application-default login` writes it: a refresh token, exchanged at the
 * OAuth endpoint (the fake's `/token`, through the endpoint override) for an access token.
 */
function writeUserAdcFile(dir: string): string {
  const file = join(dir, 'application_default_credentials.json');
  writeFileSync(
    file,
    JSON.stringify({
      type: 'authorized_user',
      client_id: 'fake-client.apps.googleusercontent.com',
      client_secret: 'fake-secret',
      refresh_token: 'fake-refresh-token',
      quota_project_id: 'audit-host',
    }),
  );
  return file;
}

export type FakeCredentials = 'service-account' | 'user' | 'none';

/** The variables that make the tool talk to the fake only. `url` = the fake's base URL. */
export function fakeGcpEnv(url: string, credentials: FakeCredentials = 'service-account'): Record<string, string> {
  const home = mkdtempSync(join(tmpdir(), 'permdrift-gcp-home-'));
  const keyFile = credentials === 'service-account' ? writeKeyFile(home, url) : credentials === 'user' ? writeUserAdcFile(home) : undefined;
  return {
    PERMDRIFT_GCP_ENDPOINT_URL: url,
    ...(keyFile ? { GOOGLE_APPLICATION_CREDENTIALS: keyFile } : {}),
    HOME: home,
    CLOUDSDK_CONFIG: join(home, 'gcloud'),
    METADATA_SERVER_DETECTION: 'none',
    HTTPS_PROXY: url,
    HTTP_PROXY: url,
    https_proxy: url,
    http_proxy: url,
    NO_PROXY: '127.0.0.1',
    no_proxy: '127.0.0.1',
  };
}

const CLEARED = [
  'GOOGLE_APPLICATION_CREDENTIALS',
  'GOOGLE_CLOUD_PROJECT',
  'GCLOUD_PROJECT',
  'GOOGLE_CLOUD_QUOTA_PROJECT',
  'GCE_METADATA_HOST',
  'GCE_METADATA_IP',
  'GOOGLE_CLOUD_UNIVERSE_DOMAIN',
];

/** Sets the variables in this process (vitest runs each file in its own fork); returns a restore function. */
export function useFakeGcpEnv(url: string, credentials: FakeCredentials = 'service-account'): () => void {
  const vars = fakeGcpEnv(url, credentials);
  const saved = new Map<string, string | undefined>();
  for (const k of [...Object.keys(vars), ...CLEARED]) saved.set(k, process.env[k]);
  for (const k of CLEARED) delete process.env[k];
  Object.assign(process.env, vars);
  return () => {
    for (const [k, v] of saved) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  };
}
