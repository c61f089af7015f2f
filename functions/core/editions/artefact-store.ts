/**
 * Port: where rendered editions and the public web archive are kept (S3).
 * Adapter: functions/adapters/s3-artefact-store.ts.
 */
import type { RenderedEdition } from '../rendering/types.ts';

export interface ArtefactStore {
  /** Stores `editions/<id>/email.html`, `email.txt` and `meta.json`. */
  putEdition(rendered: RenderedEdition): Promise<void>;
  getEdition(editionId: string): Promise<RenderedEdition | undefined>;
  /** Writes a public archive file (`archive/<path>`). */
  putArchiveFile(path: string, body: string, contentType: string): Promise<void>;
}
