/**
 * The optional raw-batch archive: a private bucket (uniform access, public access prevention
 * enforced) where the Lambda may create objects and do nothing else.
 */
import { Construct } from "constructs";
import type { ITerraformDependable } from "cdktf";
import { StorageBucket } from "@cdktf/provider-google/lib/storage-bucket";
import { StorageBucketIamMember } from "@cdktf/provider-google/lib/storage-bucket-iam-member";

/** Create objects; no read, overwrite or delete. */
export const ARCHIVE_WRITER_ROLE = "roles/storage.objectCreator";

export interface StorageArchiveProps {
  readonly projectId: string;
  readonly bucketName: string;
  readonly location: string;
  /** Days before archived objects are deleted. @default kept */
  readonly retentionDays?: number;
  /** Lets destroy delete a non-empty bucket. @default false */
  readonly forceDestroy?: boolean;
  /** @default none */
  readonly labels?: Record<string, string>;
  /** @default none */
  readonly dependsOn?: ITerraformDependable[];
}

export class StorageArchive extends Construct {
  readonly bucket: StorageBucket;
  readonly bucketName: string;

  constructor(scope: Construct, id: string, props: StorageArchiveProps) {
    super(scope, id);
    this.bucket = new StorageBucket(this, "bucket", {
      project: props.projectId,
      name: props.bucketName,
      location: props.location,
      uniformBucketLevelAccess: true,
      publicAccessPrevention: "enforced",
      forceDestroy: props.forceDestroy ?? false,
      labels: props.labels,
      lifecycleRule: props.retentionDays
        ? [{ action: { type: "Delete" }, condition: { age: props.retentionDays } }]
        : undefined,
      dependsOn: props.dependsOn,
    });
    this.bucketName = props.bucketName;
  }

  /** Object creation (the archive write) for one member. */
  grantObjectCreate(member: string): StorageBucketIamMember {
    return new StorageBucketIamMember(this, "writer", {
      bucket: this.bucket.name,
      role: ARCHIVE_WRITER_ROLE,
      member,
    });
  }
}
