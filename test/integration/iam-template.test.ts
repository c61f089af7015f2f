/**
 * Least privilege, checked on what `serverless package` builds (the CloudFormation template
 * CI packages, without AWS credentials): every function runs with a role of its own, each
 * role allows exactly what its function's code calls, and the rules of docs/security.md hold
 * for the public (HTTP-facing) functions. Widening a role in infra/iam.yml fails this test.
 *
 * Packaging bundles every function with esbuild (about 20 s alone), so it runs once for the
 * whole file.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { allowedLabels, arnOf, functionsOf, nameOf, resolved, roleIdOf, statementsOf, ACCOUNT, REGION, type Probe } from '../helpers/iam-policy.ts';
import { packageService, type CfnTemplate } from '../helpers/serverless-package.ts';

/** `${service}-${stage}-`: function names are this plus their name in serverless.yml. */
const PREFIX = 'news-digest-dev-';

const LOGS = ['logs:CreateLogStream own-log-group', 'logs:PutLogEvents own-log-group'];
const on = (target: string, ...actions: string[]): string[] => actions.map((action) => `${action} ${target}`);
const SUBSCRIBER_TOKENS = on('token-secret', 'ssm:GetParameter');
/** The key of the log pseudonyms: read by the functions that log subscribers' addresses or IPs. */
const PSEUDONYMS = on('log-pseudonym-key', 'ssm:GetParameter');
/** Keyword alerts matched as articles are ingested: phrase heads, followers, pending matches. */
const ALERT_MATCHING = on('AlertsTable', 'dynamodb:BatchGetItem', 'dynamodb:Query', 'dynamodb:UpdateItem');
/** Mail from the sending identity with the configuration set. */
const SEND_MAIL = [...on('sending-identity', 'ses:SendRawEmail'), ...on('configuration-set', 'ses:SendRawEmail')];
/** A rendered edition (`editions/<id>/…`), read where a missing one is "not rendered yet". */
const READ_RENDERED = [...on('ArtefactsBucket/editions/*', 's3:GetObject'), ...on('ArtefactsBucket?prefix=editions/', 's3:ListBucket')];
/** Starts the edition function asynchronously (send now, resume, a build stuck in `building`). */
const START_EDITION = on('edition-function', 'lambda:InvokeFunction');

/**
 * What each function's code calls (docs/security.md says why). Changing a role means
 * changing this table, in the same review.
 */
const EXPECTED: Record<string, string[]> = {
  ingest: [
    ...LOGS,
    ...on('ContentBucket/*', 's3:GetObject'),
    ...on('ContentBucket', 's3:ListBucket'),
    ...on('ArticlesTable', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'),
    ...on('IngestDeadLetterQueue', 'sqs:SendMessage'),
    ...ALERT_MATCHING,
  ],
  edition: [
    ...LOGS,
    ...on('ArticlesTable/index/gsi1', 'dynamodb:Query'),
    ...on('EditionsTable', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'),
    ...on('EditionsTable/index/gsi1', 'dynamodb:Query'),
    ...on('SubscribersTable/index/gsi1', 'dynamodb:Query'),
    ...on('ArtefactsBucket/editions/*', 's3:PutObject'),
    ...on('ArtefactsBucket/archive/*', 's3:PutObject'),
    ...on('SendQueue', 'sqs:SendMessage'),
    ...on('*', 'ses:GetSendQuota'),
  ],
  send: [
    ...LOGS,
    ...on('SendQueue', 'sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes', 'sqs:ChangeMessageVisibility', 'sqs:SendMessage'),
    ...on('DeliveriesTable', 'dynamodb:UpdateItem'),
    ...on('SubscribersTable', 'dynamodb:BatchGetItem'),
    ...on('EditionsTable', 'dynamodb:GetItem', 'dynamodb:UpdateItem'),
    ...on('ArtefactsBucket/editions/*', 's3:GetObject'),
    ...on('ArtefactsBucket?prefix=editions/', 's3:ListBucket'),
    ...on('sending-identity', 'ses:SendRawEmail'),
    ...on('configuration-set', 'ses:SendRawEmail'),
    ...on('*', 'ses:GetSendQuota'),
    ...SUBSCRIBER_TOKENS,
    ...on('AlertsTable', 'dynamodb:GetItem'),
    ...on('ArtefactsBucket/alerts/*', 's3:GetObject'),
    ...on('ArtefactsBucket?prefix=alerts/', 's3:ListBucket'),
  ],
  alerts: [
    ...LOGS,
    ...on('AlertsTable', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'),
    ...on('AlertsTable/index/gsi1', 'dynamodb:Query'),
    ...on('AlertsTable/index/gsi2', 'dynamodb:Query'),
    ...on('ArticlesTable', 'dynamodb:GetItem'),
    ...on('EditionsTable', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'),
    ...on('EditionsTable/index/gsi1', 'dynamodb:Query'),
    ...on('ArtefactsBucket/alerts/*', 's3:PutObject'),
    ...on('ArtefactsBucket/archive/*', 's3:PutObject'),
    ...on('SendQueue', 'sqs:SendMessage'),
  ],
  reconcile: [
    ...LOGS,
    ...on('ContentBucket/*', 's3:GetObject'),
    ...on('ContentBucket', 's3:ListBucket'),
    ...on('ArticlesTable', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'),
    ...on('ArticlesTable/index/gsi1', 'dynamodb:Query'),
    ...on('EditionsTable', 'dynamodb:GetItem', 'dynamodb:UpdateItem'),
    ...on('EditionsTable/index/gsi1', 'dynamodb:Query'),
    ...on('DeliveriesTable', 'dynamodb:GetItem', 'dynamodb:UpdateItem', 'dynamodb:Query'),
    ...on('DeliveriesTable/index/gsi1', 'dynamodb:Query'),
    ...on('SubscribersTable/index/gsi1', 'dynamodb:Query'),
    ...on('SendQueue', 'sqs:SendMessage'),
    ...on('*', 'ses:GetSendQuota'),
    ...ALERT_MATCHING,
    ...START_EDITION,
  ],
  archive: [...LOGS, ...on('ArtefactsBucket/archive/*', 's3:GetObject'), ...on('ArtefactsBucket?prefix=archive/', 's3:ListBucket')],
  health: LOGS,
  subscribePage: LOGS,
  subscribe: [
    ...LOGS,
    ...on('SubscribersTable', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'),
    ...on('sending-identity', 'ses:SendRawEmail'),
    ...on('configuration-set', 'ses:SendRawEmail'),
    ...SUBSCRIBER_TOKENS,
    ...PSEUDONYMS,
  ],
  confirm: [...LOGS, ...on('SubscribersTable', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:DeleteItem'), ...SUBSCRIBER_TOKENS, ...PSEUDONYMS, ...on('AlertsTable', 'dynamodb:UpdateItem', 'dynamodb:BatchWriteItem')],
  preferences: [...LOGS, ...on('SubscribersTable', 'dynamodb:GetItem', 'dynamodb:PutItem'), ...SUBSCRIBER_TOKENS, ...PSEUDONYMS, ...on('AlertsTable', 'dynamodb:UpdateItem', 'dynamodb:BatchWriteItem')],
  unsubscribe: [...LOGS, ...on('SubscribersTable', 'dynamodb:GetItem', 'dynamodb:PutItem'), ...SUBSCRIBER_TOKENS, ...PSEUDONYMS, ...on('AlertsTable', 'dynamodb:BatchWriteItem')],
  feedback: [
    ...LOGS,
    ...on('SubscribersTable', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:DeleteItem'),
    ...on('DeliveriesTable', 'dynamodb:GetItem', 'dynamodb:UpdateItem'),
    ...PSEUDONYMS,
    ...on('AlertsTable', 'dynamodb:BatchWriteItem'),
  ],
  // The editors' console (docs/editors.md). None logs a subscriber's address: no pseudonym key.
  editorPage: LOGS,
  editorRead: [
    ...LOGS,
    ...on('EditionsTable', 'dynamodb:GetItem'),
    ...on('EditionsTable/index/gsi1', 'dynamodb:Query'),
    ...on('DeliveriesTable', 'dynamodb:Query'),
    ...on('DeliveriesTable/index/gsi1', 'dynamodb:Query'),
    ...READ_RENDERED,
    ...on('SubscribersTable', 'dynamodb:GetItem'),
    ...on('EditorsTable', 'dynamodb:Query'),
    ...on('EditorsTable/index/gsi1', 'dynamodb:Query'),
    ...on('ArticlesTable/index/gsi1', 'dynamodb:Query'),
  ],
  editorCompose: [
    ...LOGS,
    ...on('EditionsTable', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'),
    ...on('ArticlesTable/index/gsi1', 'dynamodb:Query'),
    ...on('SubscribersTable', 'dynamodb:GetItem'),
    ...on('SubscribersTable/index/gsi1', 'dynamodb:Query'),
    ...on('EditorsTable', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'),
    ...READ_RENDERED,
    ...SEND_MAIL,
    ...SUBSCRIBER_TOKENS,
    ...START_EDITION,
  ],
  editorControl: [
    ...LOGS,
    ...on('EditionsTable', 'dynamodb:GetItem', 'dynamodb:UpdateItem'),
    ...on('DeliveriesTable', 'dynamodb:GetItem', 'dynamodb:UpdateItem'),
    ...on('DeliveriesTable/index/gsi1', 'dynamodb:Query'),
    ...on('SendQueue', 'sqs:SendMessage'),
    ...on('EditorsTable', 'dynamodb:PutItem'),
    ...START_EDITION,
  ],
  // Cognito's pre token generation trigger (infra/editors.yml): a plain CloudFormation
  // function, named like the others, that reads and writes nothing.
  'editors-token-scopes': LOGS,
};

/**
 * The functions API Gateway invokes: the public ones, and the editors' console (the page is
 * public; every /editor/api route is behind the JWT authorizer, and the handlers check the
 * token again). All of them are held to the rules below.
 */
const HTTP_FUNCTIONS = [
  'archive', 'confirm', 'editorCompose', 'editorControl', 'editorPage', 'editorRead', 'health', 'preferences', 'subscribe', 'subscribePage', 'unsubscribe',
];
/** HTTP-facing functions with no data access at all. */
const NO_DATA = ['editorPage', 'health', 'subscribePage'];
/** Tables an HTTP-facing function may write (any other: none). */
const HTTP_TABLE_WRITES: Record<string, string[]> = {
  subscribe: ['SubscribersTable'],
  // The keyword index (AlertsTable) follows a subscriber's alert settings.
  confirm: ['SubscribersTable', 'AlertsTable'],
  preferences: ['SubscribersTable', 'AlertsTable'],
  unsubscribe: ['SubscribersTable', 'AlertsTable'],
  // Editor scope only. Send now: intents and audit records (EditorsTable), and the edition a
  // confirm creates or takes from held (EditionsTable). Never the subscribers or the ledger.
  editorCompose: ['EditionsTable', 'EditorsTable'],
  // Editor scope only. Picks, cancel, resend-failed, resume: the pick override and the
  // edition's state and counters (EditionsTable), a poison lease marked failed on resume
  // (DeliveriesTable), audit records (EditorsTable). Never the subscribers.
  editorControl: ['EditionsTable', 'DeliveriesTable', 'EditorsTable'],
  // editorRead (viewer scope) writes nothing.
};
/**
 * The functions that sign or check subscriber tokens. Of the editors' functions only the
 * test send (editorCompose) signs: a preview's links are inert, so a viewer who previews "as"
 * a subscriber gets no working link of theirs (docs/editors.md).
 */
const TOKEN_USERS = ['confirm', 'editorCompose', 'preferences', 'send', 'subscribe', 'unsubscribe'];
/** The functions that send mail: the editions, the confirmation, and the editors' test sends. */
const MAIL_SENDERS = ['editorCompose', 'send', 'subscribe'];
/**
 * The HTTP-facing functions that may send mail. `subscribe` sends one confirmation to the
 * address posted. `editorCompose` is the one exception among the others, and not a public
 * one: its test send needs the editor scope (checked by API Gateway and again by the handler)
 * and goes to at most five addresses; a viewer's token cannot reach it.
 */
const HTTP_MAIL_SENDERS = ['editorCompose', 'subscribe'];
/** The functions that may start the edition function: send now and resume, and the reconciler. */
const EDITION_STARTERS = ['editorCompose', 'editorControl', 'reconcile'];

const DYNAMODB_ACTIONS = [
  'GetItem', 'BatchGetItem', 'Query', 'Scan', 'PutItem', 'UpdateItem', 'DeleteItem', 'BatchWriteItem', 'ConditionCheckItem',
  'PartiQLSelect', 'PartiQLInsert', 'PartiQLUpdate', 'PartiQLDelete', 'DescribeTable', 'UpdateTable', 'DeleteTable',
].map((a) => `dynamodb:${a}`);
const DYNAMODB_WRITES = new Set(
  ['PutItem', 'UpdateItem', 'DeleteItem', 'BatchWriteItem', 'PartiQLInsert', 'PartiQLUpdate', 'PartiQLDelete', 'UpdateTable', 'DeleteTable'].map((a) => `dynamodb:${a}`),
);
const S3_OBJECT_ACTIONS = ['GetObject', 'GetObjectVersion', 'PutObject', 'DeleteObject', 'DeleteObjectVersion', 'PutObjectAcl'].map((a) => `s3:${a}`);
const S3_BUCKET_ACTIONS = ['ListBucket', 'ListBucketVersions', 'PutBucketPolicy', 'PutBucketNotification', 'DeleteBucket'].map((a) => `s3:${a}`);
const SQS_ACTIONS = ['SendMessage', 'ReceiveMessage', 'DeleteMessage', 'ChangeMessageVisibility', 'GetQueueAttributes', 'SetQueueAttributes', 'PurgeQueue', 'DeleteQueue'].map((a) => `sqs:${a}`);
const MAIL_ACTIONS = ['SendRawEmail', 'SendEmail', 'SendTemplatedEmail', 'SendBulkTemplatedEmail', 'SendBounce'].map((a) => `ses:${a}`);
const SSM_ACTIONS = ['GetParameter', 'GetParameters', 'GetParameterHistory', 'PutParameter', 'DeleteParameter'].map((a) => `ssm:${a}`);

/**
 * A variable of the service's environment (provider.environment), as a function of the
 * framework has it. The editors' token trigger is a plain CloudFormation function without an
 * environment: its probes name the same identity and parameters, read from `send`.
 */
function variable(template: CfnTemplate, functionId: string, name: string): string {
  const envOf = (id: string | undefined) => (template.Resources[id ?? '']?.Properties?.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables;
  const env = envOf(functionId) ?? envOf(functionsOf(template, PREFIX).get('send'));
  const value = env?.[name];
  if (typeof value !== 'string') throw new Error(`${functionId}: ${name} is not a plain string`);
  return value;
}

/**
 * Every call worth asking about, for one function: on every table, index, bucket (with the
 * artefacts bucket's prefixes), queue, the mail identity, the token secret, and a few
 * administrative ones. Labels name the target the way EXPECTED does.
 */
function probesFor(template: CfnTemplate, fn: string, functionId: string): Probe[] {
  const probes: Probe[] = [];
  const add = (label: string, action: string, resource: string, context?: Record<string, string>): void => {
    probes.push({ label, action, resource, ...(context ? { context } : {}) });
  };
  for (const [id, resource] of Object.entries(template.Resources)) {
    if (resource.Type === 'AWS::DynamoDB::Table') {
      const arn = arnOf(template, id);
      for (const action of DYNAMODB_ACTIONS) add(`${action} ${id}`, action, arn);
      const indexes = (resource.Properties?.GlobalSecondaryIndexes as Array<{ IndexName: string }> | undefined) ?? [];
      for (const index of [...indexes.map((i) => i.IndexName), 'another-index']) {
        for (const action of ['dynamodb:Query', 'dynamodb:Scan']) add(`${action} ${id}/index/${index}`, action, `${arn}/index/${index}`);
      }
    }
    if (resource.Type === 'AWS::S3::Bucket') {
      const arn = arnOf(template, id);
      const prefixes = id === 'ArtefactsBucket' ? ['editions/', 'archive/', 'alerts/', 'other/'] : [''];
      for (const prefix of prefixes) {
        for (const action of S3_OBJECT_ACTIONS) add(`${action} ${id}/${prefix}*`, action, `${arn}/${prefix}some-key`);
        if (prefix) add(`s3:ListBucket ${id}?prefix=${prefix}`, 's3:ListBucket', arn, { 's3:prefix': prefix });
      }
      for (const action of S3_BUCKET_ACTIONS) add(`${action} ${id}`, action, arn);
    }
    if (resource.Type === 'AWS::SQS::Queue') {
      for (const action of SQS_ACTIONS) add(`${action} ${id}`, action, arnOf(template, id));
    }
    if (resource.Type === 'AWS::SNS::Topic') add(`sns:Publish ${id}`, 'sns:Publish', `arn:aws:sns:${REGION}:${ACCOUNT}:${id}`);
  }
  const ses = `arn:aws:ses:${REGION}:${ACCOUNT}`;
  const domain = variable(template, functionId, 'FROM_ADDRESS').split('@')[1] ?? '';
  for (const action of MAIL_ACTIONS) {
    add(`${action} sending-identity`, action, `${ses}:identity/${domain}`);
    add(`${action} configuration-set`, action, `${ses}:configuration-set/${variable(template, functionId, 'SES_CONFIGURATION_SET')}`);
    add(`${action} another-identity`, action, `${ses}:identity/elsewhere.example`);
  }
  add('ses:GetSendQuota *', 'ses:GetSendQuota', '*');
  const parameter = variable(template, functionId, 'TOKEN_SECRET_PARAMETER');
  const ssm = `arn:aws:ssm:${REGION}:${ACCOUNT}:parameter`;
  const pseudonymKey = variable(template, functionId, 'LOG_PSEUDONYM_KEY_PARAMETER');
  for (const action of SSM_ACTIONS) {
    add(`${action} token-secret`, action, `${ssm}${parameter}`);
    add(`${action} log-pseudonym-key`, action, `${ssm}${pseudonymKey}`);
    add(`${action} another-parameter`, action, `${ssm}${parameter.replace(/[^/]+$/, 'another')}`);
  }
  add('kms:Decrypt any-key', 'kms:Decrypt', `arn:aws:kms:${REGION}:${ACCOUNT}:key/any`);
  const logs = `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:/aws/lambda`;
  for (const action of ['logs:CreateLogStream', 'logs:PutLogEvents']) {
    add(`${action} own-log-group`, action, `${logs}/${PREFIX}${fn}:log-stream:a`);
    add(`${action} another-log-group`, action, `${logs}/${PREFIX}${fn}-other:log-stream:a`);
  }
  add('logs:CreateLogGroup any', 'logs:CreateLogGroup', `${logs}/${PREFIX}${fn}:*`);
  add('iam:PassRole *', 'iam:PassRole', `arn:aws:iam::${ACCOUNT}:role/any`);
  add('lambda:InvokeFunction *', 'lambda:InvokeFunction', `arn:aws:lambda:${REGION}:${ACCOUNT}:function:any`);
  for (const action of ['lambda:InvokeFunction', 'lambda:InvokeAsync', 'lambda:UpdateFunctionCode']) {
    add(`${action} edition-function`, action, `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${PREFIX}edition`);
  }
  return probes;
}

/** What a function's role allows, as labels. */
function permissionsOf(template: CfnTemplate, fn: string): string[] {
  const functionId = functionsOf(template, PREFIX).get(fn);
  if (!functionId) throw new Error(`no function ${fn} in the template`);
  return allowedLabels(statementsOf(template, roleIdOf(template, functionId)), probesFor(template, fn, functionId));
}

/** The functions with an API Gateway invoke permission. */
function httpFunctions(template: CfnTemplate): string[] {
  const byId = new Map([...functionsOf(template, PREFIX)].map(([name, id]) => [id, name]));
  const names = Object.values(template.Resources)
    .filter((r) => r.Type === 'AWS::Lambda::Permission' && r.Properties?.Principal === 'apigateway.amazonaws.com')
    .map((r) => byId.get(((r.Properties?.FunctionName as { 'Fn::GetAtt': string[] })['Fn::GetAtt'] ?? [])[0] ?? '') ?? '?');
  return [...new Set(names)].sort();
}

/** The rules of docs/security.md, as a list of what breaks them (empty when they hold). */
function violations(template: CfnTemplate): string[] {
  const found: string[] = [];
  const http = new Set(httpFunctions(template));
  for (const fn of functionsOf(template, PREFIX).keys()) {
    const allowed = permissionsOf(template, fn);
    const actionOf = (label: string): string => label.split(' ')[0] ?? '';
    const targetOf = (label: string): string => label.split(' ')[1] ?? '';
    if (http.has(fn)) {
      const writable = new Set(allowed.filter((l) => DYNAMODB_WRITES.has(actionOf(l))).map((l) => targetOf(l).split('/')[0]));
      for (const table of writable) {
        if (!(HTTP_TABLE_WRITES[fn] ?? []).includes(table ?? '')) found.push(`${fn} (HTTP) can write ${table}`);
      }
      if (!HTTP_MAIL_SENDERS.includes(fn) && allowed.some((l) => MAIL_ACTIONS.includes(actionOf(l)))) found.push(`${fn} (HTTP) can send mail`);
    }
    if (!MAIL_SENDERS.includes(fn) && allowed.some((l) => MAIL_ACTIONS.includes(actionOf(l)))) found.push(`${fn} can send mail`);
    if (!TOKEN_USERS.includes(fn) && allowed.some((l) => l.startsWith('ssm:') && targetOf(l) === 'token-secret')) {
      found.push(`${fn} can read the token secret`);
    }
    if (!EDITION_STARTERS.includes(fn) && allowed.some((l) => l.startsWith('lambda:') && targetOf(l) === 'edition-function')) {
      found.push(`${fn} can start the edition function`);
    }
    if (NO_DATA.includes(fn)) {
      for (const label of allowed.filter((l) => !LOGS.includes(l))) found.push(`${fn} can ${label}`);
    }
    if (fn === 'archive') {
      const reads = ['s3:GetObject ArtefactsBucket/archive/*', 's3:ListBucket ArtefactsBucket?prefix=archive/'];
      for (const label of allowed.filter((l) => !LOGS.includes(l) && !reads.includes(l))) found.push(`archive can ${label}`);
    }
  }
  return found;
}

describe('Template: execution roles (serverless package)', () => {
  let template: CfnTemplate;

  beforeAll(async () => {
    ({ template } = await packageService());
  }, 300_000);

  it('gives every function a role of its own, with inline statements only and no shared default role', () => {
    const functions = functionsOf(template, PREFIX);
    expect([...functions.keys()].sort()).toEqual(Object.keys(EXPECTED).sort());
    const roles = [...functions.values()].map((id) => roleIdOf(template, id));
    expect(new Set(roles).size).toBe(roles.length);
    expect(template.Resources.IamRoleLambdaExecution).toBeUndefined();
    // EventBridge Scheduler's role (infra/schedules.yml): schedules-template.test.ts checks it.
    const allRoles = Object.entries(template.Resources).filter(([id, r]) => r.Type === 'AWS::IAM::Role' && id !== 'EditionSchedulerRole').map(([id]) => id);
    expect(allRoles.sort()).toEqual([...roles].sort());
    for (const role of roles) {
      const props = template.Resources[role]?.Properties ?? {};
      expect(props.ManagedPolicyArns, role).toBeUndefined();
      expect(props.AssumeRolePolicyDocument, role).toEqual({
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }],
      });
      expect(() => statementsOf(template, role), role).not.toThrow();
    }
  });

  it.each(Object.keys(EXPECTED))('lets %s do what its code calls, and nothing else', (fn) => {
    expect(permissionsOf(template, fn)).toEqual([...(EXPECTED[fn] ?? [])].sort());
  });

  it('keeps the HTTP-facing functions to the rules: no table writes they do not need, mail only from subscribe and the editors\' test send, the token secret only where tokens are signed or checked, no data for health and the pages, only archive/* for archive, the edition function started only by its starters', () => {
    expect(httpFunctions(template)).toEqual(HTTP_FUNCTIONS);
    expect(violations(template)).toEqual([]);
  });

  it('fails a widened role', () => {
    // Prepare: what a careless change could add.
    const widened = structuredClone(template);
    const grant = (role: string, Action: string, Resource: unknown): void => {
      const policy = (widened.Resources[role]?.Properties?.Policies as Array<{ PolicyDocument: { Statement: unknown[] } }>)[0];
      policy?.PolicyDocument.Statement.push({ Effect: 'Allow', Action, Resource });
    };
    grant('ArchiveRole', 'dynamodb:*', '*');
    grant('HealthRole', 's3:GetObject', { 'Fn::Sub': '${ArtefactsBucket.Arn}/*' });
    grant('ConfirmRole', 'ses:SendRawEmail', '*');
    grant('FeedbackRole', 'ssm:GetParameter*', '*');
    grant('UnsubscribeRole', 'dynamodb:UpdateItem', { 'Fn::GetAtt': ['DeliveriesTable', 'Arn'] });
    grant('EditorReadRole', 'dynamodb:PutItem', { 'Fn::GetAtt': ['EditorsTable', 'Arn'] });
    grant('EditorControlRole', 'ses:SendRawEmail', '*');
    grant('EditorControlRole', 'dynamodb:UpdateItem', { 'Fn::GetAtt': ['SubscribersTable', 'Arn'] });
    grant('EditorPageRole', 'lambda:InvokeFunction', '*');
    grant('SendRole', 'lambda:InvokeFunction', '*');

    // Act
    const found = violations(widened);

    // Assess
    expect(found).toEqual(expect.arrayContaining([
      'archive (HTTP) can write ArticlesTable',
      'archive can dynamodb:PutItem SubscribersTable',
      'health can s3:GetObject ArtefactsBucket/editions/*',
      'confirm (HTTP) can send mail',
      'confirm can send mail',
      'feedback can read the token secret',
      'unsubscribe (HTTP) can write DeliveriesTable',
      'editorRead (HTTP) can write EditorsTable',
      'editorControl (HTTP) can send mail',
      'editorControl can send mail',
      'editorControl (HTTP) can write SubscribersTable',
      'editorPage can start the edition function',
      'editorPage can lambda:InvokeFunction edition-function',
      'send can start the edition function',
    ]));
    expect(permissionsOf(widened, 'subscribe')).toEqual([...(EXPECTED.subscribe ?? [])].sort());
    expect(permissionsOf(widened, 'archive')).not.toEqual([...(EXPECTED.archive ?? [])].sort());
  });

  it('lets the send queue invoke send, and the content bucket invoke ingest', () => {
    const functions = functionsOf(template, PREFIX);
    const mapping = Object.values(template.Resources).find((r) => r.Type === 'AWS::Lambda::EventSourceMapping');
    expect(resolved(template, mapping?.Properties?.EventSourceArn)).toBe(arnOf(template, 'SendQueue'));
    expect(mapping?.Properties?.FunctionName).toEqual({ 'Fn::GetAtt': [functions.get('send'), 'Arn'] });
    expect(permissionsOf(template, 'send')).toEqual(expect.arrayContaining(
      on('SendQueue', 'sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes', 'sqs:ChangeMessageVisibility'),
    ));

    const invoke = Object.values(template.Resources).find(
      (r) => r.Type === 'AWS::Lambda::Permission' && r.Properties?.Principal === 's3.amazonaws.com',
    );
    expect(invoke?.Properties).toMatchObject({
      Action: 'lambda:InvokeFunction',
      FunctionName: { 'Fn::GetAtt': [functions.get('ingest'), 'Arn'] },
    });
    expect(resolved(template, invoke?.Properties?.SourceArn)).toBe(`arn:aws:s3:::${nameOf(template, 'ContentBucket')}`);
  });
});
