import { EvaluationRule } from '../../courses/course.entity';
import { evaluationWeightsSumTo100, MAX_EVALUATION_RULES } from '../../courses/evaluation-rules';
import { CellFailure, cellRule, CellRule } from './cell-rule';

/** As EvaluationRuleDto allows; course.dto.ts has no constant for it. */
const CATEGORY_MAX_LENGTH = 50;

function asEvaluationRule(item: unknown): EvaluationRule | null {
  if (typeof item !== 'object' || item === null || Array.isArray(item)) return null;
  const { category, weight } = item as Record<string, unknown>;
  if (typeof category !== 'string' || typeof weight !== 'number') return null;
  const trimmed = category.trim();
  if (trimmed === '' || trimmed.length > CATEGORY_MAX_LENGTH || !(weight >= 0 && weight <= 100)) return null;
  return { category: trimmed, weight };
}

/** The rules with only `category` and `weight`, or null when any item is malformed or a category repeats. */
function asEvaluationRules(items: readonly unknown[]): EvaluationRule[] | null {
  if (items.length > MAX_EVALUATION_RULES) return null;
  const rules: EvaluationRule[] = [];
  const categories = new Set<string>();
  for (const item of items) {
    const rule = asEvaluationRule(item);
    if (rule === null) return null;
    const category = rule.category.toLowerCase();
    if (categories.has(category)) return null;
    categories.add(category);
    rules.push(rule);
  }
  return rules;
}

/**
 * A JSON list of `{ category, weight }`: a JSON or NDJSON file gives it as it is, CSV and XLSX as
 * JSON text. An empty list means the course has no weighted grading and is stored as null.
 */
export function evaluationRulesRule(field: string): CellRule {
  const invalid = new CellFailure(
    'invalid_evaluation_rules',
    `${field} must be a JSON list such as [{"category":"Exams","weight":70},{"category":"Project","weight":30}]: ` +
      `at most ${MAX_EVALUATION_RULES} rules, each with a distinct non-empty category of at most ${CATEGORY_MAX_LENGTH} characters ` +
      'and a weight from 0 to 100',
  );
  const badSum = new CellFailure('evaluation_weights_sum', `${field} weights must add up to 100`);
  const fromParsed = (value: unknown) => {
    if (value === null) return null;
    if (!Array.isArray(value)) return invalid;
    if (value.length === 0) return null;
    const rules = asEvaluationRules(value);
    if (rules === null) return invalid;
    return evaluationWeightsSumTo100(rules) ? rules : badSum;
  };
  return cellRule(field, {
    text: (value) => {
      try {
        return fromParsed(JSON.parse(value));
      } catch {
        return invalid;
      }
    },
    nested: fromParsed,
    number: () => invalid,
    boolean: () => invalid,
    date: () => invalid,
  });
}
