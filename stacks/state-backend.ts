/**
 * The Terraform backend of one environment, from its `state` config: local by default (a file
 * in the project root), or S3 / GCS for a team. Defaults that depend on the environment (the
 * local path, the S3 key, the GCS prefix) are filled in here so every stack gets its own state.
 */
import { GcsBackend, LocalBackend, S3Backend, type TerraformStack } from "cdktf";
import type { BridgeConfig } from "./config";

export type ResolvedStateBackend =
  | { readonly backend: "local"; readonly path: string }
  | {
      readonly backend: "s3";
      readonly bucket: string;
      readonly key: string;
      readonly region: string;
      readonly encrypt: boolean;
      readonly useLockfile: boolean;
    }
  | { readonly backend: "gcs"; readonly bucket: string; readonly prefix: string };

/** The state settings of an environment with every default applied. */
export function resolveStateBackend(
  config: Pick<BridgeConfig, "environment" | "aws" | "state">,
): ResolvedStateBackend {
  const state = config.state;
  switch (state.backend) {
    case "local":
      // Relative to cdktf.out/stacks/<env>/: the project root, outside what synth rewrites,
      // and the same text on every machine.
      return {
        backend: "local",
        path: state.path ?? `../../../terraform.${config.environment}.tfstate`,
      };
    case "s3":
      return {
        backend: "s3",
        bucket: state.bucket,
        key: state.key ?? `wif-bridge/${config.environment}.tfstate`,
        region: state.region ?? config.aws.region,
        encrypt: state.encrypt,
        useLockfile: state.useLockfile,
      };
    case "gcs":
      return {
        backend: "gcs",
        bucket: state.bucket,
        prefix: state.prefix ?? `wif-bridge/${config.environment}`,
      };
  }
}

/**
 * S3-native locking (use_lockfile): experimental in Terraform 1.10, generally available in
 * Terraform 1.11; OpenTofu has it from 1.10. One `required_version` is read by both tools
 * against their own version, so ">= 1.11.0" admits every Terraform and OpenTofu release that
 * has it as a stable feature (and refuses OpenTofu 1.10.x, an accepted cost).
 */
export const S3_LOCKFILE_REQUIRED_VERSION = ">= 1.11.0";

/** The `required_version` the backend needs, or undefined when any current release will do. */
export function requiredTerraformVersion(state: ResolvedStateBackend): string | undefined {
  return state.backend === "s3" && state.useLockfile ? S3_LOCKFILE_REQUIRED_VERSION : undefined;
}

/** Declares the environment's backend on the stack, and the Terraform version it needs. */
export function addStateBackend(
  stack: TerraformStack,
  config: Pick<BridgeConfig, "environment" | "aws" | "state">,
): ResolvedStateBackend {
  const state = resolveStateBackend(config);
  switch (state.backend) {
    case "local":
      new LocalBackend(stack, { path: state.path });
      break;
    case "s3": {
      const backend = new S3Backend(stack, {
        bucket: state.bucket,
        key: state.key,
        region: state.region,
        encrypt: state.encrypt,
      });
      // cdktf 0.21's S3BackendConfig predates use_lockfile (Terraform 1.10), so it is set as
      // an override on the backend block.
      backend.addOverride("use_lockfile", state.useLockfile);
      break;
    }
    case "gcs":
      new GcsBackend(stack, { bucket: state.bucket, prefix: state.prefix });
      break;
  }
  const requiredVersion = requiredTerraformVersion(state);
  // An older Terraform would fail at init on an unknown backend argument; this fails first,
  // naming the version.
  if (requiredVersion) stack.addOverride("terraform.required_version", requiredVersion);
  return state;
}
