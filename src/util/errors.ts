// Typed errors with stable AREA_WHAT codes (listed in docs/errors.md) and structured fields.

/** Base of every error Signet raises on purpose. `code` is stable and documented in docs/errors.md. */
export class SignetError extends Error {
  readonly code: string;
  readonly details: Readonly<Record<string, unknown>>;
  constructor(code: string, message: string, details: Record<string, unknown> = {}) {
    super(message);
    this.name = new.target.name;
    this.code = code;
    this.details = details;
  }
}

/** Malformed DNS wire data; `field` names what was being read, `offset` where. */
export class WireFormatError extends SignetError {
  readonly field: string;
  readonly offset: number;
  constructor(code: string, message: string, field: string, offset: number) {
    super(code, `${message} (reading ${field} at offset ${offset})`, { field, offset });
    this.field = field;
    this.offset = offset;
  }
}

/** A problem in presentation (zone file) text, with its position. */
export class TextFormatError extends SignetError {
  readonly file: string | undefined;
  readonly line: number;
  readonly column: number;
  readonly reason: string;
  constructor(code: string, reason: string, pos: { file?: string; line: number; column: number }) {
    super(code, `${pos.file ?? '<input>'}:${pos.line}:${pos.column}: ${reason}`, { ...pos });
    this.file = pos.file;
    this.line = pos.line;
    this.column = pos.column;
    this.reason = reason;
  }
}
