/**
 * A Google access token as a function's identity would get it, outside the Lambda: the
 * function's own credential config (audience, token URL, service account impersonation),
 * followed by the Lambda's own google-auth-library AwsClient (one try, global fetch) with the
 * given AWS credentials. The isolation tests use it to try reads and lists the Lambda never
 * makes. A refusal at STS or IAM throws; the emulator's decision log says which.
 */
import { SingleTryAwsClient } from "../lambda/google-client";
import { LAMBDA_ENV } from "../stacks/federation/lambda-environment";
import type { LambdaDeployment } from "./lambda-deployment";
import type { SigningCredentials } from "./sigv4";

export async function accessTokenAs(
  deployment: LambdaDeployment,
  credentials: SigningCredentials,
): Promise<string> {
  const config = JSON.parse(deployment.environment[LAMBDA_ENV.credentialConfig]);
  delete config.credential_source;
  const client = new SingleTryAwsClient(
    {
      ...config,
      scopes: ["https://www.googleapis.com/auth/cloud-platform"],
      transporterOptions: { fetchImplementation: globalThis.fetch },
      aws_security_credentials_supplier: {
        getAwsRegion: async () => deployment.awsRegion,
        getAwsSecurityCredentials: async () => ({
          accessKeyId: credentials.accessKeyId,
          secretAccessKey: credentials.secretAccessKey,
          token: credentials.sessionToken,
        }),
      },
    } as ConstructorParameters<typeof SingleTryAwsClient>[0],
    config.token_url,
  );
  const { token } = await client.getAccessToken();
  if (!token) throw new Error(`no access token for ${deployment.functionName}`);
  return token;
}
