/** Hashing and link signing, behind a port so the core stays free of node:crypto. */
export interface ContentHasher {
  /** SHA-256 of the text, hex. */
  sha256(text: string): string;
}

/** Per-person links to the full policy: signed so nobody can record an "opened" for someone else. */
export interface LinkSigner {
  sign(payload: string): string;
  verify(payload: string, signature: string): boolean;
}
