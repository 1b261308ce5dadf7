/**
 * The host objects fqc's public API takes, as the shapes fqc uses of them. The library's .d.ts must not name
 * Node's types (`node:worker_threads`, the global AbortSignal of @types/node): a TypeScript user without
 * @types/node, checking libraries (skipLibCheck off), would get errors inside fqc's declarations. Node's
 * AbortSignal and Worker (and the DOM's AbortSignal) fit these shapes as they are.
 */

/** What fqc uses of an AbortSignal: whether it fired, and its "abort" event. */
export interface AbortSignalLike {
  readonly aborted: boolean;
  addEventListener(type: "abort", listener: () => void): void;
  removeEventListener(type: "abort", listener: () => void): void;
}

/** What fqc's worker pool uses of a worker thread (a `node:worker_threads` Worker running fqc's worker code). */
export interface WorkerThread {
  postMessage(value: unknown): void;
  on(event: "message", listener: (value: unknown) => void): unknown;
  on(event: "error", listener: (error: Error) => void): unknown;
  on(event: "exit", listener: (exitCode: number) => void): unknown;
  terminate(): Promise<number>;
}

/** Worker threads started early (the CLI starts them while it loads) that apply may take. */
export interface WorkerSupply {
  /** Up to `n` live workers, now owned by the caller. */
  take(n: number): WorkerThread[];
}
