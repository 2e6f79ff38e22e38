import type { Schemas } from './api';
import { fieldLabel, fieldSpec } from './field-labels';
import type { Locale } from './i18n';
import { FIRST_STUDY_YEAR, LAST_STUDY_YEAR, type FieldSpec } from '../../src/common/fields/field-spec';

/** An import's issue, or a bulk preview's invalid record in the same terms. */
type Issue = Pick<Schemas['ImportIssueDto'], 'code' | 'field' | 'column' | 'value' | 'message'>;

/** What a Greek issue message is built from: the issue's own parameters and its field's catalogue entry. */
interface IssueParameters {
  /** The field's Greek label, or the column as written when the issue has no field. */
  field: string;
  column: string;
  value: string;
  spec: FieldSpec | undefined;
}

function limits(spec: FieldSpec | undefined): string {
  if (spec?.kind === 'integer') return ` από ${spec.minimum} έως ${spec.maximum}`;
  // A bulk change's increment can put a study year out of range (out_of_range, as an import says for a number).
  if (spec?.kind === 'studyYear') return ` από ${FIRST_STUDY_YEAR} έως ${LAST_STUDY_YEAR}`;
  return '';
}

/**
 * The Greek message of each import issue code (docs/imports.md, section 14), from its parameters;
 * the service's messages are English. A code missing here (a new one) shows the service's message.
 */
const GREEK_ISSUES: Record<string, (parameters: IssueParameters) => string> = {
  required: ({ field }) => `Το πεδίο «${field}» είναι υποχρεωτικό· συμπληρώστε το.`,
  too_long: ({ field, spec }) => `Το πεδίο «${field}» ${spec?.kind === 'text' ? `δέχεται έως ${spec.maxLength} χαρακτήρες` : 'είναι πολύ μεγάλο'}· συντομεύστε το.`,
  invalid_type: ({ field }) => `Το πεδίο «${field}» θέλει μία τιμή, όχι λίστα ή αντικείμενο.`,
  invalid_student_id: ({ field }) => `Το πεδίο «${field}» δέχεται μόνο γράμματα, ψηφία, _ και -.`,
  invalid_course_code: ({ field }) => `Το πεδίο «${field}» δέχεται μόνο γράμματα, ψηφία, _, . και -.`,
  invalid_email: ({ field }) => `Το πεδίο «${field}» θέλει διεύθυνση email, όπως name@school.example.`,
  invalid_phone: ({ field }) => `Το πεδίο «${field}» δέχεται μόνο ψηφία, κενά και + ( ) - . /`,
  invalid_date: ({ field }) => `Το πεδίο «${field}» θέλει πραγματική ημερομηνία ΕΕΕΕ-ΜΜ-ΗΗ ή ΗΗ/ΜΜ/ΕΕΕΕ, όπως 2026-09-01 ή 01/09/2026.`,
  future_date: ({ field }) => `Η ημερομηνία του πεδίου «${field}» δεν μπορεί να είναι μετά τη σημερινή.`,
  invalid_study_year: ({ field }) => `Το πεδίο «${field}» θέλει έτος σπουδών από ${FIRST_STUDY_YEAR} έως ${LAST_STUDY_YEAR}, όπως 1, Α' ή ΣΤ'.`,
  invalid_boolean: ({ field }) => `Το πεδίο «${field}» θέλει ναι ή όχι (ναι/όχι, 1/0, true/false).`,
  invalid_status: ({ field, spec }) =>
    `Το πεδίο «${field}» θέλει μία από τις τιμές ${spec?.kind === 'status' ? Object.values(spec.valueLabels).map((label) => `«${label.el}»`).join(', ') : ''}.`,
  invalid_integer: ({ field, spec }) => `Το πεδίο «${field}» θέλει ακέραιο αριθμό${limits(spec)}.`,
  out_of_range: ({ field, spec }) => `Το πεδίο «${field}» θέλει τιμή${limits(spec)}.`,
  invalid_evaluation_rules: ({ field }) => `Το πεδίο «${field}» θέλει λίστα JSON κανόνων αξιολόγησης (κατηγορία και βάρος).`,
  evaluation_weights_sum: ({ field }) => `Τα βάρη του πεδίου «${field}» πρέπει να έχουν άθροισμα 100.`,
  invalid_character: ({ column }) => `Η στήλη «${column}» έχει χαρακτήρα που δεν αποθηκεύεται (U+0000 ή μισό ζεύγος UTF-16)· διαγράψτε τον.`,
  unclosed_quote: () => 'Ένα εισαγωγικό ανοίγει και δεν κλείνει ως το τέλος του αρχείου.',
  too_many_cells: () => 'Η γραμμή έχει περισσότερα κελιά από τις στήλες της κεφαλίδας.',
  invalid_json: () => 'Η γραμμή δεν είναι έγκυρο JSON.',
  not_an_object: () => 'Η εγγραφή δεν είναι αντικείμενο JSON.',
  unknown_column: ({ column }) => `Η στήλη «${column}» δεν αντιστοιχεί σε κανένα πεδίο και αγνοείται.`,
  duplicate_column: ({ field }) => `Δύο στήλες δίνουν το πεδίο «${field}»· αφαιρέστε ή μετονομάστε τη μία.`,
  missing_column: ({ field }) => `Λείπει η στήλη «${field}», που χρειάζεται.`,
  duplicate_in_file: () => 'Το ίδιο κλειδί υπάρχει σε προηγούμενη γραμμή· αυτή η γραμμή παραλείπεται.',
  duplicate_email_in_file: ({ value }) => `Το email «${value}» δίνεται σε άλλον μαθητή σε προηγούμενη γραμμή.`,
  email_taken: ({ value }) => `Το email «${value}» ανήκει ήδη σε άλλον μαθητή.`,
  not_found: () => 'Δεν υπάρχει εγγραφή με αυτό το κλειδί· η γραμμή παραλείπεται (μόνο ενημέρωση).',
  already_exists: () => 'Η εγγραφή υπάρχει ήδη· η γραμμή παραλείπεται (μόνο δημιουργία).',
  restores_deleted: () => 'Η εγγραφή είχε διαγραφεί· η εισαγωγή την επαναφέρει με αυτή τη γραμμή.',
  unknown_student: () => 'Δεν υπάρχει μαθητής με αυτόν τον αριθμό· η γραμμή παραλείπεται.',
  unknown_course: () => 'Δεν υπάρχει μάθημα με αυτόν τον κωδικό· η γραμμή παραλείπεται.',
};

/** An import issue's message in the console's language: in Greek built from its code and parameters, in English the service's own. */
export function issueMessage(issue: Issue, entity: Schemas['ImportEntity'], locale: Locale): string {
  const greek = Object.hasOwn(GREEK_ISSUES, issue.code) ? GREEK_ISSUES[issue.code] : undefined;
  if (locale !== 'el' || greek === undefined) return issue.message;
  const column = issue.column ?? issue.field ?? '';
  return greek({ field: issue.field === null ? column : fieldLabel(entity, issue.field, locale), column, value: issue.value ?? '', spec: fieldSpec(entity, issue.field) });
}

/**
 * The Greek title of the problems the console's pages meet, by the problem's code (the ProblemCode
 * enum of the spec); the others, and every problem in English, show the service's title and detail.
 */
const GREEK_PROBLEMS: Partial<Record<Schemas['ProblemCode'], string>> = {
  invalid_credentials: 'Λάθος email ή κωδικός.',
  authentication_required: 'Χρειάζεται σύνδεση.',
  invalid_token: 'Η σύνδεση έληξε· συνδεθείτε ξανά.',
  insufficient_role: 'Ο ρόλος σας δεν επιτρέπει αυτή την ενέργεια.',
  rate_limited: 'Πάρα πολλά αιτήματα· δοκιμάστε ξανά σε λίγο.',
  validation_failed: 'Κάποια τιμή του αιτήματος δεν είναι έγκυρη.',
  file_too_large: 'Το αρχείο είναι πολύ μεγάλο· χωρίστε το.',
  payload_too_large: 'Το αρχείο είναι πολύ μεγάλο· χωρίστε το.',
  empty_file: 'Το αρχείο είναι κενό.',
  no_rows: 'Το αρχείο έχει κεφαλίδα αλλά καμία γραμμή δεδομένων.',
  unsupported_format: 'Η μορφή του αρχείου δεν υποστηρίζεται· αποθηκεύστε το ως .xlsx ή .csv.',
  format_mismatch: 'Η κατάληξη του αρχείου δεν ταιριάζει με το περιεχόμενό του.',
  unsupported_encoding: 'Η κωδικοποίηση του αρχείου δεν υποστηρίζεται· αποθηκεύστε το ως UTF-8.',
  invalid_json: 'Το αρχείο δεν είναι έγκυρο JSON.',
  invalid_xlsx: 'Το αρχείο Excel δεν διαβάζεται· αποθηκεύστε το ξανά ως .xlsx.',
  sheet_not_found: 'Δεν υπάρχει φύλλο με αυτό το όνομα στο αρχείο.',
  too_many_rows: 'Το αρχείο έχει πάρα πολλές γραμμές· χωρίστε το.',
  too_many_columns: 'Το αρχείο έχει πάρα πολλές στήλες.',
  preview_not_found: 'Η προεπισκόπηση δεν υπάρχει πια· ελέγξτε ξανά το αρχείο.',
  preview_already_committed: 'Αυτή η προεπισκόπηση έχει ήδη χρησιμοποιηθεί· ελέγξτε ξανά το αρχείο για νέα εισαγωγή.',
  preview_not_committable: 'Η προεπισκόπηση δεν μπορεί να γραφτεί· διορθώστε το αρχείο ή επιλέξτε παράλειψη λανθασμένων γραμμών.',
  preview_outdated: 'Οι εγγραφές άλλαξαν μετά την προεπισκόπηση· δεν γράφτηκε τίποτα, κάντε νέα προεπισκόπηση.',
  mass_change_unconfirmed: 'Η εισαγωγή αλλάζει πολλές υπάρχουσες εγγραφές και χρειάζεται επιβεβαίωση.',
  import_not_found: 'Δεν βρέθηκε εισαγωγή σας με αυτή την εργασία.',
  undo_conflict: 'Κάποιες εγγραφές άλλαξαν μετά την εισαγωγή· η αναίρεση δεν έγινε.',
  already_undone: 'Η εισαγωγή έχει ήδη αναιρεθεί.',
  undo_expired: 'Πέρασε ο χρόνος που επιτρέπει την αναίρεση αυτής της εισαγωγής.',
  job_not_found: 'Η εργασία δεν υπάρχει (οι ολοκληρωμένες κρατούνται 24 ώρες).',
  job_finished: 'Η εργασία έχει ήδη τελειώσει.',
  backup_not_found: 'Το αντίγραφο ασφαλείας δεν υπάρχει.',
  backup_file_missing: 'Το αρχείο του αντιγράφου ασφαλείας λείπει.',
  backup_corrupt: 'Το αντίγραφο ασφαλείας είναι κατεστραμμένο· δεν άλλαξε τίποτα.',
  backup_schema_mismatch: 'Το αντίγραφο ασφαλείας είναι από άλλη έκδοση της βάσης και δεν επαναφέρεται.',
  queue_unavailable: 'Η υπηρεσία εργασιών δεν είναι διαθέσιμη· δοκιμάστε ξανά σε λίγο.',
  service_unavailable: 'Η υπηρεσία δεν είναι διαθέσιμη· δοκιμάστε ξανά σε λίγο.',
  internal_error: 'Κάτι πήγε στραβά στην υπηρεσία.',
};

/** A problem's title in Greek when the console has one for its code; undefined otherwise. */
export function greekProblemTitle(code: string | undefined, locale: Locale): string | undefined {
  if (locale !== 'el' || code === undefined || !Object.hasOwn(GREEK_PROBLEMS, code)) return undefined;
  return GREEK_PROBLEMS[code as Schemas['ProblemCode']];
}
