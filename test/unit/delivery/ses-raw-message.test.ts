import { describe, expect, it } from 'vitest';
import { formEncodedBase64 } from '../../../functions/adapters/ses-mail-sender.ts';
import { formEncodedRawMessage } from '../../../functions/adapters/ses-raw-message.ts';
import { RawMime } from '../../../functions/core/rendering/personalizer.ts';

/** Deterministic bytes, including the values that base64 writes as + and /. */
function bytes(n: number, seed: number): Buffer {
  return Buffer.from(Array.from({ length: n }, (_, i) => (i * 251 + seed * 97 + 0xfb) & 0xff));
}

describe('Function: formEncodedRawMessage', () => {
  it('writes exactly the form-encoded base64 of the whole message, whatever the alignment of each chunk', () => {
    // Prepare: shared chunks of every length mod 3, after per-recipient chunks of every length mod 3
    const sharedChunks = [bytes(100, 1), bytes(101, 2), bytes(102, 3), bytes(49, 4), bytes(5, 5)];
    for (let a = 0; a < 3; a++) {
      for (let b = 0; b < 3; b++) {
        const chunks = [bytes(10 + a, 6), sharedChunks[0], bytes(7 + b, 7), sharedChunks[1], sharedChunks[2], bytes(1, 8), sharedChunks[3], sharedChunks[4], bytes(2 + a, 9)] as Buffer[];
        const shared = [false, true, false, true, true, false, true, true, false];
        const mime = new RawMime(chunks, shared);

        // Act
        const encoded = Buffer.concat(formEncodedRawMessage(mime));

        // Assess
        expect(encoded.toString('latin1')).toBe(formEncodedBase64(mime.toBuffer()).toString('latin1'));
      }
    }
  });

  it('encodes a shared chunk once per alignment and reuses it for the next message', () => {
    // Prepare
    const big = bytes(3000, 11);
    const first = formEncodedRawMessage(new RawMime([bytes(4, 1), big], [false, true]));

    // Act
    const second = formEncodedRawMessage(new RawMime([bytes(7, 2), big], [false, true]));
    const otherAlignment = formEncodedRawMessage(new RawMime([bytes(5, 3), big], [false, true]));

    // Assess: the same Buffer object for the same alignment (4 and 7 bytes before it: one carried)
    expect(second.find((c) => first.includes(c))).toBeDefined();
    expect(otherAlignment.find((c) => first.includes(c))).toBeUndefined();
  });
});
