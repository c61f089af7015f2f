/**
 * Types of the rendering module. Type-only.
 */

/** Branding comes from config, never from the templates. */
export interface Branding {
  siteName: string;
  siteUrl: string;
  logoUrl?: string;
  /** Colours as CSS hex strings. */
  primaryColor: string;
  textColor: string;
  backgroundColor: string;
  fromName: string;
  fromAddress: string;
  postalAddress: string;
}

/**
 * Personalisation tokens left in the rendered artefact and replaced per recipient.
 * The values are HTML-escaped at replacement time.
 */
export const Token = {
  NAME: '%%{name}%%',
  UNSUBSCRIBE_URL: '%%{unsubscribe_url}%%',
  PREFERENCES_URL: '%%{preferences_url}%%',
  WEB_VIEW_URL: '%%{web_view_url}%%',
} as const;
export type Token = (typeof Token)[keyof typeof Token];

/** The artefact of rendering one edition once: still holds tokens. */
export interface RenderedEdition {
  editionId: string;
  subject: string;
  preheader: string;
  /** HTML part, with tokens. */
  html: string;
  /** Plain-text part, with tokens. */
  text: string;
  language: string;
  /** The tokens that appear in html or text. */
  tokens: Token[];
  /** Number of stories shown in the email (picks + articles) and left out for size. */
  shown: number;
  omitted: number;
}
