/**
 * An error the user can fix: bad configuration, an unreadable snapshot, not a git repository.
 * Front doors show `message` as one line (the file or key at fault is in it) and exit with 2;
 * anything else thrown is a bug and keeps its stack.
 */
export class UserError extends Error {
  constructor(message: string, override readonly cause?: unknown) {
    super(message);
    this.name = 'UserError';
  }
}

/** A cancellation token the engine checks between units of work; the CLI passes `neverCancelled`. */
export interface CancellationToken {
  readonly isCancellationRequested: boolean;
}

export const neverCancelled: CancellationToken = { isCancellationRequested: false };

/** Thrown when a token is cancelled, so the caller can tell cancellation from failure. */
export class CancelledError extends Error {
  constructor() {
    super('cancelled');
    this.name = 'CancelledError';
  }
}

/** Throws `CancelledError` when the token asks for it. */
export function throwIfCancelled(token: CancellationToken): void {
  if (token.isCancellationRequested) throw new CancelledError();
}
