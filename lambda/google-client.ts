/**
 * The keyless Google client: google-auth-library's AWS external-account client, imported by
 * path so the bundle carries only it (not GoogleAuth and every other credential type). Built
 * once per container; it caches its token until 5 minutes before expiry and shares one refresh
 * between concurrent calls.
 */
import { AwsClient } from "google-auth-library/build/src/auth/awsclient";
import { StsCredentials } from "google-auth-library/build/src/auth/stscredentials";
import type { RuntimeConfig } from "./runtime-config";
import type { GoogleRequest } from "./google-request";
import { currentAttempt, withDeadline } from "./deadline";
import { TOKEN_LIFETIME_SECONDS } from "../stacks/federation/credential-config";

type AwsClientOptions = ConstructorParameters<typeof AwsClient>[0];

/**
 * The AWS external-account client with one transporter for everything. The library builds its
 * STS client with a Gaxios of its own and asks it to retry the exchange (3 retries, POST
 * included), out of our reach; here the STS exchange goes through the client's transporter,
 * which `boundToAttempt` configures: no retries, and the attempt's AbortSignal.
 */
export class SingleTryAwsClient extends AwsClient {
  constructor(options: AwsClientOptions, tokenUrl: string) {
    super(options);
    this.stsCredential = new StsCredentials({
      tokenExchangeEndpoint: tokenUrl,
      clientAuthentication: this.clientAuth,
      transporter: this.transporter,
    });
    boundToAttempt(this.transporter);
  }
}

export function createGoogleClient(config: RuntimeConfig): AwsClient {
  const credentials = config.credentialConfig;
  return new SingleTryAwsClient(
    {
      ...credentials,
      // A lifetime of 5 minutes or less would refresh on every call; one hour is the most.
      ...(credentials.service_account_impersonation_url
        ? { service_account_impersonation: { token_lifetime_seconds: TOKEN_LIFETIME_SECONDS } }
        : {}),
      // Explicit, so the library never probes gcloud, the metadata server or Resource Manager.
      projectId: config.projectId,
      scopes: ["https://www.googleapis.com/auth/cloud-platform"],
      // Node's global fetch, named rather than left to gaxios' dynamic import of node-fetch
      // (which the bundle aliases to the same global fetch: shims/node-fetch.ts).
      transporterOptions: { fetchImplementation: globalThis.fetch },
    } as AwsClientOptions,
    credentials.token_url,
  );
}

/**
 * Every request through `transporter` (STS, IAM generateAccessToken, the data calls) goes out
 * with gaxios' retries off, since our retry loop (retry.ts) is the only one, and with the
 * current attempt's AbortSignal, so the attempt's deadline aborts it (deadline.ts).
 */
export function boundToAttempt(transporter: AwsClient["transporter"]): void {
  transporter.interceptors.request.add({
    resolved: async (options) => {
      options.retry = false;
      options.retryConfig = { ...options.retryConfig, retry: 0, noResponseRetries: 0 };
      const attempt = currentAttempt();
      if (attempt) {
        attempt.lastUrl = String(options.url);
        options.signal =
          options.signal && options.signal !== attempt.signal
            ? AbortSignal.any([options.signal, attempt.signal])
            : attempt.signal;
      }
      return options;
    },
  });
}

/**
 * The client's authorized request, in the shape the writers use. `timeout` is the attempt's
 * deadline: the data call and any token refresh it waits on are aborted when it passes.
 */
export function googleRequestFor(client: AwsClient): GoogleRequest {
  return async <T>(options: Parameters<GoogleRequest>[0]) => {
    const call = () => client.request<T>({ ...options });
    const response =
      options.timeout === undefined
        ? await call()
        : await withDeadline(
            options.timeout,
            `${options.method} ${new URL(options.url).pathname} (with any token refresh before it)`,
            call,
          );
    return { status: response.status, data: response.data };
  };
}
