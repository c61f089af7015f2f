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
