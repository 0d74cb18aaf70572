/**
 * Read-only access to a synthesized stack (cdk.tf.json, or stack.toTerraform() at synth):
 * resources by type with their Terraform address, construct path and suppressions, and
 * `${type.name.attr}` references resolved to literal values where the JSON holds them.
 */

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Json = any;

/** A suppression as it is written into a resource's `//` (a Terraform JSON comment). */
export interface SuppressionJson {
  readonly rule: string;
  readonly reason: string;
}

export interface TerraformResource {
  /** e.g. "google_iam_workload_identity_pool_provider" */
  readonly type: string;
  /** The resource's name in Terraform (cdktf's friendly unique id). */
  readonly name: string;
  /** `type.name`, what `terraform plan` prints. */
  readonly address: string;
  /** The resource's arguments as Terraform receives them. */
  readonly config: Record<string, Json>;
  /** Construct path (e.g. "example/federation/aws-provider"), when cdktf recorded it. */
  readonly constructPath?: string;
  readonly suppressions: readonly SuppressionJson[];
}

export interface Reference {
  /** `type.name` or `data.type.name` */
  readonly address: string;
  readonly type: string;
  readonly name: string;
  readonly attribute: string;
  readonly isData: boolean;
}

const REFERENCE = /^\$\{(data\.)?([a-z][a-z0-9_]*)\.([A-Za-z0-9_-]+)\.([A-Za-z0-9_.[\]]+)\}$/;
const EMBEDDED_REFERENCE =
  /\$\{(data\.)?([a-z][a-z0-9_]*)\.([A-Za-z0-9_-]+)\.([A-Za-z0-9_]+)[^}]*\}/g;

/** Parses a whole-string reference `${type.name.attr}` (or `${data.type.name.attr}`). */
export function parseReference(value: unknown): Reference | undefined {
  if (typeof value !== "string") return undefined;
  const m = REFERENCE.exec(value);
  if (!m) return undefined;
  const isData = Boolean(m[1]);
  return {
    address: `${isData ? "data." : ""}${m[2]}.${m[3]}`,
    type: m[2],
    name: m[3],
    attribute: m[4],
    isData,
  };
}

/** Every `${type.name.attr...}` reference inside a string. */
export function referencesIn(value: string): Reference[] {
  return [...value.matchAll(EMBEDDED_REFERENCE)].map((m) => ({
    address: `${m[1] ? "data." : ""}${m[2]}.${m[3]}`,
    type: m[2],
    name: m[3],
    attribute: m[4],
    isData: Boolean(m[1]),
  }));
}

/** True when the string still holds a Terraform expression (known only at apply). */
export function isExpression(value: unknown): boolean {
  return typeof value === "string" && value.includes("${");
}

/** A nested block as cdktf writes it: an object, or a list of one object. */
export function block(value: Json): Record<string, Json> | undefined {
  if (Array.isArray(value)) return value[0];
  return value && typeof value === "object" ? value : undefined;
}

/** Nested blocks as a list, whether written as one object or a list. */
export function blocks(value: Json): Record<string, Json>[] {
  if (Array.isArray(value)) return value;
  return value && typeof value === "object" ? [value] : [];
}

/** One synthesized stack, indexed once so every rule's lookups are cheap. */
export class StackJson {
  readonly json: Json;
  private readonly byType = new Map<string, TerraformResource[]>();
  private readonly dataByType = new Map<string, TerraformResource[]>();
  private services?: Set<string>;

  constructor(json: Json) {
    this.json = json;
    index(json?.resource, this.byType, "");
    index(json?.data, this.dataByType, "data.");
  }

  /** Resource types present, sorted. */
  get resourceTypes(): string[] {
    return [...this.byType.keys()].sort();
  }

  /** Resources of one type, sorted by name. */
  resources(type: string): TerraformResource[] {
    return this.byType.get(type) ?? [];
  }

  /** Data sources of one type, sorted by name. */
  dataSources(type: string): TerraformResource[] {
    return this.dataByType.get(type) ?? [];
  }

  /** Every resource, sorted by address. */
  allResources(): TerraformResource[] {
    return this.resourceTypes.flatMap((type) => this.resources(type));
  }

  /** The resource or data source a reference (or address) points at. */
  find(ref: Reference | string | undefined): TerraformResource | undefined {
    if (!ref) return undefined;
    const r =
      typeof ref === "string"
        ? (parseReference(ref) ?? addressToReference(ref))
        : (ref as Reference);
    if (!r) return undefined;
    const list = r.isData ? this.dataSources(r.type) : this.resources(r.type);
    return list.find((res) => res.name === r.name);
  }

  /**
   * The literal a value stands for: itself when it is plain, the referenced resource's
   * argument when it is `${type.name.attr}` and that argument is a literal; else undefined.
   */
  literal(value: unknown): string | undefined {
    if (typeof value === "number") return String(value);
    if (typeof value !== "string") return undefined;
    if (!isExpression(value)) return value;
    const ref = parseReference(value);
    const target = ref && this.find(ref);
    const resolved = target?.config[ref!.attribute];
    return typeof resolved === "string" && !isExpression(resolved) ? resolved : undefined;
  }

  /** Google services enabled by google_project_service in this stack. */
  enabledGoogleServices(): Set<string> {
    if (this.services) return this.services;
    const services = new Set<string>();
    for (const r of this.resources("google_project_service")) {
      if (typeof r.config.service === "string") services.add(r.config.service);
    }
    for (const r of this.resources("google_project_services")) {
      for (const s of r.config.services ?? []) services.add(s);
    }
    this.services = services;
    return services;
  }
}

function addressToReference(address: string): Reference | undefined {
  const parts = address.split(".");
  const isData = parts[0] === "data";
  const [type, name] = isData ? parts.slice(1) : parts;
  if (!type || !name) return undefined;
  return { address, type, name, attribute: "", isData };
}

function index(section: Json, into: Map<string, TerraformResource[]>, prefix: string): void {
  if (!section || typeof section !== "object") return;
  for (const type of Object.keys(section).sort()) {
    const byName = section[type] ?? {};
    into.set(
      type,
      Object.keys(byName)
        .sort()
        .map((name) => {
          const config = byName[name] ?? {};
          const comment = config["//"] ?? {};
          return {
            type,
            name,
            address: `${prefix}${type}.${name}`,
            config,
            constructPath: comment.metadata?.path,
            suppressions: Array.isArray(comment.suppressions) ? comment.suppressions : [],
          };
        }),
    );
  }
}
