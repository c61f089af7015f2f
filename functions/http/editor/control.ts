/**
 * The editors' control API (editor scope): change the picks of a job's next edition, cancel
 * a sending edition, resend to its failed recipients, resume one that is stuck.
 */
import { parsePicksChange } from '../../core/editors/picks-editor.ts';
import { editionControl, editorAuth, editorLogger, picksEditor } from '../../wiring/editors.ts';
import { json } from '../middleware.ts';
import { editorApi, param } from './router.ts';

export const handler = editorApi(
  {
    'PUT /editor/api/jobs/{job}/picks': {
      scope: 'editor',
      handle: async (request, editor) => json(200, await picksEditor().change(param(request, 'job'), parsePicksChange(request.fields), editor)),
    },
    'POST /editor/api/editions/{id}/cancel': {
      scope: 'editor',
      handle: async (request, editor) => json(200, await editionControl().cancel(param(request, 'id'), editor)),
    },
    'POST /editor/api/editions/{id}/resend-failed': {
      scope: 'editor',
      handle: async (request, editor) => json(202, await editionControl().resendFailed(param(request, 'id'), editor)),
    },
    'POST /editor/api/editions/{id}/resume': {
      scope: 'editor',
      handle: async (request, editor) => json(202, await editionControl().resume(param(request, 'id'), editor)),
    },
  },
  { auth: editorAuth, logger: editorLogger },
);
