// The few web-platform globals core relies on, present in browsers and in Node 20 alike.
// Declared here so core compiles against neither the DOM lib nor @types/node.
declare class TextEncoder {
  encode(input?: string): Uint8Array<ArrayBuffer>;
}
declare const crypto: {
  readonly subtle: { digest(algorithm: 'SHA-256', data: Uint8Array<ArrayBuffer>): Promise<ArrayBuffer> };
  getRandomValues<T extends Uint8Array>(array: T): T;
};
