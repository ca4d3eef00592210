/** The one error every refusal of a typed expression throws, with fields the page shows beside the box. */

/** What went wrong, so the page can pick how to show it. */
export type ExpressionErrorKind =
  | 'syntax'            // mathjs could not parse the text (`index` and `caret` say where)
  | 'empty'             // nothing but blanks or a comment
  | 'too-long'          // more characters than MAX_EXPRESSION_CHARS
  | 'too-large'         // more nodes than MAX_EXPRESSION_NODES (`count` says how many)
  | 'unknown-function'  // a call to a name not in EXPRESSION_FUNCTIONS (`validNames` lists them)
  | 'arity'             // a known function called with the wrong number of arguments
  | 'reserved-name'     // a variable spelt as a function or constant name
  | 'unsupported'       // valid mathjs syntax this module refuses (assignment, matrices, ranges, …)
  | 'missing-variable'  // build() or inputs() was not given a value for a variable
  | 'bad-value';        // a variable's value is not a tensor (build) or not numbers (inputs)

/** Optional details of an ExpressionError. */
export interface ExpressionErrorDetails {
  /** 0-based character index in the text where parsing failed (syntax errors). */
  readonly index?: number;
  /** The text's line holding `index` and a line with a caret under it. */
  readonly caret?: string;
  /** The function, variable or construct at fault (not `name`: an Error's name is its class). */
  readonly culprit?: string;
  /** The names that would have been valid (unknown functions, reserved names). */
  readonly validNames?: readonly string[];
  /** The node count of a too-large expression. */
  readonly count?: number;
}

/** A refused expression: `kind` says why, the details say where or what; the message reads on its own. */
export class ExpressionError extends Error implements ExpressionErrorDetails {
  readonly kind: ExpressionErrorKind;
  readonly index?: number;
  readonly caret?: string;
  readonly culprit?: string;
  readonly validNames?: readonly string[];
  readonly count?: number;

  constructor(kind: ExpressionErrorKind, message: string, details: ExpressionErrorDetails = {}) {
    super(message);
    this.name = 'ExpressionError';
    this.kind = kind;
    this.index = details.index;
    this.caret = details.caret;
    this.culprit = details.culprit;
    this.validNames = details.validNames;
    this.count = details.count;
  }
}

/**
 * The line of `text` that holds `index`, and a caret under that character: two lines to print in monospace.
 * An index at the very end (a missing closing parenthesis) puts the caret one past the last character.
 */
export function caretAt(text: string, index: number): string {
  const start = text.lastIndexOf('\n', index - 1) + 1;
  const end = text.indexOf('\n', index);
  const line = text.slice(start, end < 0 ? text.length : end);
  return `${line}\n${' '.repeat(index - start)}^`;
}
