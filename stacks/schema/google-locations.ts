/**
 * Where Google Cloud resources may live, for config checks made before synth (Google would
 * otherwise refuse an unknown region or bucket location only at apply).
 *
 * - Regions: Compute Engine "Regions and zones" (https://cloud.google.com/compute/docs/regions-zones).
 *   BigQuery's regional locations are the same regions, so they are read from BIGQUERY_LOCATIONS
 *   (stacks/schema/bigquery-limits.ts) instead of being written out twice.
 * - Cloud Storage "Bucket locations" (https://cloud.google.com/storage/docs/locations): every
 *   region, the predefined dual-regions and the multi-regions. A configurable dual-region also
 *   names a multi-region as its location (with placement settings this stack does not write).
 */
import { BIGQUERY_LOCATIONS } from "./bigquery-limits";

const BIGQUERY_MULTI_REGIONS = new Set<string>(["US", "EU"]);

/** Google Cloud region names, e.g. "europe-west1". */
export const GOOGLE_CLOUD_REGIONS: readonly string[] = BIGQUERY_LOCATIONS.filter(
  (location) => !BIGQUERY_MULTI_REGIONS.has(location),
);

/** Cloud Storage's predefined dual-regions (a pair of regions each). */
export const STORAGE_DUAL_REGIONS = ["ASIA1", "EUR4", "EUR5", "EUR7", "EUR8", "NAM4"] as const;
/** Cloud Storage's multi-regions. */
export const STORAGE_MULTI_REGIONS = ["ASIA", "EU", "US"] as const;

/** Every location a bucket may be created in. */
export const STORAGE_LOCATIONS: readonly string[] = [
  ...STORAGE_MULTI_REGIONS,
  ...STORAGE_DUAL_REGIONS,
  ...GOOGLE_CLOUD_REGIONS,
];

/** Whether `region` is a Google Cloud region (names are lower case, as Google spells them). */
export function isGoogleCloudRegion(region: string): boolean {
  return GOOGLE_CLOUD_REGIONS.includes(region);
}

/** Whether `location` is a Cloud Storage location; Google compares them case-insensitively. */
export function isStorageLocation(location: string): boolean {
  const upper = location.toUpperCase();
  return STORAGE_LOCATIONS.some((known) => known.toUpperCase() === upper);
}
