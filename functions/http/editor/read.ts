/**
 * The editors' read-only API (viewer scope; an editor passes too): who am I, the editions
 * with their counts, one edition, its analytics (funnel, top links, chart), the preview of an edition that was built (from its
 * artefact: no MJML here), the audit log, the quarantine.
 */
import { JobName } from '../../core/editions/types.ts';
import { ValidationError } from '../../core/errors.ts';
import { articleStore } from '../../wiring/common.ts';
import { auditLog, editionOverview, editionStats, editorAuth, editorLogger, previewer } from '../../wiring/editors.ts';
import { timelineSvg } from '../../core/analytics/stats-chart.ts';
import { json } from '../middleware.ts';
import { editorApi, param, text } from './router.ts';

/** Quarantine records listed at most. */
const MAX_QUARANTINE = 200;

function limit(value: string | undefined, fallback: number, max: number): number {
  if (value === undefined) return fallback;
  if (!/^\d{1,4}$/.test(value) || Number(value) < 1) throw new ValidationError('limit: a number from 1');
  return Math.min(Number(value), max);
}

export const handler = editorApi(
  {
    'GET /editor/api/me': { scope: 'viewer', handle: async (_request, editor) => json(200, editor) },
    'GET /editor/api/editions': {
      scope: 'viewer',
      handle: async (request) => json(200, { jobs: [JobName.DAILY, JobName.WEEKLY], editions: await editionOverview().list({ perJob: limit(request.query.limit, 10, 50) }) }),
    },
    'GET /editor/api/editions/{id}': { scope: 'viewer', handle: async (request) => json(200, await editionOverview().get(param(request, 'id'))) },
    'GET /editor/api/editions/{id}/stats': {
      scope: 'viewer',
      handle: async (request) => {
        const stats = await editionStats().get(param(request, 'id'));
        return json(200, { ...stats, chart: timelineSvg(stats.timeline) });
      },
    },
    'GET /editor/api/editions/{id}/preview': {
      scope: 'viewer',
      handle: async (request) => {
        const { rendered: _rendered, ...preview } = await (await previewer()).existing(param(request, 'id'), { ...(text(request, 'recipient') ? { recipient: text(request, 'recipient') } : {}) });
        return json(200, preview);
      },
    },
    'GET /editor/api/audit': {
      scope: 'viewer',
      handle: async (request) => {
        const edition = text(request, 'edition');
        const cursor = text(request, 'cursor');
        return json(200, await auditLog().list({ limit: limit(request.query.limit, 50, 200), ...(edition ? { edition } : {}), ...(cursor ? { cursor } : {}) }));
      },
    },
    'GET /editor/api/quarantine': {
      scope: 'viewer',
      handle: async () => {
        const records = [];
        for await (const record of articleStore().list()) {
          records.push(record);
          if (records.length >= MAX_QUARANTINE) break;
        }
        return json(200, { records });
      },
    },
  },
  { auth: editorAuth, logger: editorLogger },
);
