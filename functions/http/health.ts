/** GET /health: 200 when the function answers (reads no configuration). */
import { http, json } from './middleware.ts';

export const handler = http(async () => json(200, { status: 'ok' }));
