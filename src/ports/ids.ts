/** Id generation is a port too: tests can make ids predictable. */
export interface IdSource {
  next(): string;
}
