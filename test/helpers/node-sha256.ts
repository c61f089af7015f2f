/**
 * SHA-256 for the SDK's signer (`@smithy/signature-v4`), as `@smithy/hash-node` makes it:
 * the tests hold the lean clients' signatures to the SDK's own.
 */
import { createHash, createHmac, type Hash, type Hmac } from 'node:crypto';

/** @example `new SignatureV4({ credentials, region, service, sha256: NodeSha256 as never })` */
export class NodeSha256 {
  readonly #hash: Hash | Hmac;
  public constructor(secret?: string | Uint8Array) {
    this.#hash = secret === undefined ? createHash('sha256') : createHmac('sha256', secret);
  }
  public update(data: string | Uint8Array): void {
    this.#hash.update(data);
  }
  public async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.#hash.digest());
  }
}
