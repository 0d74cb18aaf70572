/**
 * The Google APIs the bridge relies on. They stay enabled when the stack is destroyed:
 * other workloads in the project may use them, and disabling an API is not ours to do.
 */
import { Construct } from "constructs";
import type { ITerraformDependable } from "cdktf";
import { ProjectService } from "@cdktf/provider-google/lib/project-service";

/** APIs every environment needs: federation (iam, sts), impersonation and BigQuery. */
export const BASE_SERVICES = [
  "iam.googleapis.com",
  "iamcredentials.googleapis.com",
  "sts.googleapis.com",
  "cloudresourcemanager.googleapis.com",
  "bigquery.googleapis.com",
] as const;
export const STORAGE_SERVICE = "storage.googleapis.com";

export interface ProjectServicesProps {
  readonly projectId: string;
  readonly services: readonly string[];
}

export class ProjectServices extends Construct {
  /** Resources that must exist before anything that calls these APIs. */
  readonly dependables: ITerraformDependable[];

  constructor(scope: Construct, id: string, props: ProjectServicesProps) {
    super(scope, id);
    this.dependables = props.services.map(
      (service) =>
        new ProjectService(this, service.split(".")[0], {
          project: props.projectId,
          service,
          disableOnDestroy: false,
          disableDependentServices: false,
        }),
    );
  }
}
