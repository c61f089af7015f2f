/**
 * The in-memory kit: one in-memory adapter per port, for unit tests and the benchmarks.
 * It lives outside functions/, so no Lambda bundle carries it. Every adapter takes
 * {@link InMemoryOptions} (simulated latency, call counters), both off by default; the
 * contract suites in test/contract/ hold the stateful ones to the DynamoDB adapters.
 */
export { InMemoryAdapter, clone, pageByKey, type ArgsOf, type InMemoryOptions, type Latency } from './adapter.ts';
export { CountingAlertRenderer, InMemoryAlertPieceStore, InMemoryAlertStore, InMemoryKeywordIndex, type AlertStoreMethod } from './alerts.ts';
export { InMemoryArtefactStore } from './artefacts.ts';
export { InMemoryArticleStore } from './articles.ts';
export { InMemoryEditionRepository } from './editions.ts';
export { InMemoryAuditLog, InMemoryIntentStore } from './editors.ts';
export { InMemoryDeliveryLedger, type SeededEntry } from './ledger.ts';
export { MemoryLogger, type LoggedLine } from './logger.ts';
export { InMemoryPickOverrideStore } from './picks.ts';
export { FakeEditionRenderer } from './renderer.ts';
export { FakeMailSender, FixedQuota, RecordingConfirmationMailer, type SendScript } from './mail.ts';
export { RecordingSendQueue } from './queue.ts';
export { InMemoryRateLimiter, InMemorySendSlotStore, NoWaitRateLimiter } from './rate.ts';
export { InMemoryOnceStore, InMemorySubscriberRepository } from './subscribers.ts';
export { InMemoryEngagementStore, type StoredEngagementEvent } from './engagement.ts';
