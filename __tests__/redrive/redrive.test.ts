import { mockClient } from "aws-sdk-client-mock";
import {
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  ListMessageMoveTasksCommand,
  QueueDoesNotExist,
  SQSClient,
  StartMessageMoveTaskCommand,
} from "@aws-sdk/client-sqs";
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { redrive, RedriveError, type RedriveOptions } from "../../tools/redrive/redrive";
import { main } from "../../tools/redrive/cli";
import { bundleCode, DEFAULT_ENTRY } from "../../stacks/aws/lambda-bundle";
import { exampleConfig, platformConfig } from "../helpers/synth";

const ACCOUNT = "111122223333";
const URL_OF = (name: string) => `https://sqs.eu-west-1.amazonaws.com/${ACCOUNT}/${name}`;
const ARN_OF = (name: string) => `arn:aws:sqs:eu-west-1:${ACCOUNT}:${name}`;
const QUEUE = "wif-bridge-example";
const DLQ = "wif-bridge-example-dlq";

const sqs = mockClient(SQSClient);
const sts = mockClient(STSClient);

/** SQS as seen by the tool: the two queues, DLQ depth before and after, and the move tasks. */
function givenQueues(depth: { before: number; after?: number; inFlight?: number }) {
  sqs.on(GetQueueUrlCommand).callsFake((input) => ({ QueueUrl: URL_OF(input.QueueName) }));
  let dlqReads = 0;
  sqs.on(GetQueueAttributesCommand).callsFake((input) => {
    const name = input.QueueUrl.split("/").pop();
    const visible = name === DLQ ? (dlqReads++ === 0 ? depth.before : (depth.after ?? 0)) : 3;
    return {
      Attributes: {
        QueueArn: ARN_OF(name),
        ApproximateNumberOfMessages: String(visible),
        ApproximateNumberOfMessagesNotVisible: String(name === DLQ ? (depth.inFlight ?? 0) : 0),
      },
    };
  });
}

function run(patch: Partial<RedriveOptions> = {}) {
  const lines: string[] = [];
  const result = redrive({
    config: exampleConfig(),
    sqs: new SQSClient({ region: "eu-west-1" }),
    sts: new STSClient({ region: "eu-west-1" }),
    report: (line) => lines.push(line),
    sleep: async () => {},
    ...patch,
  });
  return { result, lines };
}

beforeEach(() => {
  sqs.reset();
  sts.reset();
  sts.on(GetCallerIdentityCommand).resolves({
    Account: ACCOUNT,
    Arn: `arn:aws:sts::${ACCOUNT}:assumed-role/operator/alice`,
  });
  sqs.on(ListMessageMoveTasksCommand).resolves({ Results: [] });
});

describe("npm run redrive", () => {
  it("dry run: shows the count and the queues, and moves nothing", async () => {
    givenQueues({ before: 12, inFlight: 2 });
    const { result, lines } = run({ dryRun: true, maxPerSecond: 50 });
    await expect(result).resolves.toEqual({ outcome: "dry-run", before: 12 });
    expect(sqs.commandCalls(StartMessageMoveTaskCommand)).toHaveLength(0);
    expect(lines).toEqual([
      `Dead-letter queue ${DLQ}: ~12 message(s) to redrive (+2 in flight, not moved until visible); destination ${QUEUE}.`,
      `Dry run: would move ~12 message(s) from ${DLQ} to ${QUEUE}, at most 50 message(s)/s. Nothing was moved.`,
    ]);
  });

  it("finds the queues by the names the stack gives them, in the configured account", async () => {
    givenQueues({ before: 1 });
    await run({ dryRun: true }).result;
    expect(sqs.commandCalls(GetQueueUrlCommand).map((c) => c.args[0].input)).toEqual([
      { QueueName: DLQ, QueueOwnerAWSAccountId: ACCOUNT },
      { QueueName: QUEUE, QueueOwnerAWSAccountId: ACCOUNT },
    ]);
  });

  it("success: starts a move from the DLQ to the queue, shows progress and the result", async () => {
    givenQueues({ before: 40, after: 0 });
    sqs.on(StartMessageMoveTaskCommand).resolves({ TaskHandle: "handle-1" });
    sqs
      .on(ListMessageMoveTasksCommand)
      .resolvesOnce({ Results: [] })
      .resolvesOnce({
        Results: [
          {
            TaskHandle: "handle-1",
            Status: "RUNNING",
            ApproximateNumberOfMessagesMoved: 15,
            ApproximateNumberOfMessagesToMove: 40,
          },
        ],
      })
      .resolves({
        Results: [{ Status: "COMPLETED", ApproximateNumberOfMessagesMoved: 40 }],
      });
    const { result, lines } = run({ maxPerSecond: 100 });
    await expect(result).resolves.toEqual({
      outcome: "completed",
      before: 40,
      moved: 40,
      after: 0,
    });
    expect(sqs.commandCalls(StartMessageMoveTaskCommand)[0].args[0].input).toEqual({
      SourceArn: ARN_OF(DLQ),
      DestinationArn: ARN_OF(QUEUE),
      MaxNumberOfMessagesPerSecond: 100,
    });
    expect(lines.slice(1)).toEqual([
      `Started moving ${DLQ} -> ${QUEUE}, at most 100 message(s)/s (task handle-1).`,
      "  15 of ~40 moved",
      `Done: 40 message(s) moved to ${QUEUE}; ~0 left in ${DLQ}.`,
    ]);
  });

  it("leaves the rate to SQS when --max is not given", async () => {
    givenQueues({ before: 1 });
    sqs.on(StartMessageMoveTaskCommand).resolves({ TaskHandle: "h" });
    sqs
      .on(ListMessageMoveTasksCommand)
      .resolvesOnce({ Results: [] })
      .resolves({ Results: [{ Status: "COMPLETED", ApproximateNumberOfMessagesMoved: 1 }] });
    await run().result;
    expect(sqs.commandCalls(StartMessageMoveTaskCommand)[0].args[0].input).not.toHaveProperty(
      "MaxNumberOfMessagesPerSecond",
    );
  });

  it("a move task already running: starts none, shows its progress and how to cancel it", async () => {
    givenQueues({ before: 5 });
    sqs.on(ListMessageMoveTasksCommand).resolves({
      Results: [
        {
          TaskHandle: "running-handle",
          Status: "RUNNING",
          ApproximateNumberOfMessagesMoved: 3,
          ApproximateNumberOfMessagesToMove: 8,
        },
      ],
    });
    const { result, lines } = run();
    await expect(result).resolves.toEqual({ outcome: "already-running", before: 5 });
    expect(sqs.commandCalls(StartMessageMoveTaskCommand)).toHaveLength(0);
    expect(lines[1]).toBe(
      `A move task from ${DLQ} is already running (3 of ~8 moved). Wait for it, or cancel it: aws sqs cancel-message-move-task --task-handle running-handle`,
    );
  });

  it("a failed task: reports SQS's reason and what is left", async () => {
    givenQueues({ before: 10, after: 6 });
    sqs.on(StartMessageMoveTaskCommand).resolves({ TaskHandle: "h" });
    sqs
      .on(ListMessageMoveTasksCommand)
      .resolvesOnce({ Results: [] })
      .resolves({
        Results: [
          {
            Status: "FAILED",
            ApproximateNumberOfMessagesMoved: 4,
            FailureReason: "AWS.SimpleQueueService.KmsAccessDenied",
          },
        ],
      });
    const { result, lines } = run();
    await expect(result).resolves.toEqual({ outcome: "failed", before: 10, moved: 4, after: 6 });
    expect(lines.at(-1)).toBe(
      `Failed after 4 message(s): AWS.SimpleQueueService.KmsAccessDenied; ~6 left in ${DLQ}. Fix the cause (e.g. permissions on ${QUEUE}) and run again.`,
    );
  });

  it("wrong account: refuses before reading any queue, naming the account it found", async () => {
    sts.on(GetCallerIdentityCommand).resolves({
      Account: "999988887777",
      Arn: "arn:aws:sts::999988887777:assumed-role/operator/alice",
    });
    givenQueues({ before: 3 });
    const { result } = run();
    await expect(result).rejects.toThrow(RedriveError);
    await expect(result).rejects.toThrow(
      "the AWS credentials are for account 999988887777 (arn:aws:sts::999988887777:assumed-role/operator/alice), but environment example is in account 111122223333 (aws.accountId in config/example.json); use credentials for 111122223333",
    );
    expect(sqs.calls()).toHaveLength(0);
  });

  it("empty DLQ: says so and starts nothing", async () => {
    givenQueues({ before: 0 });
    const { result, lines } = run();
    await expect(result).resolves.toEqual({ outcome: "nothing-to-move", before: 0 });
    expect(lines.at(-1)).toBe("Nothing to redrive.");
    expect(sqs.commandCalls(StartMessageMoveTaskCommand)).toHaveLength(0);
  });

  it("a queue that does not exist: tells to deploy first", async () => {
    sqs
      .on(GetQueueUrlCommand)
      .rejects(
        new QueueDoesNotExist({ message: "The specified queue does not exist.", $metadata: {} }),
      );
    await expect(run().result).rejects.toThrow(
      `queue ${DLQ} does not exist in account ${ACCOUNT}; deploy the stack first`,
    );
  });

  it("refuses a --max outside SQS's 1-500 messages per second", async () => {
    for (const max of [0, 501, 2.5]) {
      await expect(run({ maxPerSecond: max }).result).rejects.toThrow(
        /expected a whole number of messages per second from 1 to 500/,
      );
    }
    expect(sts.calls()).toHaveLength(0);
  });

  it("the command line takes the environment and flags, and exits 0 on a dry run", async () => {
    givenQueues({ before: 2 });
    const log = jest.spyOn(console, "log").mockImplementation(() => {});
    try {
      await expect(main(["example", "--dry-run", "--max", "10"])).resolves.toBe(0);
      expect(log.mock.calls.at(-1)?.[0]).toMatch(/^Dry run: would move ~2 message\(s\)/);
      await expect(main([])).rejects.toThrow(/^usage: npm run redrive -- <environment>/);
    } finally {
      log.mockRestore();
    }
  });

  it("never reaches the Lambda bundle", () => {
    const inputs = bundleCode(DEFAULT_ENTRY, 22).inputs;
    expect(inputs.filter((f) => f.includes("@aws-sdk/") || f.startsWith("tools/"))).toEqual([]);
  });
});

describe("npm run redrive, pipelines", () => {
  const FURTHER = "444455556666";
  const PAYMENTS_DLQ = "wif-bridge-platform-example-payments-dlq";

  it("redrives the named pipeline's queues, in its own account", async () => {
    sts.on(GetCallerIdentityCommand).resolves({
      Account: FURTHER,
      Arn: `arn:aws:sts::${FURTHER}:assumed-role/operator/alice`,
    });
    givenQueues({ before: 0 });
    await run({ config: platformConfig(), pipeline: "payments", dryRun: true }).result;
    expect(sqs.commandCalls(GetQueueUrlCommand)[0].args[0].input).toEqual({
      QueueName: PAYMENTS_DLQ,
      QueueOwnerAWSAccountId: FURTHER,
    });
  });

  it("asks which pipeline when the file has several, naming them", async () => {
    await expect(run({ config: platformConfig() }).result).rejects.toThrow(
      "environment platform-example has 3 pipelines (orders, payments, audit); name one with --pipeline",
    );
    expect(sqs.calls()).toHaveLength(0);
  });

  it("refuses credentials for another account than the pipeline's, naming where it is set", async () => {
    await expect(run({ config: platformConfig(), pipeline: "audit" }).result).rejects.toThrow(
      "but pipeline audit of environment platform-example is in account 444455556666 (pipelines[].aws.accountId in config/platform-example.json); use credentials for 444455556666",
    );
  });

  it("refuses a pipeline the file does not have", async () => {
    await expect(run({ config: platformConfig(), pipeline: "billing" }).result).rejects.toThrow(
      "--pipeline billing: environment platform-example has no such pipeline; it has orders, payments, audit",
    );
  });
});
