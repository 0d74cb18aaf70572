/**
 * The keyless Google client: google-auth-library's AWS external-account client, imported by
 * path so the bundle carries only it (not GoogleAuth and every other credential type). Built
 * once per container; it caches its token until 5 minutes before expiry and shares one refresh
 * between concurrent calls.
 */
import { AwsClient } from "google-auth-library/build/src/auth/awsclient";
import type { RuntimeConfig } from "./runtime-config";
import type { GoogleRequest } from "./google-request";
import { withDeadline } from "./deadline";
import { TOKEN_LIFETIME_SECONDS } from "../stacks/federation/credential-config";

export function createGoogleClient(config: RuntimeConfig): AwsClient {
  const credentials = config.credentialConfig;
  const client = new AwsClient({
    ...credentials,
    // A lifetime of 5 minutes or less would refresh on every call; one hour is the most.
    ...(credentials.service_account_impersonation_url
      ? { service_account_impersonation: { token_lifetime_seconds: TOKEN_LIFETIME_SECONDS } }
      : {}),
    // Explicit, so the library never probes gcloud, the metadata server or Resource Manager.
    projectId: config.projectId,
    scopes: ["https://www.googleapis.com/auth/cloud-platform"],
  } as ConstructorParameters<typeof AwsClient>[0]);
  disableGaxiosRetries(client);
  return client;
}

/**
 * The library asks gaxios to retry its IAM call (3 times, unbounded by our deadline). Our
 * retry loop (retry.ts) is the only one, so every request through the client's transporter
 * goes out with retries off. (The STS exchange uses its own transporter, which never retries.)
 */
export function disableGaxiosRetries(client: AwsClient): void {
  client.transporter.interceptors.request.add({
    resolved: async (options) => {
      options.retry = false;
      options.retryConfig = { ...options.retryConfig, retry: 0, noResponseRetries: 0 };
      return options;
    },
  });
}

/** Grace over the data call's own timeout before the whole call (token refresh included) is given up. */
export const TOKEN_REFRESH_GRACE_MS = 1_000;

/** The client's authorized request, in the shape the writers use, bounded by its timeout. */
export function googleRequestFor(client: AwsClient): GoogleRequest {
  return async <T>(options: Parameters<GoogleRequest>[0]) => {
    const call = client.request<T>({ ...options });
    const response =
      options.timeout === undefined
        ? await call
        : await withDeadline(
            call,
            options.timeout + TOKEN_REFRESH_GRACE_MS,
            `token refresh or ${options.method} ${new URL(options.url).pathname}`,
          );
    return { status: response.status, data: response.data };
  };
}
