/**
 * Checks across the environment files of one checkout: each becomes a stack named after its
 * `environment`, so two files may not share a name, and two stacks may not share a state file
 * (the second deploy would plan to destroy the first one's resources).
 */
import type { BridgeConfig } from "./config";
import { resolveStateBackend, type ResolvedStateBackend } from "./state-backend";

function stateLocation(state: ResolvedStateBackend): string {
  switch (state.backend) {
    case "local":
      return `local file ${state.path}`;
    case "s3":
      return `s3://${state.bucket}/${state.key}`;
    case "gcs":
      return `gs://${state.bucket}/${state.prefix}`;
  }
}

/** Throws an error naming both files when two environments clash by name or by state. */
export function assertDistinctEnvironments(configs: readonly BridgeConfig[]): void {
  const byName = new Map<string, BridgeConfig>();
  const byState = new Map<string, BridgeConfig>();
  for (const config of configs) {
    const sameName = byName.get(config.environment);
    if (sameName) {
      throw new Error(
        `${sameName.source} and ${config.source} both declare environment "${config.environment}"; ` +
          "each file becomes a stack named after its environment: rename one",
      );
    }
    byName.set(config.environment, config);
    const location = stateLocation(resolveStateBackend(config));
    const sameState = byState.get(location);
    if (sameState) {
      throw new Error(
        `${sameState.source} (${sameState.environment}) and ${config.source} (${config.environment}) both keep state in ${location}; ` +
          "give each environment its own state.key, state.prefix or state.path",
      );
    }
    byState.set(location, config);
  }
}
