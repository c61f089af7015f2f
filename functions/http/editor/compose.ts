/**
 * The editors' preview, test and send API: the one editor function with MJML (it renders
 * the next edition exactly as the edition job will). Previews are viewer routes; test sends,
 * the send-now dry run and its confirm need the editor scope.
 */
import { parseConfirmCode } from '../../core/editors/send-now.ts';
import type { JobName } from '../../core/editions/types.ts';
import { ConflictError, ValidationError } from '../../core/errors.ts';
import type { InputFields } from '../../core/subscribers/input.ts';
import { composePreviewer, sendNow, testSender } from '../../wiring/editors-compose.ts';
import { editorAuth, editorLogger } from '../../wiring/editors.ts';
import { json } from '../middleware.ts';
import { editorApi, param, text } from './router.ts';

function job(value: string): JobName {
  if (value !== 'daily' && value !== 'weekly') throw new ValidationError(`job: "${value.slice(0, 20)}" is not a newsletter (daily or weekly)`);
  return value;
}

/** The addresses of a test send: `to`, a list or one text (commas allowed). */
function addresses(fields: InputFields): string[] {
  const to = fields.to;
  return to === undefined ? [] : typeof to === 'string' ? [to] : [...to];
}

/** A confirm quotes `code` (as the dry run printed it), or `count` and `hash`. */
function quote(fields: InputFields, intent: string): { count: number; hash: string } {
  const code = typeof fields.code === 'string' ? fields.code : undefined;
  if (code !== undefined) {
    const parsed = parseConfirmCode(code);
    if (parsed.intent !== intent) throw new ConflictError(`the code is for intent ${parsed.intent}, not ${intent}: nothing was sent`);
    return parsed;
  }
  const { count, hash } = fields;
  if (typeof count !== 'string' || !/^\d{1,9}$/.test(count)) throw new ValidationError('count: the number of recipients of the intent is required');
  if (typeof hash !== 'string' || !/^[0-9a-f]{16}$/.test(hash)) throw new ValidationError('hash: the content hash of the intent is required');
  return { count: Number(count), hash };
}

export const handler = editorApi(
  {
    'GET /editor/api/jobs/{job}/preview': {
      scope: 'viewer',
      handle: async (request) => {
        const recipient = text(request, 'recipient');
        const { rendered: _rendered, ...preview } = await (await composePreviewer()).next(job(param(request, 'job')), recipient ? { recipient } : {});
        return json(200, preview);
      },
    },
    'POST /editor/api/jobs/{job}/test': {
      scope: 'editor',
      handle: async (request, editor) => {
        const to = text(request, 'periodEnd');
        return json(200, await (await testSender()).send({ job: job(param(request, 'job')), ...(to ? { to } : {}) }, addresses(request.fields), editor));
      },
    },
    'POST /editor/api/editions/{id}/test': {
      scope: 'editor',
      handle: async (request, editor) => json(200, await (await testSender()).send({ edition: param(request, 'id') }, addresses(request.fields), editor)),
    },
    'POST /editor/api/jobs/{job}/send': {
      scope: 'editor',
      handle: async (request, editor) => json(201, await (await sendNow()).dryRun(job(param(request, 'job')), editor)),
    },
    'POST /editor/api/intents/{id}/confirm': {
      scope: 'editor',
      handle: async (request, editor) => {
        const id = param(request, 'id');
        const result = await (await sendNow()).confirm(id, quote(request.fields, id), editor);
        return json(result.started ? 202 : 200, result);
      },
    },
  },
  { auth: editorAuth, logger: editorLogger },
);
