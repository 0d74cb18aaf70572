/** The trust intent of one environment, derived from its config (the one source of truth). */
import type { BridgeConfig } from "../../config";
import type { TrustIntent } from "./intent";

export function trustIntentOf(config: BridgeConfig): TrustIntent {
  return {
    accountId: config.aws.accountId,
    awsRegion: config.aws.region,
    roleName: config.names.roleName,
    functionName: config.names.functionName,
    accessMode: config.federation.accessMode,
    ...(config.names.serviceAccountId ? { serviceAccountId: config.names.serviceAccountId } : {}),
    datasetId: config.bigquery.datasetId,
    ...(config.archive ? { archiveBucket: config.archive.bucketName } : {}),
  };
}
