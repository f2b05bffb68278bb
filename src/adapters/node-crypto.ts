import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { ContentHasher, LinkSigner } from '../ports/crypto';

export const nodeHasher: ContentHasher = { sha256: (text) => createHash('sha256').update(text, 'utf8').digest('hex') };

export function hmacLinkSigner(secret: string): LinkSigner {
  const mac = (payload: string) => createHmac('sha256', secret).update(payload).digest('base64url');
  return {
    sign: mac,
    verify: (payload, signature) => {
      const expected = Buffer.from(mac(payload));
      const given = Buffer.from(signature);
      return expected.length === given.length && timingSafeEqual(expected, given);
    },
  };
}

/**
 * Signs retention checkpoints with a key derived from the server's signing secret, so a checkpoint's signature
 * can never be replayed as a link's (or the reverse).
 */
export function checkpointSigner(secret: string): LinkSigner {
  return hmacLinkSigner(createHmac('sha256', secret).update('countersign audit checkpoint v1').digest('base64url'));
}
