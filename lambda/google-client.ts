/**
 * The keyless Google client: google-auth-library's AWS external-account client, imported by
 * path so the bundle carries only it (not GoogleAuth and every other credential type). Built
 * once per container; it caches its token until 5 minutes before expiry.
 */
import { AwsClient } from "google-auth-library/build/src/auth/awsclient";
import type { RuntimeConfig } from "./runtime-config";

export function createGoogleClient(config: RuntimeConfig): AwsClient {
  return new AwsClient({
    ...config.credentialConfig,
    // Explicit, so the library never probes gcloud, the metadata server or Resource Manager.
    projectId: config.projectId,
    scopes: ["https://www.googleapis.com/auth/cloud-platform"],
  } as ConstructorParameters<typeof AwsClient>[0]);
}
