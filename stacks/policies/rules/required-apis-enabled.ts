/**
 * API1 (warning): the Google APIs each resource relies on are enabled by a
 * google_project_service in the same stack.
 * Reads the synthesized JSON: resource types present and the `service` of every
 * google_project_service. A warning, not an error: an organization may enable APIs outside
 * this stack, and a missing API fails the apply rather than opening access.
 */
import { nonCompliant, COMPLIANT, NOT_APPLICABLE, type SecurityRule } from "../rule";

/** Resource type prefix -> the APIs such resources need. */
export const REQUIRED_SERVICES: readonly (readonly [prefix: string, services: string[]])[] = [
  ["google_iam_workload_identity_pool", ["iam.googleapis.com", "sts.googleapis.com"]],
  ["google_service_account", ["iam.googleapis.com", "iamcredentials.googleapis.com"]],
  ["google_bigquery_", ["bigquery.googleapis.com"]],
  ["google_storage_", ["storage.googleapis.com"]],
];

export function servicesRequiredBy(resourceType: string): string[] {
  return REQUIRED_SERVICES.filter(([prefix]) => resourceType.startsWith(prefix)).flatMap(
    ([, services]) => services,
  );
}

export const RequiredApisEnabled: SecurityRule = {
  id: "API1",
  name: "RequiredApisEnabled",
  info: "The Google APIs the stack's resources rely on are enabled by the stack (google_project_service).",
  explanation:
    "Federation needs iam and sts, impersonation iamcredentials, and the data services their own API; enabling them in the stack makes a fresh project apply cleanly and documents what the bridge uses.",
  level: "warning",
  fix: "add the service to ProjectServices (BASE_SERVICES / STORAGE_SERVICE in stacks/gcp/project-services.ts)",
  appliesTo: (type) => servicesRequiredBy(type).length > 0,
  evaluate(resource, stack) {
    const required = servicesRequiredBy(resource.type);
    if (required.length === 0) return NOT_APPLICABLE;
    const enabled = stack.enabledGoogleServices();
    const missing = required.filter((s) => !enabled.has(s));
    return missing.length === 0
      ? COMPLIANT
      : nonCompliant(`needs ${missing.join(", ")}, which no google_project_service enables`);
  },
};
