/**
 * The closed set of errors a use case may raise. One handler in
 * `src/http/error-handler.ts` maps each to an RFC 9457 problem document, and
 * the CLI prints them; nothing else invents an error vocabulary.
 */

/** One reason a piece of input was refused, naming the field (dotted path, e.g. `body.title`). */
export interface FieldIssue {
  field: string;
  reason: string;
}

export type DomainErrorKind =
  | 'not_found'
  | 'validation_failed'
  | 'conflict'
  | 'forbidden'
  | 'unauthenticated'
  | 'invalid_transition'
  | 'unprocessable'
  | 'payload_too_large'
  | 'gone';

export abstract class DomainError extends Error {
  abstract readonly kind: DomainErrorKind;
}

export class NotFound extends DomainError {
  readonly kind = 'not_found';
  constructor(
    readonly subject: string,
    readonly id: string,
  ) {
    super(`${subject} ${id} was not found`);
  }
}

export class ValidationFailed extends DomainError {
  readonly kind = 'validation_failed';
  constructor(
    readonly issues: readonly FieldIssue[],
    message = issues.map((i) => `${i.field}: ${i.reason}`).join('; '),
  ) {
    super(message);
  }
}

export class Conflict extends DomainError {
  readonly kind = 'conflict';
}

export class Forbidden extends DomainError {
  readonly kind = 'forbidden';
}

export class Unauthenticated extends DomainError {
  readonly kind = 'unauthenticated';
}

/** A state machine refused a transition; `allowed` lists the states that could follow. */
export class InvalidTransition extends DomainError {
  readonly kind = 'invalid_transition';
  constructor(
    message: string,
    readonly allowed: readonly string[],
  ) {
    super(message);
  }
}

/**
 * A well-formed request the rules refuse as it stands, naming the fields it
 * needs: e.g. a late regulator submission without the reasons for the delay.
 */
export class Unprocessable extends DomainError {
  readonly kind = 'unprocessable';
  constructor(
    readonly issues: readonly FieldIssue[],
    message = issues.map((i) => `${i.field}: ${i.reason}`).join('; '),
  ) {
    super(message);
  }
}

/** A body larger than the limit that applies to it (an attachment past the policy's size); nothing was kept. */
export class PayloadTooLarge extends DomainError {
  readonly kind = 'payload_too_large';
  constructor(readonly limitBytes: number) {
    super(`the body is larger than the limit of ${limitBytes} bytes; nothing was stored`);
  }
}

/** The thing existed but its content was removed for good (evidence purged under the retention policy). */
export class Gone extends DomainError {
  readonly kind = 'gone';
}
