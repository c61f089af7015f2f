/**
 * The ArticleStore and QuarantineRepository contract, run against the in-memory store (plain,
 * and with latency and counters on) and against DynamoDbArticleStore on dynalite.
 */
import { DynamoDbArticleStore } from '../../functions/adapters/dynamodb-article-store.ts';
import { InMemoryArticleStore } from '../kit/memory/index.ts';
import { describeArticlesContract } from './articles.contract.ts';
import { useLocalDynamoDb } from './local-dynamodb.ts';

const dynamo = useLocalDynamoDb();

describeArticlesContract('InMemoryArticleStore', async () => new InMemoryArticleStore());
describeArticlesContract('InMemoryArticleStore, with latency and counters', async () => new InMemoryArticleStore({ latencyMs: () => Math.floor(Math.random() * 2), counters: 'args' }));
describeArticlesContract('DynamoDbArticleStore on dynalite', async () => new DynamoDbArticleStore({ client: dynamo().client, tableName: await dynamo().table('ArticlesTable') }));
