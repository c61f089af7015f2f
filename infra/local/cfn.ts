/**
 * Loads the CloudFormation resources of `infra/*.yml` (the files serverless.yml pulls in with
 * `${file(...)}`), accepting the CFN short tags (`!Ref`, `!GetAtt`, `!Sub`, ...). Short tags
 * become their long form (`{ Ref: X }`, `{ 'Fn::GetAtt': [X, Attr] }`), so the rest of the
 * local stack only deals with plain data.
 */
import { readdir, readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import type { CollectionTag, ScalarTag, YAMLMap, YAMLSeq } from 'yaml';

/** The repository root (this file lives in `infra/local/`). */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
/** Where the CloudFormation fragments live. */
export const INFRA_DIR = join(REPO_ROOT, 'infra');
/** The serverless service file, which may not exist (then built-in defaults apply). */
export const SERVERLESS_YML = join(REPO_ROOT, 'serverless.yml');

/** One CloudFormation resource, as written in the template. */
export interface CfnResource {
  Type: string;
  Properties?: Record<string, unknown>;
  DependsOn?: string | string[];
}

/** Resources by logical id. */
export type CfnResources = Record<string, CfnResource>;

const INTRINSICS = [
  'Ref', 'Condition', 'GetAtt', 'Sub', 'Join', 'Select', 'Split', 'If', 'Equals', 'Not', 'And',
  'Or', 'FindInMap', 'ImportValue', 'GetAZs', 'Base64', 'Cidr', 'Transform',
] as const;

function longName(tag: (typeof INTRINSICS)[number]): string {
  return tag === 'Ref' || tag === 'Condition' ? tag : `Fn::${tag}`;
}

function scalarTag(tag: (typeof INTRINSICS)[number]): ScalarTag {
  return {
    tag: `!${tag}`,
    resolve: (value: string) => ({
      [longName(tag)]: tag === 'GetAtt' ? value.split('.') : value,
    }),
  };
}

function collectionTag(tag: (typeof INTRINSICS)[number], collection: 'map' | 'seq'): CollectionTag {
  return {
    tag: `!${tag}`,
    collection,
    resolve: (value: YAMLMap.Parsed | YAMLSeq.Parsed) => ({ [longName(tag)]: value.toJSON() }),
  };
}

/** `yaml` custom tags for every CloudFormation short-form intrinsic function. */
export const CFN_TAGS: Array<ScalarTag | CollectionTag> = INTRINSICS.flatMap((tag) => [
  scalarTag(tag),
  collectionTag(tag, 'seq'),
  collectionTag(tag, 'map'),
]);

/**
 * Parses YAML that may contain CloudFormation short tags.
 *
 * @example
 * ```ts
 * parseCfnYaml('Arn: !GetAtt Queue.Arn'); // { Arn: { 'Fn::GetAtt': ['Queue', 'Arn'] } }
 * ```
 */
export function parseCfnYaml(text: string): unknown {
  return parse(text, { customTags: CFN_TAGS, merge: true }) as unknown;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Reads every `*.yml`/`*.yaml` file of a directory and merges their `Resources`.
 *
 * @throws Error when two files define the same logical id.
 * @example
 * ```ts
 * const resources = await loadResources();
 * resources.ArticlesTable?.Type; // 'AWS::DynamoDB::Table'
 * ```
 */
export async function loadResources(dir: string = INFRA_DIR): Promise<CfnResources> {
  const files = (await readdir(dir)).filter((f) => /\.ya?ml$/.test(f)).sort();
  const resources: CfnResources = {};
  for (const file of files) {
    const doc = parseCfnYaml(await readFile(join(dir, file), 'utf8'));
    const section = isRecord(doc) ? doc.Resources : undefined;
    if (!isRecord(section)) continue;
    for (const [id, resource] of Object.entries(section)) {
      if (resources[id]) throw new Error(`Resource ${id} is defined twice (again in ${file})`);
      if (isRecord(resource) && typeof resource.Type === 'string') {
        resources[id] = resource as unknown as CfnResource;
      }
    }
  }
  return resources;
}

/**
 * Reads serverless.yml, or returns `undefined` when it does not exist.
 *
 * @example
 * ```ts
 * const service = await loadServerlessConfig();
 * ```
 */
export async function loadServerlessConfig(
  path: string = SERVERLESS_YML,
): Promise<Record<string, unknown> | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  const doc = parseCfnYaml(text);
  return isRecord(doc) ? doc : undefined;
}
