/** A typed expression as a graph: parsed by ./expression (mathjs's parser, never its evaluator), built from chainrule ops. */
import type { ParsedExpression } from '../expression/index.ts';
import type { Subject } from './stepper.ts';

/** Scalar leaves named after the variables, at the sliders' values, and the expression built on them. */
export function expressionSubject(parsed: ParsedExpression, values: Readonly<Record<string, number>>): Subject {
  const xs = parsed.inputs(values);
  return { y: parsed.build(xs), xs, caption: `${parsed.text} at ${parsed.variables.map((v) => `${v} = ${values[v]}`).join(', ') || 'no variables'}` };
}
