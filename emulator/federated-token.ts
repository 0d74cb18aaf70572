/**
 * A Google access token as a function's identity would get it, outside the Lambda: the
 * function's own credential config (audience, token URL, service account impersonation),
 * followed by google-auth-library's AwsClient with the given AWS credentials. The isolation
 * tests use it to try reads and lists the Lambda never makes.
 */
import { AwsClient } from "google-auth-library";
import { LAMBDA_ENV } from "../stacks/federation/lambda-environment";
import type { LambdaDeployment } from "./lambda-deployment";
import type { SigningCredentials } from "./sigv4";

export async function accessTokenAs(
  deployment: LambdaDeployment,
  credentials: SigningCredentials,
): Promise<string> {
  const config = JSON.parse(deployment.environment[LAMBDA_ENV.credentialConfig]);
  delete config.credential_source;
  const client = new AwsClient({
    ...config,
    aws_security_credentials_supplier: {
      getAwsRegion: async () => deployment.awsRegion,
      getAwsSecurityCredentials: async () => ({
        accessKeyId: credentials.accessKeyId,
        secretAccessKey: credentials.secretAccessKey,
        token: credentials.sessionToken,
      }),
    },
  });
  const { token } = await client.getAccessToken();
  if (!token) throw new Error(`no access token for ${deployment.functionName}`);
  return token;
}
