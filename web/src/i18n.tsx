import { createContext, type ComponentChildren } from 'preact';
import { useCallback, useContext, useMemo, useState } from 'preact/hooks';

const english = {
  appTitle: 'School console',
  skipToContent: 'Skip to content',
  language: 'Language',
  navImport: 'Import',
  navJobs: 'Jobs',
  navStudents: 'Students',
  navCourses: 'Courses',
  navAudit: 'Audit',
  signIn: 'Sign in',
  signOut: 'Sign out',
  signedInAs: 'Signed in as {email} ({role})',
  email: 'Email',
  password: 'Password',
  signInTitle: 'Sign in to the school console',
  signingIn: 'Signing in…',
  loading: 'Loading…',
  notFound: 'This page does not exist.',
  errorUnexpected: 'Something went wrong: {message}',
  errorNetwork: 'The service cannot be reached. Check the connection and try again.',
  sessionExpired: 'Your session has ended. Please sign in again.',
  // Import
  importTitle: 'Import a roster',
  importIntro: 'Choose what the file holds, pick the file, and check the preview before anything is written.',
  entity: 'What the file holds',
  entity_students: 'Students',
  entity_courses: 'Courses',
  entity_enrollments: 'Enrollments',
  mode: 'Records',
  mode_upsert: 'Create new and update existing',
  mode_create: 'Only create new',
  mode_update: 'Only update existing',
  onInvalid: 'Invalid rows',
  onInvalid_abort: 'Write nothing while any row is invalid',
  onInvalid_skip: 'Skip invalid rows, write the rest',
  dropZone: 'Drop a file here, or press Enter to choose one',
  dropZoneHint: 'CSV, JSON, NDJSON or Excel (.xlsx)',
  chooseFile: 'Choose file',
  chosenFile: 'File: {name} ({size})',
  checkFile: 'Check the file',
  checking: 'Checking the file…',
  previewTitle: 'Preview of {name}',
  summaryTotal: 'Rows',
  summaryValid: 'Valid',
  summaryInvalid: 'Invalid',
  summaryWarnings: 'With warnings',
  summaryCreate: 'To create',
  summaryUpdate: 'To update',
  summaryUnchanged: 'Unchanged',
  summarySkip: 'To skip',
  detectedTitle: 'What was detected',
  detectedFormat: 'Format',
  detectedEncoding: 'Encoding',
  detectedDelimiter: 'Delimiter',
  detectedSheet: 'Sheet',
  columnInFile: 'Column in the file',
  columnField: 'Field',
  columnIgnored: 'ignored',
  tab: 'tab',
  issuesTitle: 'Issues',
  issuesNone: 'No issues.',
  severity: 'Severity',
  severityAll: 'All',
  severity_error: 'Error',
  severity_warning: 'Warning',
  issueCode: 'Code',
  issueCodeAll: 'All codes',
  row: 'Row',
  column: 'Column',
  message: 'Message',
  value: 'Value',
  downloadRejected: 'Download rejected rows (CSV)',
  confirmImport: 'Confirm and import',
  cancelImport: 'Cancel',
  cannotCommit: 'Nothing can be written yet: fix the errors in the file, or choose to skip invalid rows, and check it again.',
  committing: 'Starting the import…',
  previewExpires: 'This preview can be confirmed until {date}.',
  // Pagination
  pageOf: '{from}–{to} of {total}',
  previousPage: 'Previous',
  nextPage: 'Next',
  // Jobs
  jobsTitle: 'Jobs',
  jobsEmpty: 'No jobs yet.',
  jobTitle: 'Job {id}',
  jobType: 'Type',
  jobStatus: 'Status',
  jobCreated: 'Started',
  jobProgress: 'Progress',
  status_pending: 'Waiting',
  status_processing: 'Running',
  status_completed: 'Completed',
  status_failed: 'Failed',
  status_cancelled: 'Cancelled',
  type_bulk_import: 'Import',
  type_bulk_update: 'Bulk update',
  type_bulk_delete: 'Bulk delete',
  type_export_large: 'Export',
  type_backup: 'Backup',
  type_migration: 'Migration',
  type_cleanup: 'Cleanup',
  type_custom: 'Custom',
  processedOfTotal: '{processed} of {total} rows',
  processedOnly: '{processed} rows',
  timeLeft: 'About {time} left',
  timeLeftUnknown: 'Estimating time left…',
  cancelJob: 'Cancel job',
  cancelRequested: 'Cancelling: the job stops at its next batch.',
  liveUpdates: 'Live',
  pollingUpdates: 'Updating every few seconds',
  resultTitle: 'Result',
  count_created: 'Created',
  count_updated: 'Updated',
  count_unchanged: 'Unchanged',
  count_skipped: 'Skipped',
  count_rejected: 'Rejected',
  count_totalRows: 'Rows',
  errorsTitle: 'Errors',
  warningsTitle: 'Warnings',
  moreItems: '{count} more',
  backToImport: 'Start another import',
  openJob: 'Open',
  // Lists
  studentsTitle: 'Students',
  coursesTitle: 'Courses',
  search: 'Search',
  searchStudentsHint: 'Name, student id or email',
  searchCoursesHint: 'Code or name',
  importStudents: 'Import students',
  importCourses: 'Import courses',
  exportAs: 'Export',
  exportFormat: 'Export format',
  exporting: 'Preparing the download…',
  noResults: 'Nothing found.',
  studentId: 'Student id',
  lastName: 'Last name',
  firstName: 'First name',
  studyYear: 'Year',
  active: 'Active',
  yes: 'Yes',
  no: 'No',
  courseCode: 'Code',
  courseName: 'Name',
  semester: 'Semester',
  credits: 'Credits',
  // Audit
  auditTitle: 'Audit log',
  auditAction: 'Action',
  auditResource: 'Resource',
  auditResourceId: 'Resource id',
  auditUser: 'User email',
  auditFrom: 'From',
  auditTo: 'To',
  auditOutcome: 'Outcome',
  auditOutcomeAll: 'All',
  auditSuccess: 'Succeeded',
  auditFailure: 'Failed',
  auditRequestId: 'Request id',
  auditTime: 'Time',
  auditAddress: 'Address',
  auditStatusCode: 'HTTP status',
  anyValue: 'Any',
  applyFilters: 'Apply',
  clearFilters: 'Clear',
};

export type MessageKey = keyof typeof english;
export type Locale = 'en' | 'el';

const greek: Record<MessageKey, string> = {
  appTitle: 'Κονσόλα σχολείου',
  skipToContent: 'Μετάβαση στο περιεχόμενο',
  language: 'Γλώσσα',
  navImport: 'Εισαγωγή',
  navJobs: 'Εργασίες',
  navStudents: 'Μαθητές',
  navCourses: 'Μαθήματα',
  navAudit: 'Ιστορικό ενεργειών',
  signIn: 'Σύνδεση',
  signOut: 'Αποσύνδεση',
  signedInAs: 'Συνδεδεμένος ως {email} ({role})',
  email: 'Ηλεκτρονικό ταχυδρομείο',
  password: 'Κωδικός',
  signInTitle: 'Σύνδεση στην κονσόλα του σχολείου',
  signingIn: 'Σύνδεση…',
  loading: 'Φόρτωση…',
  notFound: 'Η σελίδα δεν υπάρχει.',
  errorUnexpected: 'Κάτι πήγε στραβά: {message}',
  errorNetwork: 'Η υπηρεσία δεν είναι διαθέσιμη. Ελέγξτε τη σύνδεση και δοκιμάστε ξανά.',
  sessionExpired: 'Η σύνδεσή σας έληξε. Συνδεθείτε ξανά.',
  importTitle: 'Εισαγωγή καταλόγου',
  importIntro: 'Επιλέξτε τι περιέχει το αρχείο, διαλέξτε το αρχείο και ελέγξτε την προεπισκόπηση πριν γραφτεί οτιδήποτε.',
  entity: 'Τι περιέχει το αρχείο',
  entity_students: 'Μαθητές',
  entity_courses: 'Μαθήματα',
  entity_enrollments: 'Εγγραφές σε μαθήματα',
  mode: 'Εγγραφές',
  mode_upsert: 'Δημιουργία νέων και ενημέρωση υπαρχόντων',
  mode_create: 'Μόνο δημιουργία νέων',
  mode_update: 'Μόνο ενημέρωση υπαρχόντων',
  onInvalid: 'Λανθασμένες γραμμές',
  onInvalid_abort: 'Να μη γραφτεί τίποτα όσο υπάρχει λανθασμένη γραμμή',
  onInvalid_skip: 'Παράλειψη λανθασμένων γραμμών, εγγραφή των υπολοίπων',
  dropZone: 'Αφήστε εδώ ένα αρχείο ή πατήστε Enter για να επιλέξετε',
  dropZoneHint: 'CSV, JSON, NDJSON ή Excel (.xlsx)',
  chooseFile: 'Επιλογή αρχείου',
  chosenFile: 'Αρχείο: {name} ({size})',
  checkFile: 'Έλεγχος αρχείου',
  checking: 'Έλεγχος του αρχείου…',
  previewTitle: 'Προεπισκόπηση του {name}',
  summaryTotal: 'Γραμμές',
  summaryValid: 'Έγκυρες',
  summaryInvalid: 'Λανθασμένες',
  summaryWarnings: 'Με προειδοποιήσεις',
  summaryCreate: 'Για δημιουργία',
  summaryUpdate: 'Για ενημέρωση',
  summaryUnchanged: 'Χωρίς αλλαγή',
  summarySkip: 'Για παράλειψη',
  detectedTitle: 'Τι αναγνωρίστηκε',
  detectedFormat: 'Μορφή',
  detectedEncoding: 'Κωδικοποίηση',
  detectedDelimiter: 'Διαχωριστικό',
  detectedSheet: 'Φύλλο',
  columnInFile: 'Στήλη του αρχείου',
  columnField: 'Πεδίο',
  columnIgnored: 'αγνοείται',
  tab: 'tab',
  issuesTitle: 'Προβλήματα',
  issuesNone: 'Κανένα πρόβλημα.',
  severity: 'Σοβαρότητα',
  severityAll: 'Όλα',
  severity_error: 'Σφάλμα',
  severity_warning: 'Προειδοποίηση',
  issueCode: 'Κωδικός',
  issueCodeAll: 'Όλοι οι κωδικοί',
  row: 'Γραμμή',
  column: 'Στήλη',
  message: 'Μήνυμα',
  value: 'Τιμή',
  downloadRejected: 'Λήψη απορριφθεισών γραμμών (CSV)',
  confirmImport: 'Επιβεβαίωση και εισαγωγή',
  cancelImport: 'Ακύρωση',
  cannotCommit: 'Δεν μπορεί να γραφτεί τίποτα ακόμη: διορθώστε τα σφάλματα του αρχείου ή επιλέξτε παράλειψη λανθασμένων γραμμών και ελέγξτε το ξανά.',
  committing: 'Έναρξη εισαγωγής…',
  previewExpires: 'Η προεπισκόπηση μπορεί να επιβεβαιωθεί έως {date}.',
  pageOf: '{from}–{to} από {total}',
  previousPage: 'Προηγούμενη',
  nextPage: 'Επόμενη',
  jobsTitle: 'Εργασίες',
  jobsEmpty: 'Καμία εργασία ακόμη.',
  jobTitle: 'Εργασία {id}',
  jobType: 'Είδος',
  jobStatus: 'Κατάσταση',
  jobCreated: 'Έναρξη',
  jobProgress: 'Πρόοδος',
  status_pending: 'Σε αναμονή',
  status_processing: 'Σε εξέλιξη',
  status_completed: 'Ολοκληρώθηκε',
  status_failed: 'Απέτυχε',
  status_cancelled: 'Ακυρώθηκε',
  type_bulk_import: 'Εισαγωγή',
  type_bulk_update: 'Μαζική ενημέρωση',
  type_bulk_delete: 'Μαζική διαγραφή',
  type_export_large: 'Εξαγωγή',
  type_backup: 'Αντίγραφο ασφαλείας',
  type_migration: 'Μετάπτωση',
  type_cleanup: 'Καθαρισμός',
  type_custom: 'Άλλη',
  processedOfTotal: '{processed} από {total} γραμμές',
  processedOnly: '{processed} γραμμές',
  timeLeft: 'Απομένουν περίπου {time}',
  timeLeftUnknown: 'Υπολογισμός του χρόνου που απομένει…',
  cancelJob: 'Ακύρωση εργασίας',
  cancelRequested: 'Ακύρωση: η εργασία σταματά στην επόμενη παρτίδα.',
  liveUpdates: 'Ζωντανά',
  pollingUpdates: 'Ενημέρωση ανά λίγα δευτερόλεπτα',
  resultTitle: 'Αποτέλεσμα',
  count_created: 'Δημιουργήθηκαν',
  count_updated: 'Ενημερώθηκαν',
  count_unchanged: 'Χωρίς αλλαγή',
  count_skipped: 'Παραλείφθηκαν',
  count_rejected: 'Απορρίφθηκαν',
  count_totalRows: 'Γραμμές',
  errorsTitle: 'Σφάλματα',
  warningsTitle: 'Προειδοποιήσεις',
  moreItems: '{count} ακόμη',
  backToImport: 'Νέα εισαγωγή',
  openJob: 'Άνοιγμα',
  studentsTitle: 'Μαθητές',
  coursesTitle: 'Μαθήματα',
  search: 'Αναζήτηση',
  searchStudentsHint: 'Όνομα, αριθμός μαθητή ή email',
  searchCoursesHint: 'Κωδικός ή όνομα',
  importStudents: 'Εισαγωγή μαθητών',
  importCourses: 'Εισαγωγή μαθημάτων',
  exportAs: 'Εξαγωγή',
  exportFormat: 'Μορφή εξαγωγής',
  exporting: 'Προετοιμασία της λήψης…',
  noResults: 'Δεν βρέθηκε τίποτα.',
  studentId: 'Αριθμός μαθητή',
  lastName: 'Επώνυμο',
  firstName: 'Όνομα',
  studyYear: 'Έτος',
  active: 'Ενεργός',
  yes: 'Ναι',
  no: 'Όχι',
  courseCode: 'Κωδικός',
  courseName: 'Όνομα',
  semester: 'Εξάμηνο',
  credits: 'Μονάδες',
  auditTitle: 'Ιστορικό ενεργειών',
  auditAction: 'Ενέργεια',
  auditResource: 'Αντικείμενο',
  auditResourceId: 'Αναγνωριστικό αντικειμένου',
  auditUser: 'Email χρήστη',
  auditFrom: 'Από',
  auditTo: 'Έως',
  auditOutcome: 'Έκβαση',
  auditOutcomeAll: 'Όλες',
  auditSuccess: 'Επιτυχία',
  auditFailure: 'Αποτυχία',
  auditRequestId: 'Αναγνωριστικό αιτήματος',
  auditTime: 'Ώρα',
  auditAddress: 'Διεύθυνση',
  auditStatusCode: 'Κατάσταση HTTP',
  anyValue: 'Οποιαδήποτε',
  applyFilters: 'Εφαρμογή',
  clearFilters: 'Καθαρισμός',
};

const dictionaries: Record<Locale, Record<MessageKey, string>> = { en: english, el: greek };
const LOCALE_STORAGE_KEY = 'sms-console-locale';

export interface Translator {
  locale: Locale;
  setLocale(locale: Locale): void;
  t(key: MessageKey, values?: Record<string, string | number>): string;
  /** A message for a key built from an API value (status, type, count name), or the value itself when unknown. */
  label(prefix: string, value: string): string;
  formatNumber(value: number): string;
  formatDateTime(value: string | Date): string;
  formatBytes(bytes: number): string;
  formatDuration(seconds: number): string;
}

function initialLocale(): Locale {
  const stored = localStorage.getItem(LOCALE_STORAGE_KEY);
  if (stored === 'en' || stored === 'el') return stored;
  return navigator.language.toLowerCase().startsWith('el') ? 'el' : 'en';
}

function createTranslator(locale: Locale, setLocale: (locale: Locale) => void): Translator {
  const dictionary = dictionaries[locale];
  const numberFormat = new Intl.NumberFormat(locale);
  const dateTimeFormat = new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short' });
  const t = (key: MessageKey, values: Record<string, string | number> = {}): string =>
    dictionary[key].replace(/\{(\w+)\}/g, (placeholder, name: string) => {
      const value = values[name];
      if (value === undefined) return placeholder;
      return typeof value === 'number' ? numberFormat.format(value) : value;
    });
  return {
    locale,
    setLocale,
    t,
    label(prefix, value) {
      const key = `${prefix}_${value}`;
      return key in dictionary ? dictionary[key as MessageKey] : value;
    },
    formatNumber: (value) => numberFormat.format(value),
    formatDateTime: (value) => dateTimeFormat.format(typeof value === 'string' ? new Date(value) : value),
    formatBytes(bytes) {
      const units = ['byte', 'kilobyte', 'megabyte', 'gigabyte'] as const;
      let unitIndex = 0;
      let amount = bytes;
      while (amount >= 1024 && unitIndex < units.length - 1) {
        amount /= 1024;
        unitIndex += 1;
      }
      return new Intl.NumberFormat(locale, { style: 'unit', unit: units[unitIndex], unitDisplay: 'short', maximumFractionDigits: 1 }).format(amount);
    },
    formatDuration(seconds) {
      const rounded = Math.max(1, Math.round(seconds));
      if (rounded < 60) return new Intl.NumberFormat(locale, { style: 'unit', unit: 'second', unitDisplay: 'long' }).format(rounded);
      const minutes = Math.round(rounded / 60);
      if (minutes < 60) return new Intl.NumberFormat(locale, { style: 'unit', unit: 'minute', unitDisplay: 'long' }).format(minutes);
      return new Intl.NumberFormat(locale, { style: 'unit', unit: 'hour', unitDisplay: 'long', maximumFractionDigits: 1 }).format(minutes / 60);
    },
  };
}

const TranslatorContext = createContext<Translator | null>(null);

export function TranslatorProvider({ children }: { children: ComponentChildren }) {
  const [locale, setLocaleState] = useState<Locale>(initialLocale);
  const setLocale = useCallback((next: Locale) => {
    localStorage.setItem(LOCALE_STORAGE_KEY, next);
    setLocaleState(next);
  }, []);
  const translator = useMemo(() => createTranslator(locale, setLocale), [locale, setLocale]);
  document.documentElement.lang = locale;
  return <TranslatorContext.Provider value={translator}>{children}</TranslatorContext.Provider>;
}

export function useTranslator(): Translator {
  const translator = useContext(TranslatorContext);
  if (translator === null) throw new Error('useTranslator needs a TranslatorProvider above it');
  return translator;
}
