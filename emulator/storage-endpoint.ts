/**
 * Cloud Storage media upload `POST /upload/storage/v1/b/BUCKET/o?uploadType=media&name=NAME`
 * for the buckets of the applied stack: the caller needs storage.objects.create on the bucket,
 * and replacing an existing object also needs storage.objects.delete (objectCreator has not).
 */
import { createHash } from "node:crypto";
import { describePrincipal, findGrant, PERMISSIONS } from "./iam";
import {
  authenticate,
  googleError,
  json,
  refuse,
  rfc3339,
  type EmulatorContext,
  type EmulatorRequest,
} from "./emulator-context";

export const UPLOAD_PATH = /^\/upload\/storage\/v1\/b\/([^/]+)\/o$/;

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
  const deniedFor = (permission: string) =>
    googleError(
      403,
      "PERMISSION_DENIED",
      `${who} does not have ${permission} access to the Google Cloud Storage object. Permission '${permission}' denied on resource (or it may not exist).`,
      "forbidden",
    );
  const bindings = [...bucket.bindings, ...ctx.state.projectBindings];
  const grant = findGrant(bindings, principal, PERMISSIONS.objectsCreate);
  if (!grant) {
    return refuse(
      ctx,
      endpoint,
      deniedFor(PERMISSIONS.objectsCreate),
      `no grant on bucket ${bucketName} gives storage.objects.create to ${who}`,
      principal,
    );
  }
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
    if (!findGrant(bindings, principal, PERMISSIONS.objectsDelete)) {
      return refuse(
        ctx,
        endpoint,
        deniedFor(PERMISSIONS.objectsDelete),
        `replacing ${name} needs storage.objects.delete`,
        principal,
      );
    }
  }
  const contentType = String(req.headers["content-type"] ?? "application/octet-stream");
  const object = storage.put(bucketName, name, contentType, req.body);
  ctx.record({
    endpoint,
    allowed: true,
    status: 200,
    principal: who,
    reason: `${grant.member} holds ${grant.role} on bucket ${bucketName} (${grant.source})`,
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
