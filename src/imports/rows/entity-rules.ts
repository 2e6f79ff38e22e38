import { FieldSpec } from '../../common/fields/field-spec';
import { ImportEntity } from '../import.types';
import { CellRule, memoizeCells } from './cell-rule';
import { booleanRule, statusRule } from './choice-rules';
import { dateRule } from './date-rule';
import { evaluationRulesRule } from './evaluation-rules-rule';
import { fieldSpecs } from './import-fields';
import { ImportValue } from './import-value';
import { integerRule, studyYearRule } from './number-rules';
import { courseCodeRule, emailRule, phoneRule, studentIdRule, textRule } from './text-rules';

/** Marks a field whose empty cell is an error. */
export const REQUIRED = Symbol('required');

export interface FieldRule {
  rule: CellRule;
  /**
   * What an empty cell stores: null clears an optional field. For a field that cannot be null,
   * null means "no value given": a new record takes the column's default, an existing one keeps
   * what it has (see TargetColumn.defaultWhenEmpty), so an empty cell never re-activates a student.
   */
  whenEmpty: ImportValue | typeof REQUIRED;
}

/** The rule of a field's kind and limits, as the catalogue states them; the API checks the same ones. */
function cellRuleOf(field: FieldSpec, today: string): CellRule {
  const { name } = field;
  switch (field.kind) {
    case 'text':
      return textRule(name, field.maxLength);
    case 'email':
      return emailRule(name);
    case 'phone':
      return phoneRule(name);
    case 'studentId':
      return studentIdRule(name);
    case 'courseCode':
      return courseCodeRule(name);
    case 'date':
      return memoizeCells(dateRule(name, today));
    case 'integer':
      return integerRule(name, field.minimum, field.maximum);
    case 'studyYear':
      return memoizeCells(studyYearRule(name));
    case 'boolean':
      return memoizeCells(booleanRule(name, field.valueLabels));
    case 'status':
      return memoizeCells(statusRule(name, field.valueLabels));
    case 'evaluationRules':
      return evaluationRulesRule(name);
  }
}

/** The rule of every field of importFields(entity), by field name. */
export function entityRules(entity: ImportEntity, today: string): Readonly<Record<string, FieldRule>> {
  return Object.fromEntries(
    Object.values(fieldSpecs(entity)).map((field) => [
      field.name,
      { rule: cellRuleOf(field, today), whenEmpty: field.presence === 'required' ? REQUIRED : null },
    ]),
  );
}
