/**
 * Where an environment's alarms notify: an SNS topic encrypted with its own KMS key, a topic
 * policy that lets only this account's CloudWatch alarms publish, and the subscriptions from
 * config.
 *
 * Why a customer managed key and not alias/aws/sns: the AWS managed key's policy does not let
 * CloudWatch call kms:GenerateDataKey / kms:Decrypt and cannot be edited, so an alarm whose
 * topic uses it fails its action ("CloudWatch Alarms does not have authorization to access the
 * SNS topic encryption key") and nobody is told. The key costs about 1 USD a month.
 */
import { createHash } from "node:crypto";
import { Construct } from "constructs";
import { KmsKey } from "@cdktf/provider-aws/lib/kms-key";
import { KmsAlias } from "@cdktf/provider-aws/lib/kms-alias";
import { SnsTopic } from "@cdktf/provider-aws/lib/sns-topic";
import { SnsTopicPolicy } from "@cdktf/provider-aws/lib/sns-topic-policy";
import { SnsTopicSubscription } from "@cdktf/provider-aws/lib/sns-topic-subscription";
import { awsArn, awsPartitionOf } from "../federation/partition";

export const CLOUDWATCH_SERVICE_PRINCIPAL = "cloudwatch.amazonaws.com";

export interface AlarmSubscription {
  readonly protocol: "email" | "https";
  readonly endpoint: string;
}

export interface AlarmTopicProps {
  /** The topic's name; the key's alias is `alias/<topicName>`. */
  readonly topicName: string;
  /** The account whose alarms may publish (and whose root administers the key). */
  readonly accountId: string;
  /** The region of the alarms, for their ARNs in the topic policy. */
  readonly region: string;
  /** Notified on ALARM and OK. @default none */
  readonly subscriptions?: readonly AlarmSubscription[];
}

export class AlarmTopic extends Construct {
  readonly key: KmsKey;
  readonly topic: SnsTopic;
  readonly topicArn: string;
  readonly subscriptions: SnsTopicSubscription[];

  constructor(scope: Construct, id: string, props: AlarmTopicProps) {
    super(scope, id);
    const partition = awsPartitionOf(props.region);
    this.key = new KmsKey(this, "key", {
      description: `Encrypts SNS topic ${props.topicName} (wif-bridge alarms)`,
      enableKeyRotation: true,
      policy: JSON.stringify({
        Version: "2012-10-17",
        Statement: [
          {
            // Without it the key could not be administered at all (KMS's default statement).
            Sid: "AccountAdministersKey",
            Effect: "Allow",
            Principal: {
              AWS: awsArn({
                partition,
                service: "iam",
                account: props.accountId,
                resource: "root",
              }),
            },
            Action: "kms:*",
            Resource: "*",
          },
          {
            Sid: "CloudWatchAlarmsPublishEncrypted",
            Effect: "Allow",
            Principal: { Service: CLOUDWATCH_SERVICE_PRINCIPAL },
            Action: ["kms:Decrypt", "kms:GenerateDataKey*"],
            Resource: "*",
          },
        ],
      }),
    });
    new KmsAlias(this, "alias", { name: `alias/${props.topicName}`, targetKeyId: this.key.keyId });
    this.topic = new SnsTopic(this, "topic", {
      name: props.topicName,
      kmsMasterKeyId: this.key.arn,
    });
    this.topicArn = this.topic.arn;
    new SnsTopicPolicy(this, "policy", {
      arn: this.topic.arn,
      policy: JSON.stringify({
        Version: "2012-10-17",
        Statement: [
          {
            Sid: "ThisAccountsAlarmsPublish",
            Effect: "Allow",
            Principal: { Service: CLOUDWATCH_SERVICE_PRINCIPAL },
            Action: "sns:Publish",
            Resource: this.topic.arn,
            Condition: {
              StringEquals: { "aws:SourceAccount": props.accountId },
              ArnLike: {
                "aws:SourceArn": awsArn({
                  partition,
                  service: "cloudwatch",
                  region: props.region,
                  account: props.accountId,
                  resource: "alarm:*",
                }),
              },
            },
          },
        ],
      }),
    });
    // Ids from the endpoint, not the list position: reordering the list recreates nothing.
    this.subscriptions = (props.subscriptions ?? []).map(
      (s) =>
        new SnsTopicSubscription(this, `subscription-${subscriptionKey(s)}`, {
          topicArn: this.topic.arn,
          protocol: s.protocol,
          endpoint: s.endpoint,
        }),
    );
  }
}

function subscriptionKey(s: AlarmSubscription): string {
  return createHash("sha256")
    .update(`${s.protocol}:${s.endpoint.toLowerCase()}`)
    .digest("hex")
    .slice(0, 10);
}
