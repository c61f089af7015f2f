/**
 * Ports of the subscribers module besides the repository (subscriber-repository.ts) and the
 * rate limiter (rate-limiter.ts).
 */

/**
 * Sends the double opt-in confirmation mail. The wiring renders it with the rendering module
 * (renderConfirmationEmail, MJML) and sends it through the mail provider; the core never
 * loads MJML.
 */
export interface ConfirmationMailer {
  sendConfirmation(to: string, name: string | undefined, confirmUrl: string): Promise<void>;
}
