import { registerDecorator, ValidationOptions } from 'class-validator';
import { EvaluationRule } from './course.entity';

/** Here rather than in the DTO, so that the import's checks can use it without loading the API's decorators. */
export const MAX_EVALUATION_RULES = 20;

/** No rules (null or empty) means the course has no weighted grading, which is valid. */
export function evaluationWeightsSumTo100(rules: readonly Pick<EvaluationRule, 'weight'>[] | null | undefined): boolean {
  if (rules == null || rules.length === 0) return true;
  const sum = rules.reduce((total, rule) => total + rule.weight, 0);
  // Decimal weights such as 33.33 + 33.33 + 33.34 do not add up to exactly 100 in binary floating point.
  return Math.abs(sum - 100) < 1e-9;
}

const hasNumericWeight = (rule: unknown): rule is Pick<EvaluationRule, 'weight'> =>
  typeof rule === 'object' && rule !== null && typeof (rule as { weight?: unknown }).weight === 'number';

/**
 * Weights of an evaluation-rules array add up to 100. An array whose items are malformed passes
 * here, because the nested validation already reports each bad item by its own path.
 */
export function WeightsSumTo100(options?: ValidationOptions): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name: 'weightsSumTo100',
      target: target.constructor,
      propertyName: propertyName as string,
      options: { message: `${String(propertyName)} weights must add up to 100`, ...options },
      validator: {
        validate: (value: unknown) => !Array.isArray(value) || !value.every(hasNumericWeight) || evaluationWeightsSumTo100(value),
      },
    });
}
