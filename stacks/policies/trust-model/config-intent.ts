/** The trust intent of one environment, derived from its config (the one source of truth). */
import type { BridgeConfig } from "../../config";
import type { TrustIntent } from "./intent";

export function trustIntentOf(config: BridgeConfig): TrustIntent {
  return {
    accountId: config.aws.accountId,
    awsRegion: config.aws.region,
    accessMode: config.federation.accessMode,
    gcpProjectId: config.gcp.projectId,
    ...(config.gcp.projectNumber ? { gcpProjectNumber: config.gcp.projectNumber } : {}),
    pipelines: config.pipelines.map((p) => ({
      name: p.name,
      accountId: p.accountId,
      roleName: p.names.roleName,
      functionName: p.names.functionName,
      ...(p.names.serviceAccountId ? { serviceAccountId: p.names.serviceAccountId } : {}),
      datasetId: p.bigquery.datasetId,
      tableId: p.bigquery.tableId,
      ...(config.archive ? { archiveBucket: config.archive.bucketName } : {}),
      ...(p.archivePrefix !== undefined ? { archivePrefix: p.archivePrefix } : {}),
    })),
  };
}
