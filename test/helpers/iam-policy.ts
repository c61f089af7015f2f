/**
 * Reads the execution roles of a packaged CloudFormation template: which role each function
 * runs with, and which of a list of probes (an action on a resource, as the code or an
 * attacker would call it) that role allows.
 *
 * Intrinsics (`Fn::GetAtt`, `Fn::Sub`, …) are resolved with the local stack's resolver
 * (infra/local/intrinsics.ts): tables, buckets and queues get their ARNs in region us-east-1,
 * account 000000000000. A probe is allowed when an `Allow` statement matches its action and
 * its resource (IAM wildcards `*` and `?`; actions are case-insensitive) and its condition
 * holds. Anything the evaluator does not understand makes it throw, rather than under-report:
 * `Deny`, `NotAction`, `NotResource`, a condition operator other than `StringEquals` or
 * `StringLike`, managed policies, an intrinsic that does not resolve.
 *
 * Hand-written, because what our roles use is this small: the maintained IAM simulator for
 * JavaScript (@cloud-copilot/iam-simulate) is AGPL-licensed, and `pbac` says of itself that it
 * is only mostly compatible with IAM.
 */
import { bucketNameFor } from '../../infra/local/provision.ts';
import { getAttOf, refOf, resolveIntrinsics, type LocalResources } from '../../infra/local/intrinsics.ts';
import type { CfnTemplate } from './serverless-package.ts';

/** An action on a resource, with the request's condition keys. */
export interface Probe {
  /** How tests name it, e.g. `dynamodb:PutItem SubscribersTable`. */
  label: string;
  action: string;
  resource: string;
  context?: Readonly<Record<string, string>>;
}

interface Statement {
  Sid?: string;
  Effect: 'Allow';
  Action: string[];
  Resource: string[];
  Condition?: Record<string, Record<string, string | string[]>>;
}

export const REGION = 'us-east-1';
export const ACCOUNT = '000000000000';

const asArray = <T>(value: T | T[] | undefined): T[] => (value === undefined ? [] : Array.isArray(value) ? value : [value]);

/** What `Ref`/`Fn::GetAtt` mean for the template's tables, buckets and queues. */
export function localResourcesOf(template: CfnTemplate): LocalResources {
  const local: LocalResources = { tables: {}, queues: {}, buckets: {} };
  for (const [id, resource] of Object.entries(template.Resources)) {
    if (resource.Type === 'AWS::DynamoDB::Table') local.tables[id] = id;
    if (resource.Type === 'AWS::SQS::Queue') {
      local.queues[id] = { url: `https://sqs.${REGION}.amazonaws.com/${ACCOUNT}/${id}`, arn: `arn:aws:sqs:${REGION}:${ACCOUNT}:${id}` };
    }
    if (resource.Type === 'AWS::S3::Bucket') {
      const name = resource.Properties?.BucketName;
      local.buckets[id] = typeof name === 'string' ? name : bucketNameFor(id);
    }
  }
  return local;
}

/** A value of the template with its intrinsics resolved; throws when one does not resolve. */
export function resolved(template: CfnTemplate, value: unknown): string {
  const out = resolveIntrinsics(value, localResourcesOf(template));
  if (typeof out !== 'string') throw new Error(`cannot resolve ${JSON.stringify(value)}`);
  return out;
}

/** The ARN of a table, bucket or queue of the template. */
export function arnOf(template: CfnTemplate, id: string): string {
  const arn = getAttOf(localResourcesOf(template), id, 'Arn');
  if (!arn) throw new Error(`${id} is not a table, bucket or queue of the template`);
  return arn;
}

/** A table's, bucket's or queue's name (`Ref`). */
export function nameOf(template: CfnTemplate, id: string): string {
  const name = refOf(localResourcesOf(template), id);
  if (!name) throw new Error(`${id} has no local name`);
  return name;
}

/** Function name (as in serverless.yml) → logical id of its `AWS::Lambda::Function`. */
export function functionsOf(template: CfnTemplate, prefix: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const [id, resource] of Object.entries(template.Resources)) {
    if (resource.Type !== 'AWS::Lambda::Function') continue;
    const name = String(resource.Properties?.FunctionName ?? '');
    if (!name.startsWith(prefix)) throw new Error(`${id}: function name ${name} does not start with ${prefix}`);
    out.set(name.slice(prefix.length), id);
  }
  return out;
}

/** The logical id of the role a function resource runs with (`Role: !GetAtt <Id>.Arn`). */
export function roleIdOf(template: CfnTemplate, functionId: string): string {
  const role = template.Resources[functionId]?.Properties?.Role as { 'Fn::GetAtt'?: unknown } | undefined;
  const getAtt = role?.['Fn::GetAtt'];
  if (!Array.isArray(getAtt) || getAtt[1] !== 'Arn' || typeof getAtt[0] !== 'string') {
    throw new Error(`${functionId}: Role is not !GetAtt <Role>.Arn of this template: ${JSON.stringify(role)}`);
  }
  return getAtt[0];
}

/** A role's statements, resolved and checked to be of the kinds the evaluator understands. */
export function statementsOf(template: CfnTemplate, roleId: string): Statement[] {
  const role = template.Resources[roleId];
  if (role?.Type !== 'AWS::IAM::Role') throw new Error(`${roleId} is not an AWS::IAM::Role`);
  const props = role.Properties ?? {};
  if (asArray(props.ManagedPolicyArns as unknown[]).length > 0) throw new Error(`${roleId}: managed policies are not evaluated; write the statements inline`);
  const statements: Statement[] = [];
  for (const policy of asArray(props.Policies as Array<{ PolicyDocument: { Statement: unknown } }>)) {
    for (const raw of asArray(policy.PolicyDocument.Statement) as Array<Record<string, unknown>>) {
      const where = `${roleId} ${String(raw.Sid ?? JSON.stringify(raw.Action))}`;
      for (const key of Object.keys(raw)) {
        if (!['Sid', 'Effect', 'Action', 'Resource', 'Condition'].includes(key)) throw new Error(`${where}: ${key} is not evaluated`);
      }
      if (raw.Effect !== 'Allow') throw new Error(`${where}: only Allow statements are evaluated`);
      const condition = raw.Condition as Statement['Condition'];
      for (const operator of Object.keys(condition ?? {})) {
        if (operator !== 'StringEquals' && operator !== 'StringLike') throw new Error(`${where}: condition ${operator} is not evaluated`);
      }
      statements.push({
        ...(raw.Sid ? { Sid: String(raw.Sid) } : {}),
        Effect: 'Allow',
        Action: asArray(raw.Action as string | string[]),
        Resource: asArray(raw.Resource).map((r) => resolved(template, r)),
        ...(condition ? { Condition: condition } : {}),
      });
    }
  }
  return statements;
}

/** IAM's wildcard match: `*` any run of characters, `?` one character. */
function wildcard(pattern: string, value: string, caseInsensitive = false): boolean {
  const source = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${source}$`, caseInsensitive ? 'is' : 's').test(value);
}

function conditionHolds(condition: Statement['Condition'], context: Readonly<Record<string, string>> = {}): boolean {
  return Object.entries(condition ?? {}).every(([operator, keys]) =>
    Object.entries(keys).every(([key, expected]) => {
      const actual = context[key];
      if (actual === undefined) return false; // a key the request does not carry never matches
      return asArray(expected).some((e) => (operator === 'StringLike' ? wildcard(e, actual) : e === actual));
    }),
  );
}

/** Whether the statements allow the probe. */
export function allows(statements: readonly Statement[], probe: Probe): boolean {
  return statements.some(
    (s) =>
      s.Action.some((a) => wildcard(a, probe.action, true)) &&
      s.Resource.some((r) => wildcard(r, probe.resource)) &&
      conditionHolds(s.Condition, probe.context),
  );
}

/** The labels of the probes the statements allow, sorted. */
export function allowedLabels(statements: readonly Statement[], probes: readonly Probe[]): string[] {
  return [...new Set(probes.filter((p) => allows(statements, p)).map((p) => p.label))].sort();
}
