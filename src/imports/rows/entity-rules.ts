import { ImportEntity } from '../import.types';
import { CellRule, memoizeText } from './cell-rule';
import { booleanRule, statusRule } from './choice-rules';
import { dateRule } from './date-rule';
import { evaluationRulesRule } from './evaluation-rules-rule';
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

const required = (rule: CellRule): FieldRule => ({ rule, whenEmpty: REQUIRED });
const optional = (rule: CellRule): FieldRule => ({ rule, whenEmpty: null });

const NAME_MAX_LENGTH = 100;
const LONG_TEXT_MAX_LENGTH = 2000;
const SHORT_TEXT_MAX_LENGTH = 20;

function studentRules(today: string): Record<string, FieldRule> {
  return {
    studentId: required(studentIdRule('studentId')),
    email: required(emailRule('email')),
    firstName: required(textRule('firstName', NAME_MAX_LENGTH)),
    lastName: required(textRule('lastName', NAME_MAX_LENGTH)),
    fatherName: optional(textRule('fatherName', NAME_MAX_LENGTH)),
    mobilePhone: optional(phoneRule('mobilePhone')),
    phone: optional(phoneRule('phone')),
    enrollmentDate: optional(memoizeText(dateRule('enrollmentDate', today))),
    studyYear: optional(memoizeText(studyYearRule('studyYear'))),
    isActive: optional(memoizeText(booleanRule('isActive'))),
    healthIssue: optional(textRule('healthIssue', LONG_TEXT_MAX_LENGTH)),
    note: optional(textRule('note', LONG_TEXT_MAX_LENGTH)),
    academicYear: optional(textRule('academicYear', SHORT_TEXT_MAX_LENGTH)),
    classDivision: optional(textRule('classDivision', SHORT_TEXT_MAX_LENGTH)),
  };
}

const COURSE_NAME_MAX_LENGTH = 200;
const SEMESTER_MAX_LENGTH = 50;
const MAX_CREDITS = 60;
const MAX_PER_WEEK = 60;

function courseRules(): Record<string, FieldRule> {
  return {
    courseCode: required(courseCodeRule('courseCode')),
    courseName: required(textRule('courseName', COURSE_NAME_MAX_LENGTH)),
    semester: required(textRule('semester', SEMESTER_MAX_LENGTH)),
    credits: optional(integerRule('credits', 0, MAX_CREDITS)),
    description: optional(textRule('description', LONG_TEXT_MAX_LENGTH)),
    hoursPerWeek: optional(integerRule('hoursPerWeek', 0, MAX_PER_WEEK)),
    periodsPerWeek: optional(integerRule('periodsPerWeek', 0, MAX_PER_WEEK)),
    evaluationRules: optional(evaluationRulesRule('evaluationRules')),
    isActive: optional(memoizeText(booleanRule('isActive'))),
  };
}

function enrollmentRules(today: string): Record<string, FieldRule> {
  return {
    studentId: required(studentIdRule('studentId')),
    courseCode: required(courseCodeRule('courseCode')),
    enrolledAt: optional(memoizeText(dateRule('enrolledAt', today))),
    status: optional(memoizeText(statusRule('status'))),
  };
}

/** The rule of every field of importFields(entity), by field name. */
export function entityRules(entity: ImportEntity, today: string): Readonly<Record<string, FieldRule>> {
  switch (entity) {
    case ImportEntity.Students:
      return studentRules(today);
    case ImportEntity.Courses:
      return courseRules();
    case ImportEntity.Enrollments:
      return enrollmentRules(today);
  }
}
