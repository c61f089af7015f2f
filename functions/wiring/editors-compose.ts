/**
 * Wiring of the editors' preview/test/send function: the only editor function that loads
 * MJML (it renders the next edition exactly as the edition job does).
 */
import { SendNow } from '../core/editors/send-now.ts';
import { TestSender } from '../core/editors/test-send.ts';
import type { EditionPreviewer } from '../core/editors/edition-preview.ts';
import { JobName } from '../core/editions/types.ts';
import { config, editionRepository, jobZones, memo, messageHeaders, subscriberRepository } from './common.ts';
import { editionService } from './edition.ts';
import { auditLog, intentStore, previewer } from './editors.ts';
import { mailSender } from './common.ts';
import { editionStarter } from './starter.ts';

/** Previews of the next edition (MJML) and of existing ones. */
export const composePreviewer = memo((): Promise<EditionPreviewer> => {
  const editions = editionService();
  return previewer((job, now, options) => editions.preview(job, now, options), { signsLinks: true });
});

/** Test sends. */
export const testSender = memo(async () => new TestSender({ previewer: await composePreviewer(), mail: mailSender(), audit: auditLog(), headers: messageHeaders() }));

/** The newsletter's name in "Send <subject> to N subscribers of <newsletter>". */
function newsletterName(job: JobName): string {
  return `${config().SITE_NAME} (${job === JobName.WEEKLY ? 'weekly' : 'daily'})`;
}

/** Send now: dry run and confirm. */
export const sendNow = memo(
  async () =>
    new SendNow({
      previewer: await composePreviewer(),
      editions: editionRepository(),
      subscribers: subscriberRepository(),
      intents: intentStore(),
      audit: auditLog(),
      starter: editionStarter(),
      newsletterName,
      zones: jobZones(),
    }),
);
