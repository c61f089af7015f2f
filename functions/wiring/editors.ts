/**
 * Wiring of the editors' API functions without MJML (page, read, control): token checks,
 * the editors' stores and use cases. The preview/test/send function adds MJML on top
 * (editors-compose.ts).
 */
import { DynamoDbEngagementStore } from '../adapters/dynamodb-engagement-store.ts';
import { COUNTER_SHARDS } from '../core/analytics/engagement-recorder.ts';
import { EditionStatsReader } from '../core/analytics/edition-stats.ts';
import { DynamoDbAuditLog, DynamoDbIntentStore } from '../adapters/dynamodb-editors-store.ts';
import { JwtEditorTokenVerifier } from '../adapters/jwt-editor-token-verifier.ts';
import { tokenSecret } from '../adapters/aws-clients.ts';
import { EditionControl } from '../core/editors/edition-control.ts';
import { EditionOverview } from '../core/editors/edition-overview.ts';
import { EditionPreviewer, type RenderNext } from '../core/editors/edition-preview.ts';
import { PicksEditor } from '../core/editors/picks-editor.ts';
import type { EditorTokenVerifier } from '../core/editors/ports.ts';
import { artefactStore, config, ddb, deliveryLedger, editionRepository, jobZones, links, memo, pickOverrideStore, subscriberRepository } from './common.ts';
import { deliveryAdmin } from './delivery.ts';
import { editionStarter } from './starter.ts';
import { editorAuthSettings, editorLogger, required, type EditorAuthSettings } from './editor-settings.ts';

export { editorAuthSettings, editorLogger, type EditorAuthSettings };

const verifier = memo((): EditorTokenVerifier => new JwtEditorTokenVerifier(editorAuthSettings()));

/**
 * The token check of every editors' API route.
 *
 * @example
 * ```ts
 * export const handler = editorApi(routes, { auth: editorAuth, logger: editorLogger });
 * ```
 */
export async function editorAuth(): Promise<{ verifier: EditorTokenVerifier; scopePrefix: string }> {
  return { verifier: verifier(), scopePrefix: editorAuthSettings().scopePrefix };
}

const editorsTable = (): string => required(config(), 'EDITORS_TABLE');
export const auditLog = memo(() => new DynamoDbAuditLog({ client: ddb(), tableName: editorsTable() }));
export const intentStore = memo(() => new DynamoDbIntentStore({ client: ddb(), tableName: editorsTable() }));

/** Editions as the console lists them. */
/** An edition's analytics: funnel, top links, timeline, review warnings (core/analytics). */
export const editionStats = memo(
  () =>
    new EditionStatsReader({
      editions: editionRepository(),
      engagement: new DynamoDbEngagementStore({ client: ddb(), tableName: config().DELIVERIES_TABLE, shards: COUNTER_SHARDS }),
    }),
);

export const editionOverview = memo(() => new EditionOverview({ editions: editionRepository(), ledger: deliveryLedger(), warnings: (id) => editionStats().warnings(id) }));

/** Cancel, resend-failed, resume. */
export const editionControl = memo(
  () =>
    new EditionControl({
      editions: editionRepository(),
      admin: deliveryAdmin(),
      audit: auditLog(),
      starter: editionStarter(),
      stateCheckMs: config().SEND_STATE_CHECK_MS,
      cancelMarginMs: config().CANCEL_MARGIN_MS,
    }),
);

/** Pin, unpin, reorder. */
export const picksEditor = memo(() => new PicksEditor({ picks: pickOverrideStore(), audit: auditLog() }));

/**
 * A previewer; with `renderNext` it also previews the next edition (only the compose function has MJML);
 * with `signsLinks` it signs the live links of test sends (the token secret).
 *
 * @example
 * ```ts
 * const preview = await (await previewer()).existing('daily-2026-11-28');
 * ```
 */
export async function previewer(renderNext?: RenderNext, options: { signsLinks?: boolean } = {}): Promise<EditionPreviewer> {
  return new EditionPreviewer({
    artefacts: artefactStore(),
    editions: editionRepository(),
    subscribers: subscriberRepository(),
    picks: pickOverrideStore(),
    links: links(),
    // Only test sends sign links (previews carry inert ones): the read function needs no secret.
    ...(options.signsLinks ? { tokenSecret: await tokenSecret(config()) } : {}),
    zones: jobZones(),
    ...(renderNext ? { renderNext } : {}),
  });
}
