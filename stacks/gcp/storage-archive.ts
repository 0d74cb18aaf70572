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

/** The IAM condition that admits object names under `prefix` in `bucket`, and no others. */
export function objectPrefixCondition(bucket: string, prefix: string): string {
  return `resource.name.startsWith(${JSON.stringify(`projects/_/buckets/${bucket}/objects/${prefix}`)})`;
}

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

  /**
   * Object creation (the archive write) for one member: in the whole bucket, or, with a
   * prefix, only for object names under it. The prefix is an IAM condition on the object's
   * resource name (`projects/_/buckets/BUCKET/objects/PREFIX...`), which Cloud Storage
   * evaluates on objects.create; objectCreator has no list or read permission to narrow.
   * @param id construct id of the grant. @default "writer"
   */
  grantObjectCreate(member: string, prefix?: string, id = "writer"): StorageBucketIamMember {
    return new StorageBucketIamMember(this, id, {
      bucket: this.bucket.name,
      role: ARCHIVE_WRITER_ROLE,
      member,
      condition:
        prefix === undefined
          ? undefined
          : {
              title: `archive prefix ${prefix}`.slice(0, 100),
              description: "Create objects under this pipeline's prefix only (wif-bridge)",
              expression: objectPrefixCondition(this.bucketName, prefix),
            },
    });
  }
}
