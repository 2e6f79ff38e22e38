/**
 * Shapes the converter's Postman collection into one that works on the first Send and as a run:
 * folders in the order a newcomer needs them, ids and credentials in collection variables that
 * test scripts fill from responses, and a test of the expected status on every request.
 */
import { createHash } from 'node:crypto';

type Json = Record<string, unknown>;

interface SpecParameter {
  name: string;
  in: string;
  required?: boolean;
  description?: string;
  example?: unknown;
  schema?: Json;
}

interface SpecOperation {
  operationId: string;
  summary?: string;
  description?: string;
  tags?: string[];
  parameters?: SpecParameter[];
  requestBody?: unknown;
  responses: Record<string, unknown>;
  security?: unknown[];
}

export interface SpecDocument {
  paths: Record<string, Record<string, SpecOperation>>;
  tags?: { name: string; description?: string }[];
  components?: { schemas?: Record<string, Json> };
}

interface PostmanItem {
  name: string;
  request: Json & { url: Json & { path: string[] }; method: string; header?: { key: string; value: string }[] };
  response?: Json[];
}

interface FormField {
  key: string;
  value?: string;
  src?: string;
}

interface Step {
  operationId: string;
  /** The status a run gets; more than one only where the server's state decides (noted in `note`). */
  expect?: number | number[];
  path?: Record<string, string>;
  /** Query parameters sent; every other optional one is present but disabled. */
  query?: Record<string, string>;
  body?: unknown;
  form?: FormField[];
  /** Collection variables set from the response body (JavaScript expressions over `body`). */
  sets?: Record<string, string>;
  prerequest?: string[];
  tests?: string[];
  /** Said in the request's description: why the status is what it is. */
  note?: string;
}

interface Folder {
  name: string;
  description: string;
  steps: Step[];
}

/** Where the sample roster lies, relative to the working directory (newman's `--working-dir openapi`). */
export const SAMPLE_ROSTER = 'examples/students.csv';

const FINAL_JOB_STATES = "['completed', 'failed', 'cancelled']";

const POLL_IMPORT_JOB = [
  "const job = pm.response.json();",
  "const polls = Number(pm.collectionVariables.get('jobPolls') || 0);",
  `if (!${FINAL_JOB_STATES}.includes(job.status) && polls < 60) {`,
  "  // In a run, ask again in half a second; on a single Send, press Send again.",
  "  pm.collectionVariables.set('jobPolls', polls + 1);",
  '  pm.execution.setNextRequest(pm.info.requestId);',
  '  setTimeout(function () {}, 500);',
  '} else {',
  "  pm.collectionVariables.set('jobPolls', 0);",
  "  pm.test('the import job completed', function () { pm.expect(job.status).to.eql('completed'); });",
  '}',
];

/** Export and backup jobs run in the background; their file can be downloaded once the job has finished. */
const waitForJob = (variable: string): string[] => [
  'const deadline = Date.now() + 30000;',
  'function poll() {',
  '  pm.sendRequest({',
  `    url: pm.variables.replaceIn('{{baseUrl}}/api/v1/jobs/{{${variable}}}'),`,
  "    header: { Authorization: 'Bearer ' + pm.variables.get('bearerToken') },",
  '  }, function (error, response) {',
  `    if (error === null && !${FINAL_JOB_STATES}.includes(response.json().status) && Date.now() < deadline) setTimeout(poll, 500);`,
  '  });',
  '}',
  'poll();',
];

const ROSTER_FORM: FormField[] = [
  // The entity goes before the file: the service reads it when the file arrives.
  { key: 'entity', value: 'students' },
  { key: 'onInvalid', value: 'skip' },
  { key: 'file', src: SAMPLE_ROSTER },
];

const UNIQUE = '{{$timestamp}}{{$randomInt}}';

const FOLDERS: Folder[] = [
  {
    name: 'Getting started',
    description:
      'Run these in order: sign in, create a student, preview an import of the sample roster, commit it, follow the job, export the students and read the audit trail of what happened. Set `baseUrl`, `email` and `password` first.',
    steps: [
      { operationId: 'login', body: { email: '{{email}}', password: '{{password}}' }, sets: { bearerToken: 'body.accessToken' } },
      {
        operationId: 'createStudent',
        body: { studentId: `PM${UNIQUE}`, email: `student-${UNIQUE}@school.example`, firstName: 'Μαρία', lastName: 'Παπαδοπούλου', studyYear: 1, academicYear: '2026-2027', classDivision: 'A1' },
        sets: { studentId: 'body.id', studentNumber: 'body.studentId' },
      },
      { operationId: 'previewImport', form: ROSTER_FORM, sets: { previewId: 'body.id' } },
      { operationId: 'commitImportPreview', path: { id: '{{previewId}}' }, body: { confirmMassChange: false }, sets: { jobId: 'body.id' } },
      { operationId: 'getJob', path: { id: '{{jobId}}' }, tests: POLL_IMPORT_JOB, note: 'In a run it repeats until the job has finished.' },
      { operationId: 'exportStudents', query: { format: 'csv' } },
      { operationId: 'listAuditLogs', query: { limit: '20' }, sets: { auditLogId: 'body.items[0].id' } },
    ],
  },
  {
    name: 'auth',
    description: '',
    steps: [
      { operationId: 'getCurrentUser' },
      { operationId: 'changePassword', body: { currentPassword: '{{password}}', newPassword: '{{password}}' }, note: 'Sets the password it already has, so the run stays repeatable.' },
    ],
  },
  {
    name: 'users',
    description: '',
    steps: [
      { operationId: 'createUser', body: { email: `staff-${UNIQUE}@school.example`, password: 'a-staff-passphrase', role: 'staff' }, sets: { userId: 'body.id' } },
      { operationId: 'listUsers' },
      { operationId: 'getUser', path: { id: '{{userId}}' } },
      { operationId: 'updateUser', path: { id: '{{userId}}' }, body: { role: 'auditor' } },
    ],
  },
  {
    name: 'students',
    description: '',
    steps: [
      { operationId: 'listStudents' },
      { operationId: 'getStudent', path: { id: '{{studentId}}' } },
      { operationId: 'updateStudent', path: { id: '{{studentId}}' }, body: { classDivision: 'B2' } },
      { operationId: 'deleteStudent', path: { id: '{{studentId}}' } },
      { operationId: 'restoreStudent', path: { id: '{{studentId}}' } },
    ],
  },
  {
    name: 'courses',
    description: '',
    steps: [
      {
        operationId: 'createCourse',
        body: { courseCode: `PM${UNIQUE}`, courseName: 'Άλγεβρα Α΄ Λυκείου', semester: 'Α΄ Τετράμηνο 2026-2027', credits: 3 },
        sets: { courseId: 'body.id', courseCode: 'body.courseCode' },
      },
      { operationId: 'listCourses' },
      { operationId: 'getCourse', path: { id: '{{courseId}}' } },
      { operationId: 'updateCourse', path: { id: '{{courseId}}' }, body: { credits: 4 } },
      { operationId: 'deleteCourse', path: { id: '{{courseId}}' } },
      { operationId: 'restoreCourse', path: { id: '{{courseId}}' } },
    ],
  },
  {
    name: 'enrollments',
    description: '',
    steps: [
      { operationId: 'createEnrollment', body: { studentId: '{{studentNumber}}', courseCode: '{{courseCode}}', enrolledAt: '2026-09-11' }, sets: { enrollmentId: 'body.id' } },
      { operationId: 'listEnrollments' },
      { operationId: 'getEnrollment', path: { id: '{{enrollmentId}}' } },
      { operationId: 'updateEnrollment', path: { id: '{{enrollmentId}}' }, body: { status: 'completed' } },
      { operationId: 'deleteEnrollment', path: { id: '{{enrollmentId}}' } },
      { operationId: 'restoreEnrollment', path: { id: '{{enrollmentId}}' } },
    ],
  },
  {
    name: 'imports',
    description: '',
    steps: [
      { operationId: 'getImportPreview', path: { id: '{{previewId}}' } },
      { operationId: 'downloadRejectedRows', path: { id: '{{previewId}}' } },
      { operationId: 'listImportRecords', path: { jobId: '{{jobId}}' }, note: 'What the import of Getting started wrote, with the file row of each record.' },
      { operationId: 'listImportConflicts', path: { jobId: '{{jobId}}' } },
      { operationId: 'downloadImportConflicts', path: { jobId: '{{jobId}}' } },
      {
        operationId: 'undoImport',
        path: { jobId: '{{jobId}}' },
        query: { dryRun: 'true' },
        expect: 200,
        note: 'A dry run: the counts and conflicts of undoing the import of Getting started, nothing written. Without dryRun it answers 202 with a bulk_import_undo job.',
      },
      { operationId: 'uploadImport', form: ROSTER_FORM },
      {
        operationId: 'importStudentDirectory',
        expect: [202, 422],
        body: { onInvalid: 'skip' },
        note: '202 when the server’s IMPORT_DIR/students holds a file, 422 `import_directory_empty` when it holds none.',
      },
      {
        operationId: 'importCourseDirectory',
        expect: [202, 422],
        body: { onInvalid: 'skip' },
        note: '202 when the server’s IMPORT_DIR/courses holds a file, 422 `import_directory_empty` when it holds none.',
      },
    ],
  },
  {
    name: 'bulk',
    description: 'Change or delete every record a filter matches: preview, then commit as a job; undone with Undo an import.',
    steps: [
      {
        operationId: 'previewBulkUpdate',
        path: { entity: 'students' },
        body: { filter: { classDivision: 'B2' }, set: { note: 'Moved in bulk' } },
        sets: { bulkPreviewId: 'body.id' },
        note: 'Matches the student the students folder moved to class B2.',
      },
      { operationId: 'getBulkPreview', path: { id: '{{bulkPreviewId}}' } },
      { operationId: 'commitBulkPreview', path: { id: '{{bulkPreviewId}}' }, body: { onInvalid: 'refuse', confirmMassChange: true }, sets: { bulkJobId: 'body.id' } },
      {
        operationId: 'previewBulkDelete',
        path: { entity: 'enrollments' },
        body: { filter: { courseCode: '{{courseCode}}' } },
        prerequest: waitForJob('bulkJobId'),
        note: 'Only previewed: what deleting the enrollments of the course made above would do. Its pre-request script waits for the bulk update job.',
      },
    ],
  },
  {
    name: 'exports',
    description: '',
    steps: [
      { operationId: 'exportCourses', query: { format: 'csv' } },
      { operationId: 'exportEnrollments', query: { format: 'csv' } },
      { operationId: 'startExportJob', body: { entity: 'students', format: 'csv' }, sets: { exportJobId: 'body.id' } },
      { operationId: 'downloadExport', path: { jobId: '{{exportJobId}}' }, prerequest: waitForJob('exportJobId'), note: 'Its pre-request script waits until the export job has finished.' },
    ],
  },
  {
    name: 'jobs',
    description: '',
    steps: [
      { operationId: 'listJobs' },
      { operationId: 'createJob', body: { type: 'custom', parameters: { source: 'postman' } }, sets: { trackedJobId: 'body.id' } },
      { operationId: 'reportJobProgress', path: { id: '{{trackedJobId}}' }, body: { processed: 1, total: 2, message: 'Halfway there' } },
      { operationId: 'completeJob', path: { id: '{{trackedJobId}}' }, body: { result: { message: 'Done', counts: { synchronised: 2 } } } },
      { operationId: 'streamJobEvents', path: { id: '{{trackedJobId}}' }, note: 'The job has finished, so the stream sends its final state and ends.' },
      { operationId: 'failJob', path: { id: '{{trackedJobId}}' }, expect: 409, body: { error: 'The registrar API answered 503' }, note: 'The job has already completed: a finished job cannot fail (409).' },
      { operationId: 'cancelJob', path: { id: '{{trackedJobId}}' }, expect: 409, note: 'The job has already completed: a finished job cannot be cancelled (409).' },
    ],
  },
  {
    name: 'audit',
    description: '',
    steps: [
      { operationId: 'getAuditLog', path: { id: '{{auditLogId}}' } },
      { operationId: 'listAuditActions' },
      { operationId: 'listAuditResources' },
      { operationId: 'exportAuditLogs', query: { format: 'csv' } },
      { operationId: 'listCheckpoints' },
      { operationId: 'exportCheckpoints' },
      { operationId: 'verifyAuditChain', body: {} },
    ],
  },
  {
    name: 'backups',
    description: '',
    steps: [
      { operationId: 'createBackup', body: { includePasswordHashes: false }, sets: { backupId: 'body.id' } },
      { operationId: 'listBackups' },
      { operationId: 'getBackup', path: { id: '{{backupId}}' }, prerequest: waitForJob('backupId'), note: 'Its pre-request script waits until the backup job has finished.' },
      { operationId: 'downloadBackup', path: { id: '{{backupId}}' } },
      {
        operationId: 'restoreBackup',
        path: { id: '{{backupId}}' },
        body: { confirm: false },
        expect: 400,
        note: 'A run must not replace the data it made: without `confirm: true` the restore is refused (400). Send `confirm: true` to restore.',
      },
    ],
  },
  { name: 'health', description: '', steps: [{ operationId: 'getLiveness' }, { operationId: 'getReadiness' }] },
  { name: 'Sign out', description: 'Revokes the token; sign in again to go on.', steps: [{ operationId: 'logout' }] },
];

const VARIABLES: { key: string; value: string; description: string }[] = [
  { key: 'baseUrl', value: 'http://localhost:3000', description: 'Where the service listens.' },
  { key: 'email', value: 'admin@school.example', description: 'Who signs in (the README’s first admin).' },
  { key: 'password', value: 'change-me-please', description: 'Their password (the README’s example).' },
  { key: 'bearerToken', value: '', description: 'Set by Sign in.' },
  { key: 'studentId', value: '', description: 'Set by Create a student.' },
  { key: 'studentNumber', value: '', description: 'The studentId field of that student; set by Create a student.' },
  { key: 'previewId', value: '', description: 'Set by the import preview.' },
  { key: 'jobId', value: '', description: 'The import job; set by the commit.' },
  { key: 'jobPolls', value: '0', description: 'How often the import job has been polled in this run.' },
  { key: 'auditLogId', value: '', description: 'Set by Query the audit trail.' },
  { key: 'userId', value: '', description: 'Set by Create a user.' },
  { key: 'courseId', value: '', description: 'Set by Create a course.' },
  { key: 'courseCode', value: '', description: 'Set by Create a course.' },
  { key: 'enrollmentId', value: '', description: 'Set by Enroll a student in a course.' },
  { key: 'exportJobId', value: '', description: 'Set by Start a large export.' },
  { key: 'backupId', value: '', description: 'Set by Take a backup.' },
  { key: 'bulkPreviewId', value: '', description: 'Set by the bulk update preview.' },
  { key: 'bulkJobId', value: '', description: 'The bulk_update job; set by its commit.' },
  { key: 'trackedJobId', value: '', description: 'Set by Register a tracked job.' },
];

/** A UUID-shaped id derived from a name, so the committed collection changes only when the API does. */
function stableId(name: string): string {
  const hex = createHash('sha1').update(`sms-postman:${name}`).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-${((parseInt(hex[16], 16) & 0x3) | 0x8).toString(16)}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

function resolveRef(document: SpecDocument, schema: Json | undefined): Json | undefined {
  const ref = schema?.$ref;
  if (typeof ref !== 'string') return schema;
  return document.components?.schemas?.[ref.replace('#/components/schemas/', '')];
}

/** A real value for a parameter a user may switch on; empty rather than a placeholder when the spec offers none. */
function sampleValue(document: SpecDocument, parameter: SpecParameter): string {
  const schema = resolveRef(document, parameter.schema);
  const enumValues = schema?.enum as unknown[] | undefined;
  const candidate = parameter.example ?? schema?.example ?? schema?.default ?? enumValues?.[0] ?? (schema?.type === 'boolean' ? true : schema?.minimum);
  if (candidate === undefined) return '';
  return typeof candidate === 'string' ? candidate : JSON.stringify(candidate);
}

function statusTest(expect: number | number[]): string[] {
  const expected = Array.isArray(expect) ? expect : [expect];
  return [`pm.test('answers ${expected.join(' or ')}', function () {`, `  pm.expect(pm.response.code).to.be.oneOf(${JSON.stringify(expected)});`, '});'];
}

function setsScript(expect: number, sets: Record<string, string>): string[] {
  return [
    `if (pm.response.code === ${expect}) {`,
    '  const body = pm.response.json();',
    ...Object.entries(sets).map(([variable, expression]) => `  pm.collectionVariables.set('${variable}', ${expression});`),
    '}',
  ];
}

function script(listen: 'prerequest' | 'test', name: string, exec: string[]): Json {
  return { listen, script: { id: stableId(`${name}:${listen}`), type: 'text/javascript', exec } };
}

function shapeRequest(document: SpecDocument, operation: SpecOperation, converted: PostmanItem, step: Step): Json {
  const parameters = operation.parameters ?? [];
  const unknownPath = Object.keys(step.path ?? {}).filter((name) => !parameters.some((p) => p.in === 'path' && p.name === name));
  const unknownQuery = Object.keys(step.query ?? {}).filter((name) => !parameters.some((p) => p.in === 'query' && p.name === name));
  if (unknownPath.length + unknownQuery.length > 0) throw new Error(`${operation.operationId}: no parameter ${[...unknownPath, ...unknownQuery].join(', ')}`);

  const variable = parameters
    .filter((p) => p.in === 'path')
    .map((p) => {
      const value = step.path?.[p.name];
      if (value === undefined) throw new Error(`${operation.operationId}: path parameter ${p.name} has no value in the Postman plan`);
      return { key: p.name, value, ...(p.description === undefined ? {} : { description: p.description }) };
    });
  const query = parameters
    .filter((p) => p.in === 'query')
    .map((p) => {
      const value = step.query?.[p.name];
      if (value === undefined && p.required === true) throw new Error(`${operation.operationId}: required query parameter ${p.name} has no value in the Postman plan`);
      return { key: p.name, value: value ?? sampleValue(document, p), disabled: value === undefined, ...(p.description === undefined ? {} : { description: p.description }) };
    });
  const specHeaders = parameters
    .filter((p) => p.in === 'header')
    .map((p) => {
      // A fresh key on every Send: a repeated key would replay the first job instead of creating one.
      if (p.name === 'Idempotency-Key') return { key: p.name, value: '{{$guid}}', ...(p.description === undefined ? {} : { description: p.description }) };
      return { key: p.name, value: sampleValue(document, p), disabled: true, ...(p.description === undefined ? {} : { description: p.description }) };
    });
  // Postman writes a multipart Content-Type itself, with the boundary a hand-set one would lack.
  const kept = new Set(step.form === undefined ? ['Accept', 'Content-Type'] : ['Accept']);
  const header = [...(converted.request.header ?? []).filter((h) => kept.has(h.key)).map(({ key, value }) => ({ key, value })), ...specHeaders];

  let body: Json | undefined;
  if (step.form !== undefined) {
    body = { mode: 'formdata', formdata: step.form.map((field) => (field.src === undefined ? { key: field.key, value: field.value, type: 'text' } : { key: field.key, src: field.src, type: 'file' })) };
  } else if (step.body !== undefined) {
    body = { mode: 'raw', raw: JSON.stringify(step.body, null, 2), options: { raw: { language: 'json' } } };
  } else if (operation.requestBody !== undefined) {
    throw new Error(`${operation.operationId} takes a body and has none in the Postman plan`);
  }

  const description = [operation.description, step.note].filter((text) => text !== undefined).join('\n\n');
  const isPublic = Array.isArray(operation.security) && operation.security.length === 0;
  return {
    ...(description === '' ? {} : { description: { content: description, type: 'text/markdown' } }),
    url: { host: ['{{baseUrl}}'], path: converted.request.url.path, query, variable },
    method: converted.request.method,
    header,
    ...(body === undefined ? {} : { body }),
    // Every other request inherits the collection's bearer auth.
    ...(isPublic ? { auth: { type: 'noauth' } } : {}),
  };
}

function toItem(document: SpecDocument, operation: SpecOperation, converted: PostmanItem, step: Step): Json {
  const request = shapeRequest(document, operation, converted, step);
  const successStatus = Object.keys(operation.responses).map(Number).find((status) => status >= 200 && status < 300);
  const expect = step.expect ?? successStatus;
  if (expect === undefined) throw new Error(`${operation.operationId} documents no success status`);
  const tests = [...statusTest(expect), ...(step.sets === undefined ? [] : setsScript(Array.isArray(expect) ? expect[0] : expect, step.sets)), ...(step.tests ?? [])];
  return {
    id: stableId(operation.operationId),
    name: converted.name,
    request,
    response: (converted.response ?? []).map((response) => ({ ...response, id: stableId(`${operation.operationId}:${String(response.code)}:${String(response.name)}`), originalRequest: request })),
    event: [...(step.prerequest === undefined ? [] : [script('prerequest', operation.operationId, step.prerequest)]), script('test', operation.operationId, tests)],
  };
}

function convertedItems(collection: Json): PostmanItem[] {
  return (collection.item as Json[]).flatMap((entry) => (Array.isArray(entry.item) ? convertedItems(entry) : [entry as unknown as PostmanItem]));
}

/** `METHOD /a/b/{id}` for a spec operation and for a converted item (whose path holds `:id`). */
function routeKey(method: string, path: string[]): string {
  return `${method.toUpperCase()} /${path.map((segment) => (segment.startsWith(':') ? `{${segment.slice(1)}}` : segment)).join('/')}`;
}

export function shapeCollection(converted: Json, document: SpecDocument): Json {
  const byRoute = new Map(convertedItems(converted).map((item) => [routeKey(item.request.method, item.request.url.path), item]));
  const operations = new Map<string, { operation: SpecOperation; item: PostmanItem }>();
  for (const [path, pathItem] of Object.entries(document.paths)) {
    for (const [method, operation] of Object.entries(pathItem)) {
      const item = byRoute.get(routeKey(method, path.slice(1).split('/').map((segment) => segment.replace(/^\{(.*)\}$/, ':$1'))));
      if (item === undefined) throw new Error(`the converter made no request for ${method.toUpperCase()} ${path}`);
      operations.set(operation.operationId, { operation, item });
    }
  }
  const planned = FOLDERS.flatMap((folder) => folder.steps.map((step) => step.operationId));
  const unplanned = [...operations.keys()].filter((id) => !planned.includes(id));
  if (unplanned.length > 0) throw new Error(`Give these operations a place in FOLDERS in scripts/postman-collection.ts: ${unplanned.join(', ')}`);

  const tagDescriptions = new Map((document.tags ?? []).map((tag) => [tag.name, tag.description ?? '']));
  const item = FOLDERS.map((folder) => ({
    id: stableId(`folder:${folder.name}`),
    name: folder.name,
    description: folder.description === '' ? (tagDescriptions.get(folder.name) ?? '') : folder.description,
    item: folder.steps.map((step) => {
      const found = operations.get(step.operationId);
      if (found === undefined) throw new Error(`The Postman plan names ${step.operationId}, which the spec does not have`);
      return toItem(document, found.operation, found.item, step);
    }),
  }));

  return {
    info: { ...(converted.info as Json), _postman_id: stableId('collection') },
    item,
    auth: { type: 'bearer', bearer: [{ key: 'token', value: '{{bearerToken}}', type: 'string' }] },
    variable: VARIABLES.map((variable) => ({ ...variable, type: 'string' })),
  };
}
