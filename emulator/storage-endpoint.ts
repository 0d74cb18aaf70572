/**
 * Cloud Storage for the buckets of the applied stack: media upload
 * `POST /upload/storage/v1/b/BUCKET/o?uploadType=media&name=NAME` (storage.objects.create on
 * the object; replacing one also needs storage.objects.delete, which objectCreator has not),
 * `GET /storage/v1/b/BUCKET/o/NAME` (storage.objects.get) and `GET /storage/v1/b/BUCKET/o`
 * (storage.objects.list, checked on the bucket). A grant's IAM condition must hold for the
 * resource: an object-prefix condition (`resource.name.startsWith(...)`) admits only objects
 * under that prefix, and never a list.
 */
import { createHash } from "node:crypto";
import type { Endpoint } from "./faults";
import type { BucketState } from "./google-state";
import {
  describeGrant,
  describePrincipal,
  PERMISSIONS,
  searchGrant,
  type Binding,
  type Principal,
} from "./iam";
import { storageBucketResource, storageObjectResource, type IamResource } from "./iam-conditions";
import {
  authenticate,
  googleError,
  json,
  refuse,
  rfc3339,
  type EmulatorContext,
  type EmulatorRequest,
  type EmulatorResponse,
} from "./emulator-context";

export const UPLOAD_PATH = /^\/upload\/storage\/v1\/b\/([^/]+)\/o$/;
export const OBJECTS_PATH = /^\/storage\/v1\/b\/([^/]+)\/o(?:\/(.+))?$/;

export interface StoredObject {
  readonly bucket: string;
  readonly name: string;
  readonly contentType: string;
  readonly data: Buffer;
  readonly generation: number;
}

export class ObjectStorage {
  private readonly objects = new Map<string, StoredObject>();
  private generation = 1_700_000_000_000_000;

  list(bucket: string): StoredObject[] {
    return [...this.objects.values()].filter((o) => o.bucket === bucket);
  }

  get(bucket: string, name: string): StoredObject | undefined {
    return this.objects.get(`${bucket}/${name}`);
  }

  put(bucket: string, name: string, contentType: string, data: Buffer): StoredObject {
    this.generation += 1;
    const object = { bucket, name, contentType, data, generation: this.generation };
    this.objects.set(`${bucket}/${name}`, object);
    return object;
  }
}

export function handleMediaUpload(
  ctx: EmulatorContext,
  storage: ObjectStorage,
  req: EmulatorRequest,
  bucketName: string,
) {
  const endpoint = "storage.upload" as const;
  const caller = authenticate(
    ctx,
    endpoint,
    req,
    googleError(
      401,
      "UNAUTHENTICATED",
      "Anonymous caller does not have storage.objects.create access.",
      "required",
    ),
  );
  if ("refused" in caller) return caller.refused;
  const { principal } = caller;
  const uploadType = req.url.searchParams.get("uploadType");
  const name = req.url.searchParams.get("name");
  if (uploadType !== "media" || !name) {
    return refuse(
      ctx,
      endpoint,
      googleError(
        400,
        "INVALID_ARGUMENT",
        `The emulator takes uploadType=media with a name; got uploadType=${uploadType} name=${name}`,
        "invalid",
      ),
      "unsupported upload",
      principal,
    );
  }
  const bucket = ctx.state.bucket(bucketName);
  if (!bucket) {
    return refuse(
      ctx,
      endpoint,
      googleError(404, "NOT_FOUND", "The specified bucket does not exist.", "notFound"),
      `no bucket ${bucketName}`,
      principal,
    );
  }
  const who = describePrincipal(principal);
  const resource = storageObjectResource(bucketName, name);
  const create = authorizeOn(ctx, endpoint, principal, bucket, PERMISSIONS.objectsCreate, resource);
  if ("status" in create) return create;
  const existing = storage.get(bucketName, name);
  if (existing) {
    if (req.url.searchParams.get("ifGenerationMatch") === "0") {
      return refuse(
        ctx,
        endpoint,
        googleError(
          412,
          "FAILED_PRECONDITION",
          "At least one of the pre-conditions you specified did not hold.",
          "conditionNotMet",
        ),
        `object ${name} exists`,
        principal,
      );
    }
    const replace = authorizeOn(
      ctx,
      endpoint,
      principal,
      bucket,
      PERMISSIONS.objectsDelete,
      resource,
    );
    if ("status" in replace) return replace;
  }
  const contentType = String(req.headers["content-type"] ?? "application/octet-stream");
  const object = storage.put(bucketName, name, contentType, req.body);
  ctx.record({
    endpoint,
    allowed: true,
    status: 200,
    principal: who,
    reason: create.reason,
    detail: { object: name, bytes: req.body.length },
  });
  return json(200, {
    kind: "storage#object",
    id: `${bucketName}/${name}/${object.generation}`,
    name,
    bucket: bucketName,
    generation: String(object.generation),
    contentType,
    size: String(req.body.length),
    md5Hash: createHash("md5").update(req.body).digest("base64"),
    timeCreated: rfc3339(ctx.now()),
  });
}

function deniedFor(who: string, permission: string): EmulatorResponse {
  return googleError(
    403,
    "PERMISSION_DENIED",
    `${who} does not have ${permission} access to the Google Cloud Storage object. Permission '${permission}' denied on resource (or it may not exist).`,
    "forbidden",
  );
}

/**
 * Whether a grant on the bucket or the project gives the permission on the resource, its IAM
 * condition (if any) true for it; a refusal names a false condition as such.
 */
function authorizeOn(
  ctx: EmulatorContext,
  endpoint: Endpoint,
  principal: Principal,
  bucket: BucketState,
  permission: string,
  resource: IamResource,
): { reason: string } | EmulatorResponse {
  const levels: [string, readonly Binding[]][] = [
    [`bucket ${bucket.name}`, bucket.bindings],
    [`project`, ctx.state.projectBindings],
  ];
  const conditionFalse: string[] = [];
  for (const [on, bindings] of levels) {
    const found = searchGrant(bindings, principal, permission, resource);
    conditionFalse.push(...found.conditionFalse.map((c) => `${c.binding.source}: ${c.reason}`));
    if (found.grant) return { reason: describeGrant(found.grant, on) };
  }
  const who = describePrincipal(principal);
  return refuse(
    ctx,
    endpoint,
    deniedFor(who, permission),
    conditionFalse.length > 0
      ? `every grant of ${permission} on ${resource.name} to ${who} has a false IAM condition: ${conditionFalse.join("; ")}`
      : `no grant on bucket ${bucket.name} or the project gives ${permission} to ${who}`,
    principal,
    { resource: resource.name, grants: bucket.bindings },
    conditionFalse.length > 0 ? "IAM condition false" : "no bucket grant",
  );
}

/** The authenticated caller and the bucket, or the 401 / 404 Cloud Storage answers. */
function callerOnBucket(
  ctx: EmulatorContext,
  endpoint: "storage.objects.get" | "storage.objects.list",
  req: EmulatorRequest,
  bucketName: string,
): { principal: Principal; bucket: BucketState } | EmulatorResponse {
  // The endpoint names its permission: storage.objects.get, storage.objects.list.
  const permission = endpoint;
  const caller = authenticate(
    ctx,
    endpoint,
    req,
    googleError(
      401,
      "UNAUTHENTICATED",
      `Anonymous caller does not have ${permission} access.`,
      "required",
    ),
  );
  if ("refused" in caller) return caller.refused;
  const bucket = ctx.state.bucket(bucketName);
  if (!bucket) {
    return refuse(
      ctx,
      endpoint,
      googleError(404, "NOT_FOUND", "The specified bucket does not exist.", "notFound"),
      `no bucket ${bucketName}`,
      caller.principal,
    );
  }
  return { principal: caller.principal, bucket };
}

/** `GET /storage/v1/b/BUCKET/o/NAME`: metadata, or the content with `alt=media`. */
export function handleObjectGet(
  ctx: EmulatorContext,
  storage: ObjectStorage,
  req: EmulatorRequest,
  bucketName: string,
  name: string,
) {
  const endpoint = "storage.objects.get" as const;
  const caller = callerOnBucket(ctx, endpoint, req, bucketName);
  if ("status" in caller) return caller;
  const { principal, bucket } = caller;
  const resource = storageObjectResource(bucketName, name);
  const auth = authorizeOn(ctx, endpoint, principal, bucket, PERMISSIONS.objectsGet, resource);
  if ("status" in auth) return auth;
  const object = storage.get(bucketName, name);
  if (!object) {
    return refuse(
      ctx,
      endpoint,
      googleError(404, "NOT_FOUND", `No such object: ${bucketName}/${name}`, "notFound"),
      `no object ${name}`,
      principal,
    );
  }
  ctx.record({
    endpoint,
    allowed: true,
    status: 200,
    principal: describePrincipal(principal),
    reason: auth.reason,
    detail: { object: name },
  });
  return req.url.searchParams.get("alt") === "media"
    ? json(200, object.data.toString("utf8"))
    : json(200, objectResource(object));
}

/** `GET /storage/v1/b/BUCKET/o?prefix=P`: needs storage.objects.list on the bucket itself. */
export function handleObjectsList(
  ctx: EmulatorContext,
  storage: ObjectStorage,
  req: EmulatorRequest,
  bucketName: string,
) {
  const endpoint = "storage.objects.list" as const;
  const caller = callerOnBucket(ctx, endpoint, req, bucketName);
  if ("status" in caller) return caller;
  const { principal, bucket } = caller;
  const auth = authorizeOn(
    ctx,
    endpoint,
    principal,
    bucket,
    PERMISSIONS.objectsList,
    storageBucketResource(bucketName),
  );
  if ("status" in auth) return auth;
  const prefix = req.url.searchParams.get("prefix") ?? "";
  const items = storage.list(bucketName).filter((o) => o.name.startsWith(prefix));
  ctx.record({
    endpoint,
    allowed: true,
    status: 200,
    principal: describePrincipal(principal),
    reason: auth.reason,
    detail: { prefix, items: items.length },
  });
  return json(200, { kind: "storage#objects", items: items.map(objectResource) });
}

function objectResource(object: StoredObject) {
  return {
    kind: "storage#object",
    id: `${object.bucket}/${object.name}/${object.generation}`,
    name: object.name,
    bucket: object.bucket,
    generation: String(object.generation),
    contentType: object.contentType,
    size: String(object.data.length),
  };
}
