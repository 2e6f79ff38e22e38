/** What can be exported; the value is the path segment (`/exports/students`). */
export enum ExportEntity {
  Students = 'students',
  Courses = 'courses',
  Enrollments = 'enrollments',
}

export enum ExportFormat {
  Csv = 'csv',
  Xlsx = 'xlsx',
  Json = 'json',
  Ndjson = 'ndjson',
}

/** The language of CSV and XLSX column and value labels; JSON and NDJSON always keep the API's names and values. */
export enum ExportLanguage {
  English = 'en',
  Greek = 'el',
}
