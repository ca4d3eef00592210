/**
 * The expression box and its sliders: each edit is parsed (../expression); a refused one is shown under the
 * box (a caret where parsing stopped, the valid function names for an unknown one) and the last good
 * expression stays in force. One slider per variable, −3 to 3 in steps of 0.01, starting at the value a link
 * gave it; a variable keeps its value while the expression around it is edited.
 */
import { ExpressionError, FUNCTION_NAMES, parseExpression, type ParsedExpression } from '../expression/index.ts';

const SLIDER = { min: -3, max: 3, step: 0.01 } as const;
/** Starting values, by the variable's place: distinct, so no gradient vanishes by symmetry. */
const STARTS = [0.5, -1.2, 0.8, 1.5, -0.3, 2, -2.1, 0.1];

export interface ExpressionEditor {
  /** The last good expression (undefined while none has parsed), and each variable's value. */
  readonly parsed: ParsedExpression | undefined;
  readonly values: Readonly<Record<string, number>>;
}

export function expressionEditor(
  input: HTMLInputElement, errorBox: HTMLElement, sliders: HTMLElement, linked: Readonly<Record<string, number>>,
  onChange: (what: 'expression' | 'value') => void,
): ExpressionEditor & { setText(text: string): void } {
  let parsed: ParsedExpression | undefined;
  const clamp = (v: number) => Math.min(SLIDER.max, Math.max(SLIDER.min, v));
  const values: Record<string, number> = Object.fromEntries(Object.entries(linked).map(([k, v]) => [k, clamp(v)]));

  const showError = (e: unknown): void => {
    errorBox.hidden = false;
    errorBox.replaceChildren();
    const message = e instanceof Error ? e.message : String(e);
    const [first = '', ...rest] = message.split('\n');
    errorBox.append(Object.assign(document.createElement('strong'), { textContent: first }));
    if (e instanceof ExpressionError && e.caret) errorBox.append(Object.assign(document.createElement('pre'), { className: 'caret', textContent: e.caret }));
    else if (rest.length) errorBox.append(Object.assign(document.createElement('pre'), { textContent: rest.join('\n') }));
    if (e instanceof ExpressionError && e.kind === 'unknown-function') {
      errorBox.append(Object.assign(document.createElement('p'), { className: 'valid-names', textContent: `valid functions: ${(e.validNames ?? FUNCTION_NAMES).join(', ')}` }));
    }
    errorBox.dataset.kind = e instanceof ExpressionError ? e.kind : 'error';
    errorBox.dataset.index = e instanceof ExpressionError && e.index !== undefined ? String(e.index) : '';
  };

  const buildSliders = (variables: readonly string[]): void => {
    sliders.replaceChildren(...variables.map((name, i) => {
      values[name] ??= STARTS[i % STARTS.length]!;
      const row = document.createElement('label');
      row.className = 'slider';
      const range = Object.assign(document.createElement('input'), { type: 'range', min: String(SLIDER.min), max: String(SLIDER.max), step: String(SLIDER.step), value: String(values[name]) });
      range.dataset.variable = name;
      const shown = Object.assign(document.createElement('output'), { textContent: String(values[name]) });
      range.addEventListener('input', () => {
        values[name] = Number(range.value);
        shown.textContent = range.value;
        onChange('value');
      });
      row.append(Object.assign(document.createElement('span'), { textContent: name }), range, shown);
      return row;
    }));
  };

  const read = (): void => {
    try {
      const next = parseExpression(input.value);
      parsed = next;
      errorBox.hidden = true;
      errorBox.replaceChildren();
      buildSliders(next.variables);
      onChange('expression');
    } catch (e) {
      showError(e);
    }
  };
  input.addEventListener('change', read);

  return {
    get parsed() { return parsed; },
    get values() { return values; },
    setText(text: string) { input.value = text; read(); },
  };
}
