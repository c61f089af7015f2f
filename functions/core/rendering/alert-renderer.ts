/**
 * The MJML implementation of the alerts module's AlertRenderer: what an alert flush compiles
 * once (the shell per language, the cards) and the page behind "and N more". Pure: it returns
 * what the flush stores. Only the `alerts` function loads this module (and so MJML).
 */
import type { AlertCard, AlertShell } from './alert-parts.ts';
import { compileAlertCards, compileAlertShell } from './alert-email.ts';
import type { StoryView } from './digest-model.ts';
import type { RenderObserver } from './mjml-compiler.ts';
import type { Branding } from './types.ts';
import { renderAlertMatchesPage } from './web-archive.ts';

export interface MjmlAlertRendererOptions {
  branding: Branding;
  /** Told about each compile (benchmarks, tests). */
  observer?: RenderObserver;
}

/**
 * @example
 * ```ts
 * const renderer = new MjmlAlertRenderer({ branding });
 * const shell = await renderer.shell('en');
 * ```
 */
export class MjmlAlertRenderer {
  readonly #o: MjmlAlertRendererOptions;

  public constructor(options: MjmlAlertRendererOptions) {
    this.#o = options;
  }

  public shell(language: string): Promise<AlertShell> {
    return compileAlertShell(language, this.#options());
  }

  public cards(stories: readonly StoryView[]): Promise<AlertCard[]> {
    return compileAlertCards(stories, this.#options());
  }

  public page(stories: readonly StoryView[], options: { language: string }): string {
    return renderAlertMatchesPage(stories, { branding: this.#o.branding, language: options.language });
  }

  #options() {
    return { branding: this.#o.branding, ...(this.#o.observer ? { observer: this.#o.observer } : {}) };
  }
}
