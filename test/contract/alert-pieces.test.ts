/**
 * The AlertPieceStore contract, run against the in-memory store (plain, and with latency and
 * counters on) and against S3AlertPieceStore on s3rver, through the SDK's S3 client and
 * through the send function's lean one (s3-lean-client.ts).
 */
import { S3AlertPieceStore } from '../../functions/adapters/s3-alert-piece-store.ts';
import { InMemoryAlertPieceStore } from '../kit/memory/index.ts';
import { describeAlertPiecesContract } from './alert-pieces.contract.ts';
import { useLocalS3 } from './local-s3.ts';

const s3 = useLocalS3();

describeAlertPiecesContract('in memory', async () => new InMemoryAlertPieceStore());
describeAlertPiecesContract('in memory, with latency and counters', async () => new InMemoryAlertPieceStore({ latencyMs: () => Math.floor(Math.random() * 2), counters: 'args' }));
describeAlertPiecesContract('S3 on s3rver', async () => new S3AlertPieceStore({ client: s3().client, bucket: await s3().bucket() }));
describeAlertPiecesContract('S3 on s3rver, lean client', async () => new S3AlertPieceStore({ client: s3().lean, bucket: await s3().bucket() }));
