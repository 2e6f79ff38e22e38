import { ValueLabels } from '../../common/fields/field-spec';
import { EnrollmentStatus } from '../../enrollments/enrollment-status.enum';
import { CellFailure, cellRule, CellRule, foldWord } from './cell-rule';

/** Words are compared folded (lowercase, no accents); the list holds them as people write them. */
function foldedChoices<T>(choices: ReadonlyArray<readonly [T, readonly string[]]>): ReadonlyMap<string, T> {
  return new Map(choices.flatMap(([value, words]) => words.map((word) => [foldWord(word), value] as const)));
}

/** Looks the plain lowercase up first: most cells are already `true`, `1` or `active`, and folding costs. */
function lookUp<T>(choices: ReadonlyMap<string, T>, value: string): T | undefined {
  return choices.get(value.toLowerCase()) ?? choices.get(foldWord(value));
}

const BOOLEANS = foldedChoices<boolean>([
  [true, ['true', 'yes', 'y', '1', 'active', 'ναι', 'ενεργός', 'ενεργή', 'ενεργό']],
  [false, ['false', 'no', 'n', '0', 'inactive', 'όχι', 'ανενεργός', 'ανενεργή', 'ανενεργό']],
]);

/**
 * The words of a field's values with the labels its export writes added, so that every export
 * imports again: `Αποχώρησε` is read as dropped because the export writes it.
 */
function withLabels<T extends string | boolean>(words: ReadonlyMap<string, T>, labels: ValueLabels, fromText: (value: string) => T): ReadonlyMap<string, T> {
  const labelWords = foldedChoices(Object.entries(labels).map(([value, label]) => [fromText(value), Object.values(label)] as const));
  return new Map([...words, ...labelWords]);
}

export function booleanRule(field: string, labels: ValueLabels): CellRule {
  const choices = withLabels(BOOLEANS, labels, (value) => value === 'true');
  const invalid = new CellFailure('invalid_boolean', `${field} must be yes or no (true/false, 1/0, ναι/όχι, active/inactive)`);
  return cellRule(field, {
    text: (value) => lookUp(choices, value) ?? invalid,
    number: (value) => (value === 1 ? true : value === 0 ? false : invalid),
    boolean: (value) => value,
    date: () => invalid,
  });
}

const STATUSES = foldedChoices<EnrollmentStatus>([
  [EnrollmentStatus.Active, ['active', 'ενεργή', 'ενεργός', 'ενεργό', 'σε εξέλιξη']],
  [EnrollmentStatus.Completed, ['completed', 'complete', 'finished', 'ολοκληρώθηκε', 'ολοκληρωμένη', 'ολοκληρωμένο', 'ολοκληρωμένος']],
  [EnrollmentStatus.Dropped, ['dropped', 'withdrawn', 'αποσύρθηκε', 'αποσυρθείς', 'διεγράφη', 'διαγράφηκε', 'διαγραμμένη', 'διαγραμμένος']],
]);

/** The stored values plus the Greek and English words a secretariat writes for them. */
export function statusRule(field: string, labels: ValueLabels): CellRule {
  const choices = withLabels(STATUSES, labels, (value) => value as EnrollmentStatus);
  const invalid = new CellFailure('invalid_status', `${field} must be active, completed or dropped (ενεργή, ολοκληρώθηκε, αποσύρθηκε)`);
  return cellRule(field, {
    text: (value) => lookUp(choices, value) ?? invalid,
    number: () => invalid,
    boolean: () => invalid,
    date: () => invalid,
  });
}
