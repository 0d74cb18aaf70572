/**
 * `npm run redrive -- <env> [--pipeline NAME] [--dry-run] [--max N] [--config-dir DIR]`: moves the environment's
 * dead-letter messages back to its queue (see redrive.ts). Uses the default AWS credential
 * chain (AWS_PROFILE, environment, SSO) in the environment's region. Exit 0 when the DLQ was
 * empty, the dry run ran or the move completed; 1 otherwise.
 */
import * as path from "node:path";
import { parseArgs } from "node:util";
import { SQSClient } from "@aws-sdk/client-sqs";
import { STSClient } from "@aws-sdk/client-sts";
import { loadConfig } from "../../stacks/config";
import { redrive, RedriveError } from "./redrive";

const USAGE =
  "usage: npm run redrive -- <environment> [--pipeline <name>] [--dry-run] [--max <messages per second>] [--config-dir config]";

export async function main(argv: readonly string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    options: {
      "dry-run": { type: "boolean", default: false },
      max: { type: "string" },
      "config-dir": { type: "string", default: "config" },
      pipeline: { type: "string" },
    },
  });
  if (positionals.length !== 1) throw new RedriveError(USAGE);
  const config = loadConfig(path.join(values["config-dir"], `${positionals[0]}.json`));
  const region = config.aws.region;
  const result = await redrive({
    config,
    pipeline: values.pipeline,
    sqs: new SQSClient({ region }),
    sts: new STSClient({ region }),
    dryRun: values["dry-run"],
    maxPerSecond: values.max === undefined ? undefined : Number(values.max),
  });
  return ["nothing-to-move", "dry-run", "completed"].includes(result.outcome) ? 0 : 1;
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err: unknown) => {
      console.error(err instanceof Error ? err.message : err);
      process.exit(1);
    },
  );
}
