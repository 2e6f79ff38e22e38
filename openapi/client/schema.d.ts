// Generated from openapi/openapi.json by `npm run openapi`. Do not edit.

export type paths = {
    "/api/v1/audit": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Query the audit trail, newest first
         * @description Admins and auditors. The filters combine (all must match); `limit` and `offset` page through the rows.
         */
        get: operations["listAuditLogs"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/audit/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * One audit row
         * @description The row with its details, as the list shows it.
         */
        get: operations["getAuditLog"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/audit/actions": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Every audit action
         * @description The values the `action` filter takes.
         */
        get: operations["listAuditActions"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/audit/checkpoints": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * The signed checkpoints of the hash chain, newest first
         * @description Each checkpoint signs the chain hash up to its row; keep them to verify the trail offline.
         */
        get: operations["listCheckpoints"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/audit/checkpoints/export": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Download every checkpoint as NDJSON, oldest first, to keep outside the database
         * @description The file the offline verify command reads next to an audit export.
         */
        get: operations["exportCheckpoints"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/audit/export": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Download the matching rows as CSV or NDJSON (streamed, newest first)
         * @description The filters of the audit query, without paging: every matching row.
         */
        get: operations["exportAuditLogs"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/audit/resources": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Every audit resource
         * @description The values the `resource` filter takes.
         */
        get: operations["listAuditResources"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/audit/verify": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Verify the hash chain and its signed checkpoints as an audit_verify job
         * @description The job's `result.data` holds rowsChecked, checkpointsChecked and the first failure (kind and row id), if any.
         */
        post: operations["verifyAuditChain"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/auth/login": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Sign in with email and password and receive a bearer token
         * @description Needs no token. Attempts are limited per client IP and per email address.
         */
        post: operations["login"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/auth/logout": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Revoke the token of this request; it stops working at once
         * @description The user's other sessions stay signed in.
         */
        post: operations["logout"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/auth/me": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * The signed-in user
         * @description The user the token belongs to, with their role.
         */
        get: operations["getCurrentUser"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/auth/password": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Change one's own password; every other session is signed out
         * @description Needs the current password; the token of this request keeps working.
         */
        post: operations["changePassword"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/backups": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * List the backups, newest first
         * @description Completed backups only; a running one is a job (GET /jobs/{id}).
         */
        get: operations["listBackups"];
        put?: never;
        /**
         * Take a backup of students, courses, enrollments and users as a backup job
         * @description The job copies the four tables from one consistent snapshot into a compressed archive under BACKUP_DIR, with a manifest (row counts, sha256 of each part and of the archive, schema version). The backup id is the job id; it is listed once the job completes.
         */
        post: operations["createBackup"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/backups/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * A backup and its manifest
         * @description Row counts, sha256 of each part and of the archive, schema version.
         */
        get: operations["getBackup"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/backups/{id}/download": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Download a backup's archive (.tar.gz)
         * @description Streamed; `sha256sum` of the file gives the backup's `sha256`.
         */
        get: operations["downloadBackup"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/backups/{id}/restore": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Restore a backup as a backup_restore job
         * @description Replaces the students, courses, enrollments and users with the backup's, in one transaction, after checking the archive's sha256 (`422 backup_corrupt`) and the schema version (`409 backup_schema_mismatch`). The audit trail is never restored or changed.
         */
        post: operations["restoreBackup"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/bulk/{entity}/delete/preview": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Preview the soft deletion of every record a filter matches, without writing
         * @description Answers how many records match, the first 20, and for students and courses what happens to their enrollments (kept, but hidden while their student or course is deleted, as through the API).
         */
        post: operations["previewBulkDelete"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/bulk/{entity}/update/preview": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Preview a change of every record a filter matches, without writing
         * @description Answers how many records match, how many would change, the first 20 before and after, every record the change would make invalid (e.g. studyYear past 6) with the reason, and whether the commit needs confirmMassChange. The preview is kept for its creator until expiresAt and committed with `POST /bulk/previews/{id}/commit`.
         */
        post: operations["previewBulkUpdate"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/bulk/previews/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Read a bulk preview again
         * @description Its creator and admins only; anyone else, and an expired preview, get 404 `preview_not_found`.
         */
        get: operations["getBulkPreview"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/bulk/previews/{id}/commit": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Commit a bulk preview as a bulk_update or bulk_delete job
         * @description Its creator only. The job writes everything in one transaction or nothing: it finds the matching records again and fails with `preview_outdated` if any was added, removed or changed since the preview; it keeps their prior values, stamps them with its provenance (`lastImport`: the job id, fileName `bulk_update` or `bulk_delete`, row 0) and can be undone with `POST /imports/jobs/{jobId}/undo`. 409 `preview_outdated` when that is already so at the request, `mass_change_unconfirmed` without confirmMassChange when the preview needs it, `preview_already_committed`; 422 `preview_not_committable` when the preview lists invalid records and onInvalid is refuse. The request and the end of the job are audited as bulk_update or bulk_delete, with the counts.
         */
        post: operations["commitBulkPreview"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/courses": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * List courses
         * @description Deleted courses are hidden unless an admin asks with includeDeleted=true.
         */
        get: operations["listCourses"];
        put?: never;
        /**
         * Create a course
         * @description courseCode must be unique among courses, deleted ones included (409).
         */
        post: operations["createCourse"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/courses/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Get a course
         * @description Admins also see deleted courses.
         */
        get: operations["getCourse"];
        put?: never;
        post?: never;
        /**
         * Soft-delete a course
         * @description Its enrollments stay but are hidden from lists until the course is restored.
         */
        delete: operations["deleteCourse"];
        options?: never;
        head?: never;
        /**
         * Update a course
         * @description Only the fields sent change; null clears an optional field.
         */
        patch: operations["updateCourse"];
        trace?: never;
    };
    "/api/v1/courses/{id}/restore": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Restore a soft-deleted course
         * @description Its enrollments show in lists again. A course that is not deleted answers 409 `not_deleted`.
         */
        post: operations["restoreCourse"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/enrollments": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * List enrollments
         * @description Deleted enrollments, and those of deleted students or courses, are hidden unless an admin asks with includeDeleted=true.
         */
        get: operations["listEnrollments"];
        put?: never;
        /**
         * Enroll a student in a course
         * @description The student and course are named by their natural keys; a deleted one counts as unknown (422).
         */
        post: operations["createEnrollment"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/enrollments/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Get an enrollment
         * @description Admins also see deleted enrollments.
         */
        get: operations["getEnrollment"];
        put?: never;
        post?: never;
        /**
         * Soft-delete an enrollment
         * @description The enrollment is hidden from lists and exports until restored.
         */
        delete: operations["deleteEnrollment"];
        options?: never;
        head?: never;
        /**
         * Update an enrollment
         * @description Only the date and status change; the student and course are fixed.
         */
        patch: operations["updateEnrollment"];
        trace?: never;
    };
    "/api/v1/enrollments/{id}/restore": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Restore a soft-deleted enrollment
         * @description An enrollment that is not deleted answers 409 `not_deleted`.
         */
        post: operations["restoreEnrollment"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/exports": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Start a large export as an export_large job
         * @description The job writes the file and records its row count, size and sha256; download it from `/exports/{jobId}/download` while the job lives.
         */
        post: operations["startExportJob"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/exports/{jobId}/download": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Download a finished export job's file
         * @description Only the job's owner (or an admin) may; anyone else gets 404.
         */
        get: operations["downloadExport"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/exports/courses": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Download the courses as CSV, XLSX, JSON or NDJSON
         * @description Streamed from one consistent snapshot. CSV and XLSX carry labels in the chosen language and neutralise text cells that a spreadsheet would run as a formula; JSON and NDJSON keep the API's field names and values. Without `lang`, the labels follow `Accept-Language` (`el` or `en`, else English).
         */
        get: operations["exportCourses"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/exports/enrollments": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Download the enrollments as CSV, XLSX, JSON or NDJSON
         * @description Streamed from one consistent snapshot. CSV and XLSX carry labels in the chosen language and neutralise text cells that a spreadsheet would run as a formula; JSON and NDJSON keep the API's field names and values. Without `lang`, the labels follow `Accept-Language` (`el` or `en`, else English).
         */
        get: operations["exportEnrollments"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/exports/students": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Download the students as CSV, XLSX, JSON or NDJSON
         * @description Streamed from one consistent snapshot. CSV and XLSX carry labels in the chosen language and neutralise text cells that a spreadsheet would run as a formula; JSON and NDJSON keep the API's field names and values. Without `lang`, the labels follow `Accept-Language` (`el` or `en`, else English).
         */
        get: operations["exportStudents"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/health": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Liveness: answers while the process runs
         * @description Needs no token and checks nothing outside the process.
         */
        get: operations["getLiveness"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/health/ready": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Readiness: PostgreSQL and Redis both answer
         * @description Needs no token; 503 while either does not answer. `checks.durability` warns when Redis can lose jobs.
         */
        get: operations["getReadiness"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/imports/courses": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Import every file in IMPORT_DIR/courses as one bulk_import job
         * @description The server-side files are copied first; 422 `import_directory_empty` when there is none.
         */
        post: operations["importCourseDirectory"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/imports/jobs/{jobId}/conflicts": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * The records changed after an import, which its undo refuses for or leaves alone
         * @description Paginated, by record id.
         */
        get: operations["listImportConflicts"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/imports/jobs/{jobId}/conflicts/download": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Download every record changed after an import, as CSV
         * @description UTF-8 with a byte-order mark: recordId, key, outcome, fileName, row, updatedAt.
         */
        get: operations["downloadImportConflicts"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/imports/jobs/{jobId}/records": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * The records an import created, updated or restored, with the file row each came from
         * @description Its creator and admins only. `changed` marks records written again after the import. Updated and restored records are listed while the import can be undone (IMPORT_UNDO_DAYS).
         */
        get: operations["listImportRecords"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/imports/jobs/{jobId}/undo": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Undo a committed import as a bulk_import_undo job, or preview the undo with dryRun=true
         * @description In one transaction the job soft-deletes the records the import created, puts back the prior values of those it updated and deletes again those it restored. Records changed after the import refuse the undo (409 `undo_conflict`, listing them) unless onConflict=skip, which leaves them alone. 409 `already_undone`, `undo_expired` (after IMPORT_UNDO_DAYS). dryRun=true answers 200 with the counts and the first conflicts and writes nothing. The jobId may also be a `bulk_update` or `bulk_delete` job: its records get their prior values back (deleted ones are restored) under the same rules.
         */
        post: operations["undoImport"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/imports/preview": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Check a file without writing: what would be created, updated, left unchanged, skipped or rejected, and why
         * @description Stores the upload and its sha256, reads and validates every row, compares it with the database, and answers the plan with the first 100 issues. Send the form fields before the file.
         */
        post: operations["previewImport"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/imports/previews/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * A preview again, with one page of its issues (filter by severity or code)
         * @description Previews can be read until they expire (IMPORT_PREVIEW_TTL_HOURS), committed or not.
         */
        get: operations["getImportPreview"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/imports/previews/{id}/commit": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Write exactly the previewed file as a bulk_import job
         * @description A preview commits once. The job re-checks the plan and fails without writing anything if the data moved since the preview. 409 `mass_change_unconfirmed` when the preview says `massChange.confirmationNeeded` and the body lacks `confirmMassChange: true`.
         */
        post: operations["commitImportPreview"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/imports/previews/{id}/rejected": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Download the rows the import leaves out, as CSV with a reason column
         * @description Invalid rows and skipped rows (duplicates, unknown references, records the mode does not touch), with their cells as in the file.
         */
        get: operations["downloadRejectedRows"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/imports/students": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Import every file in IMPORT_DIR/students as one bulk_import job
         * @description The server-side files are copied first; 422 `import_directory_empty` when there is none.
         */
        post: operations["importStudentDirectory"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/imports/upload": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Preview and commit in one call, as a bulk_import job
         * @description The job records its findings as a preview (see the job result data.previewIds) and writes only if the file may be committed.
         */
        post: operations["uploadImport"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/jobs": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * List jobs, newest first
         * @description Users see their own jobs; admins see all and may filter by userId.
         */
        get: operations["listJobs"];
        put?: never;
        /**
         * Register a tracked job that a script runs and reports through the PATCH endpoints
         * @description A repeated Idempotency-Key with the same body returns the job it created (with `Idempotency-Replayed: true`).
         */
        post: operations["createJob"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/jobs/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * A job's state, progress and result
         * @description Users see their own jobs, admins every job; another user's job answers 404.
         */
        get: operations["getJob"];
        put?: never;
        post?: never;
        /**
         * Cancel a job
         * @description A pending job is taken off the queue and answered 200 `cancelled`. A running server job answers 202: it stops at its next batch boundary, rolls back what it has not committed, and ends `cancelled`.
         */
        delete: operations["cancelJob"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/jobs/{id}/complete": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        /**
         * Finish a tracked job with its result
         * @description Only for jobs registered with `POST /jobs`; a finished job answers 409.
         */
        patch: operations["completeJob"];
        trace?: never;
    };
    "/api/v1/jobs/{id}/events": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Server-sent events: the job after every change, ending after the final one
         * @description Each event has an `id`; reconnect with `Last-Event-ID` to receive only what came after it.
         */
        get: operations["streamJobEvents"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/jobs/{id}/fail": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        /**
         * End a tracked job as failed
         * @description Only for jobs registered with `POST /jobs`; a finished job answers 409.
         */
        patch: operations["failJob"];
        trace?: never;
    };
    "/api/v1/jobs/{id}/progress": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        /**
         * Report progress of a tracked job (moves a pending job to processing)
         * @description Only for jobs registered with `POST /jobs`; a finished job answers 409.
         */
        patch: operations["reportJobProgress"];
        trace?: never;
    };
    "/api/v1/students": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * List students
         * @description Deleted students are hidden unless an admin asks with includeDeleted=true.
         */
        get: operations["listStudents"];
        put?: never;
        /**
         * Create a student
         * @description studentId and email must be unique among students, deleted ones included (409 names the holder).
         */
        post: operations["createStudent"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/students/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Get a student
         * @description Admins also see deleted students.
         */
        get: operations["getStudent"];
        put?: never;
        post?: never;
        /**
         * Soft-delete a student
         * @description The student is hidden from lists and exports until restored.
         */
        delete: operations["deleteStudent"];
        options?: never;
        head?: never;
        /**
         * Update a student
         * @description Only the fields sent change; null clears an optional field.
         */
        patch: operations["updateStudent"];
        trace?: never;
    };
    "/api/v1/students/{id}/restore": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Restore a soft-deleted student
         * @description A student that is not deleted answers 409 `not_deleted`.
         */
        post: operations["restoreStudent"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/users": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * List users
         * @description Admins only.
         */
        get: operations["listUsers"];
        put?: never;
        /**
         * Create a user
         * @description Admins only. The email must be unique (409).
         */
        post: operations["createUser"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/users/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Get a user
         * @description Admins only.
         */
        get: operations["getUser"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        /**
         * Change a user's role, status or password
         * @description A role change is also recorded as `role_change`.
         */
        patch: operations["updateUser"];
        trace?: never;
    };
};
export type webhooks = Record<string, never>;
export type components = {
    schemas: {
        ActorDto: {
            /** @example admin@school.example */
            email: string;
            /**
             * Format: uuid
             * @example 0b9d3f7e-8c1a-4d2e-9f60-2a7b5c4d3e21
             */
            id: string;
        };
        /** @enum {string} */
        AuditAction: "login" | "logout" | "password_change" | "create" | "update" | "delete" | "restore" | "bulk_import" | "bulk_import_undo" | "bulk_update" | "bulk_delete" | "bulk_export" | "role_change" | "permission_grant" | "permission_revoke" | "backup_create" | "backup_restore" | "config_change" | "retention_purge" | "cancel" | "verify";
        /** @description `backup_create` and `backup_restore`. The request row has `includePasswordHashes` (create) and `jobId`; the row of the finished job adds the backup id, file, size, sha256, schema version and rows per table; a failed job has `error`. */
        AuditBackupDetails: {
            /** Format: uuid */
            backupId?: string;
            /**
             * @example {
             *       "users": 3,
             *       "courses": 40,
             *       "students": 1000,
             *       "enrollments": 5000
             *     }
             */
            counts: {
                courses?: number;
                enrollments?: number;
                students?: number;
                users?: number;
            };
            /** @description Why the job failed. */
            error?: string;
            /**
             * @description The name the download is given.
             * @example sms-backup-20261130T101500Z.tar.gz
             */
            fileName?: string;
            includePasswordHashes?: boolean;
            /** Format: uuid */
            jobId?: string;
            /**
             * @description The last migration applied to the database at the time: a backup restores only into a database at the same one.
             * @example Migration20261127133653_import_plan_digest
             */
            schemaVersion?: string;
            /**
             * @description sha256 of the archive, hex: what `sha256sum` of the download prints.
             * @example 0a9b8c7d6e5f4a3b2c1d0e9f8a7b6c5d4e3f2a1b9f2c6a1d0b5e4f7a8c3d2e1f
             */
            sha256?: string;
            /**
             * @description Size of the archive (`.tar.gz`).
             * @example 40000000
             */
            sizeBytes?: number;
        };
        /** @description The first place where the audit chain does not hold. */
        AuditChainFailure: {
            /** @description The checkpoint that failed or that showed the failure, when one did (the witness has none). */
            checkpointId: number | null;
            /** @example Row 1042 (seq 1042) does not hash to its stored hash */
            detail: string;
            kind: components["schemas"]["ChainFailureKind"];
            /** @description The row at fault: the changed row; for a gap the first row after it; for a truncation the last row a checkpoint vouches for. */
            rowId: number;
            seq: number;
        };
        AuditCheckpointDto: {
            /**
             * Format: date-time
             * @example 2026-11-28T09:00:00.000Z
             */
            createdAt: string;
            /**
             * @description Retention checkpoints: the first seq the purge removed.
             * @example null
             */
            fromSeq: number | null;
            /** @example 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08 */
            hash: string;
            /** @example 12 */
            id: number;
            /** @example periodic */
            kind: components["schemas"]["AuditCheckpointKind"];
            /**
             * @description The Ed25519 public key (hex) that made the signature.
             * @example 3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c
             */
            publicKey: string;
            /** @example 12034 */
            rowId: number;
            /** @example 12000 */
            seq: number;
            /** @description Ed25519 signature (hex) of the canonical encoding of kind, fromSeq, seq, rowId, hash and createdAt. */
            signature: string;
        };
        /** @enum {string} */
        AuditCheckpointKind: "periodic" | "retention";
        AuditCheckpointPage: {
            items: components["schemas"]["AuditCheckpointDto"][];
            /** @example 50 */
            limit: number;
            /** @example 0 */
            offset: number;
            /**
             * @description How many items match the filters, across all pages.
             * @example 1
             */
            total: number;
        };
        /** @description `bulk_export` of students, courses or enrollments, as a download or the file of an export job: what was written. */
        AuditExportDetails: {
            entity: components["schemas"]["ExportEntity"];
            /**
             * @description The columns written, in order.
             * @example [
             *       "studentId",
             *       "email",
             *       "lastName"
             *     ]
             */
            fields: string[];
            /** @description The filters that apply to `entity` (the spec names them per entity). */
            filters: {
                [key: string]: unknown;
            };
            format: components["schemas"]["ExportFormat"];
            language: components["schemas"]["ExportLanguage"];
        };
        /** @enum {string} */
        AuditExportFormat: "csv" | "ndjson";
        /** @description What most writes record (`create`, `update`, `delete`, `restore`… of records): the names of the body fields sent, never their values. */
        AuditFieldsDetails: {
            /**
             * @example [
             *       "email",
             *       "studyYear"
             *     ]
             */
            fields: string[];
        };
        /** @description `bulk_import` that starts a job (a commit, an upload or a directory import): the job and its files. */
        AuditImportJobDetails: {
            entity: components["schemas"]["ImportEntity"];
            files: components["schemas"]["ImportJobFileDto"][];
            /** Format: uuid */
            jobId: string;
            mode: components["schemas"]["ImportMode"];
            onInvalid: components["schemas"]["InvalidRowPolicy"];
            previewIds: string[];
        };
        /** @description `bulk_import` of a preview (an upload checked, nothing written): the file and what the check found. */
        AuditImportPreviewDetails: {
            /** @description The preview's summary. */
            counts: components["schemas"]["ImportSummaryDto"] | null;
            entity: components["schemas"]["ImportEntity"];
            /** @example μαθητές-2026.csv */
            fileName: string;
            mode: components["schemas"]["ImportMode"];
            onInvalid: components["schemas"]["InvalidRowPolicy"];
            /** @example 3a7bd3e2360a3d29eea436fcfb7e44c735d117c42d1c1835420b6b9942dd4f1b */
            sha256: string;
        };
        /** @description `bulk_import_undo`: a dry run or the undo job it started. */
        AuditImportUndoDetails: {
            /** @description Created, updated, restored and conflicting records (ImportUndoCountsDto). */
            counts?: {
                [key: string]: number;
            };
            dryRun: boolean;
            onConflict: components["schemas"]["UndoConflictPolicy"];
            /**
             * Format: uuid
             * @description The undo job, when one was started.
             */
            undoJobId?: string;
        };
        /** @description `create` of a `job` (a tracked job registered through `POST /jobs`). */
        AuditJobCreateDetails: {
            type: components["schemas"]["JobType"];
        };
        AuditLogDto: {
            /** @example update */
            action: components["schemas"]["AuditAction"];
            /**
             * @description Facts of the action, never values a request carried; each named schema says which actions write it. Other rows (an audit export, a refused export) hold the query asked for; a failed background action has `error`. Null when there is nothing to add (sign-in, sign-out, password change).
             * @example {
             *       "fields": [
             *         "email",
             *         "studyYear"
             *       ]
             *     }
             */
            details: (components["schemas"]["AuditFieldsDetails"] | components["schemas"]["AuditUserCreateDetails"] | components["schemas"]["AuditRoleChangeDetails"] | components["schemas"]["AuditJobCreateDetails"] | components["schemas"]["AuditExportDetails"] | components["schemas"]["AuditImportPreviewDetails"] | components["schemas"]["AuditImportJobDetails"] | components["schemas"]["AuditImportUndoDetails"] | components["schemas"]["AuditBackupDetails"] | components["schemas"]["AuditVerifyDetails"] | components["schemas"]["AuditRetentionDetails"] | {
                [key: string]: unknown;
            }) | null;
            /** @example secretary@school.example */
            email: string | null;
            /**
             * @description The problem `code` of a failure.
             * @example null
             */
            errorCode: string | null;
            /**
             * @description SHA-256 (hex) of the row's canonical encoding, prevHash included (docs/audit.md, section 10).
             * @example 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08
             */
            hash: string;
            /** @example 1024 */
            id: number;
            /**
             * @description The client address (from X-Forwarded-For only when the peer is a trusted proxy).
             * @example 203.0.113.7
             */
            ipAddress: string | null;
            /**
             * @description The address of the connection's peer (the proxy, when there is one).
             * @example 10.0.0.2
             */
            peerAddress: string | null;
            /**
             * @description The hash of the row at seq - 1 (64 zeros for the first row).
             * @example 5e884898da28047151d0e56f8dc6292773603d0d6aabbdd62a11ef721d1542d8
             */
            prevHash: string;
            /** @example 8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e */
            requestId: string | null;
            /** @example student */
            resource: components["schemas"]["AuditResource"];
            /** @example 42 */
            resourceId: string | null;
            /**
             * @description The row's place in the hash chain: 1, 2, 3… in commit order, without gaps.
             * @example 1000
             */
            seq: number;
            /** @example 200 */
            statusCode: number | null;
            /** @example true */
            success: boolean;
            /**
             * Format: date-time
             * @example 2026-11-27T08:45:12.345Z
             */
            timestamp: string;
            /** @example Mozilla/5.0 (X11; Linux x86_64) */
            userAgent: string | null;
            /**
             * Format: uuid
             * @example 0b9d3f7e-8c1a-4d2e-9f60-2a7b5c4d3e21
             */
            userId: string | null;
        };
        AuditLogPage: {
            items: components["schemas"]["AuditLogDto"][];
            /** @example 50 */
            limit: number;
            /** @example 0 */
            offset: number;
            /**
             * @description How many items match the filters, across all pages.
             * @example 1
             */
            total: number;
        };
        /** @enum {string} */
        AuditResource: "user" | "student" | "course" | "grade" | "attendance" | "enrollment" | "performance" | "highlight" | "report" | "session" | "system" | "audit_log" | "job" | "import";
        /** @description `retention_purge`: the retention in force and, when it succeeded, the rows removed. */
        AuditRetentionDetails: {
            /** @example 1200 */
            deletedRows?: number;
            /** @example 365 */
            retentionDays: number;
        };
        /** @description `role_change`: the user's role before and after. */
        AuditRoleChangeDetails: {
            /** @example secretary@school.example */
            email: string;
            newRole: components["schemas"]["Role"];
            previousRole: components["schemas"]["Role"];
        };
        /** @description `create` of a `user`: the account made. */
        AuditUserCreateDetails: {
            /** @example secretary@school.example */
            email: string;
            role: components["schemas"]["Role"];
        };
        /** @description `verify`: the part of the chain asked for, and the seq of the checkpoint supplied as witness. */
        AuditVerifyDetails: {
            checkpointSeq?: number;
            fromSeq?: number;
            toSeq?: number;
        };
        /** @description A job of type `audit_verify`. */
        AuditVerifyJob: {
            /**
             * @description Runs so far (retries and runs after a worker died count).
             * @example 1
             */
            attempts: number;
            /**
             * @description Set when someone cancelled a running job; it ends `cancelled` at its next batch boundary.
             * @example null
             */
            cancelRequestedAt: string | null;
            /** @example 2026-11-27T09:00:00.000Z */
            createdAt: string;
            /**
             * Format: uuid
             * @example 0b9d3f7e-8c1a-4d2e-9f60-2a7b5c4d3e21
             */
            createdBy: string | null;
            /** @example null */
            error: string | null;
            /**
             * @description When the finished job's record disappears.
             * @example null
             */
            expiresAt: string | null;
            /** @example null */
            finishedAt: string | null;
            /**
             * Format: uuid
             * @example 3b8f2e4a-7c1d-4e9a-b5f6-0d2c8a1e9f47
             */
            id: string;
            parameters: components["schemas"]["AuditVerifyRequestDto"];
            /**
             * @description 1 (lowest) to 10 (highest).
             * @example 5
             */
            priority: number;
            progress: components["schemas"]["JobProgressDto"];
            /** @description Set when the job has finished. */
            result: {
                /**
                 * @example {
                 *       "created": 9000,
                 *       "updated": 1000
                 *     }
                 */
                counts: {
                    [key: string]: number;
                };
                data: components["schemas"]["AuditVerifyJobResult"] | null;
                /** @example [] */
                errors: string[];
                /** @example Imported 10 000 students */
                message: string | null;
                /** @example true */
                success: boolean;
                /**
                 * @example [
                 *       "Row 17: unknown column \"nickname\" ignored"
                 *     ]
                 */
                warnings: string[];
            } | null;
            /**
             * @description `server`: run by the service's workers; `external`: driven by a script through the PATCH endpoints.
             * @example external
             */
            runner: components["schemas"]["JobRunner"];
            /** @example 2026-11-27T09:00:01.000Z */
            startedAt: string | null;
            /** @example processing */
            status: components["schemas"]["JobStatus"];
            /** @enum {string} */
            type: "audit_verify";
        };
        /** @description The `result.data` of an `audit_verify` job: whether the chain holds, and where not. */
        AuditVerifyJobResult: {
            checkpointsChecked: number;
            failure: components["schemas"]["AuditChainFailure"] | null;
            firstSeq: number | null;
            lastSeq: number | null;
            rowsChecked: number;
            valid: boolean;
            /** @description Where the witness of the chain's length came from: the checkpoint sent with the request, the newest one kept in Redis, or none. */
            witness: components["schemas"]["ChainWitness"];
        };
        AuditVerifyRequestDto: {
            /** @description A checkpoint you exported earlier: the chain must still reach it. Without one, the newest checkpoint kept in Redis is the witness. */
            checkpoint?: components["schemas"]["SuppliedCheckpointDto"];
            /** @description First seq to check; the whole trail by default. */
            fromSeq?: number;
            /** @description Last seq to check; the end of the chain by default. */
            toSeq?: number;
        };
        BackupDto: {
            /**
             * @description Rows per table.
             * @example {
             *       "users": 3,
             *       "courses": 40,
             *       "students": 1000,
             *       "enrollments": 5000
             *     }
             */
            counts: {
                [key: string]: number;
            };
            /**
             * Format: date-time
             * @description When the snapshot was taken, ISO 8601 UTC.
             */
            createdAt: string;
            createdBy: components["schemas"]["ActorDto"];
            /**
             * @description The name the download is given.
             * @example sms-backup-20261130T101500Z.tar.gz
             */
            fileName: string;
            /**
             * Format: uuid
             * @description The backup's id, which is also the id of the `backup` job that took it.
             */
            id: string;
            includesPasswordHashes: boolean;
            parts: components["schemas"]["BackupPartDto"][];
            /** @description Whether the current database is at the backup's schema version, so that it can be restored now. */
            restorable: boolean;
            /**
             * @description The last migration applied to the database at the time: a backup restores only into a database at the same one.
             * @example Migration20261127133653_import_plan_digest
             */
            schemaVersion: string;
            /**
             * @description sha256 of the archive, hex: what `sha256sum` of the download prints.
             * @example 0a9b8c7d6e5f4a3b2c1d0e9f8a7b6c5d4e3f2a1b9f2c6a1d0b5e4f7a8c3d2e1f
             */
            sha256: string;
            /**
             * @description Size of the archive (`.tar.gz`).
             * @example 40000000
             */
            sizeBytes: number;
        };
        /** @description A job of type `backup`. */
        BackupJob: {
            /**
             * @description Runs so far (retries and runs after a worker died count).
             * @example 1
             */
            attempts: number;
            /**
             * @description Set when someone cancelled a running job; it ends `cancelled` at its next batch boundary.
             * @example null
             */
            cancelRequestedAt: string | null;
            /** @example 2026-11-27T09:00:00.000Z */
            createdAt: string;
            /**
             * Format: uuid
             * @example 0b9d3f7e-8c1a-4d2e-9f60-2a7b5c4d3e21
             */
            createdBy: string | null;
            /** @example null */
            error: string | null;
            /**
             * @description When the finished job's record disappears.
             * @example null
             */
            expiresAt: string | null;
            /** @example null */
            finishedAt: string | null;
            /**
             * Format: uuid
             * @example 3b8f2e4a-7c1d-4e9a-b5f6-0d2c8a1e9f47
             */
            id: string;
            parameters: components["schemas"]["BackupJobParameters"];
            /**
             * @description 1 (lowest) to 10 (highest).
             * @example 5
             */
            priority: number;
            progress: components["schemas"]["JobProgressDto"];
            /** @description Set when the job has finished. */
            result: {
                /**
                 * @example {
                 *       "created": 9000,
                 *       "updated": 1000
                 *     }
                 */
                counts: {
                    [key: string]: number;
                };
                data: components["schemas"]["BackupJobResult"] | null;
                /** @example [] */
                errors: string[];
                /** @example Imported 10 000 students */
                message: string | null;
                /** @example true */
                success: boolean;
                /**
                 * @example [
                 *       "Row 17: unknown column \"nickname\" ignored"
                 *     ]
                 */
                warnings: string[];
            } | null;
            /**
             * @description `server`: run by the service's workers; `external`: driven by a script through the PATCH endpoints.
             * @example external
             */
            runner: components["schemas"]["JobRunner"];
            /** @example 2026-11-27T09:00:01.000Z */
            startedAt: string | null;
            /** @example processing */
            status: components["schemas"]["JobStatus"];
            /** @enum {string} */
            type: "backup";
        };
        /** @description The `parameters` of a `backup` job. */
        BackupJobParameters: {
            includePasswordHashes: boolean;
            requestedBy: components["schemas"]["ActorDto"];
            /** @example 8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e */
            requestId: string | null;
        };
        /** @description The `result.data` of a `backup` job: the backup it took. */
        BackupJobResult: {
            /** Format: uuid */
            backupId: string;
            /**
             * @example {
             *       "users": 3,
             *       "courses": 40,
             *       "students": 1000,
             *       "enrollments": 5000
             *     }
             */
            counts: {
                courses: number;
                enrollments: number;
                students: number;
                users: number;
            };
            /**
             * @description The name the download is given.
             * @example sms-backup-20261130T101500Z.tar.gz
             */
            fileName: string;
            /**
             * @description The last migration applied to the database at the time: a backup restores only into a database at the same one.
             * @example Migration20261127133653_import_plan_digest
             */
            schemaVersion: string;
            /**
             * @description sha256 of the archive, hex: what `sha256sum` of the download prints.
             * @example 0a9b8c7d6e5f4a3b2c1d0e9f8a7b6c5d4e3f2a1b9f2c6a1d0b5e4f7a8c3d2e1f
             */
            sha256: string;
            /**
             * @description Size of the archive (`.tar.gz`).
             * @example 40000000
             */
            sizeBytes: number;
        };
        BackupPage: {
            items: components["schemas"]["BackupDto"][];
            /** @example 50 */
            limit: number;
            /** @example 0 */
            offset: number;
            /**
             * @description How many items match the filters, across all pages.
             * @example 1
             */
            total: number;
        };
        BackupPartDto: {
            /**
             * @description The table's columns in the order the part holds them.
             * @example [
             *       "id",
             *       "course_code",
             *       "course_name"
             *     ]
             */
            columns: string[];
            /** @example 1000 */
            rowCount: number;
            /**
             * @description sha256 of the part's uncompressed COPY text, hex.
             * @example 9f2c6a1d0b5e4f7a8c3d2e1f0a9b8c7d6e5f4a3b2c1d0e9f8a7b6c5d4e3f2a1b
             */
            sha256: string;
            /**
             * @description Size of the part's uncompressed COPY text.
             * @example 182000
             */
            sizeBytes: number;
            table: components["schemas"]["BackupTable"];
        };
        /** @description A job of type `backup_restore`. */
        BackupRestoreJob: {
            /**
             * @description Runs so far (retries and runs after a worker died count).
             * @example 1
             */
            attempts: number;
            /**
             * @description Set when someone cancelled a running job; it ends `cancelled` at its next batch boundary.
             * @example null
             */
            cancelRequestedAt: string | null;
            /** @example 2026-11-27T09:00:00.000Z */
            createdAt: string;
            /**
             * Format: uuid
             * @example 0b9d3f7e-8c1a-4d2e-9f60-2a7b5c4d3e21
             */
            createdBy: string | null;
            /** @example null */
            error: string | null;
            /**
             * @description When the finished job's record disappears.
             * @example null
             */
            expiresAt: string | null;
            /** @example null */
            finishedAt: string | null;
            /**
             * Format: uuid
             * @example 3b8f2e4a-7c1d-4e9a-b5f6-0d2c8a1e9f47
             */
            id: string;
            parameters: components["schemas"]["BackupRestoreJobParameters"];
            /**
             * @description 1 (lowest) to 10 (highest).
             * @example 5
             */
            priority: number;
            progress: components["schemas"]["JobProgressDto"];
            /** @description Set when the job has finished. */
            result: {
                /**
                 * @example {
                 *       "created": 9000,
                 *       "updated": 1000
                 *     }
                 */
                counts: {
                    [key: string]: number;
                };
                data: components["schemas"]["BackupRestoreJobResult"] | null;
                /** @example [] */
                errors: string[];
                /** @example Imported 10 000 students */
                message: string | null;
                /** @example true */
                success: boolean;
                /**
                 * @example [
                 *       "Row 17: unknown column \"nickname\" ignored"
                 *     ]
                 */
                warnings: string[];
            } | null;
            /**
             * @description `server`: run by the service's workers; `external`: driven by a script through the PATCH endpoints.
             * @example external
             */
            runner: components["schemas"]["JobRunner"];
            /** @example 2026-11-27T09:00:01.000Z */
            startedAt: string | null;
            /** @example processing */
            status: components["schemas"]["JobStatus"];
            /** @enum {string} */
            type: "backup_restore";
        };
        /** @description The `parameters` of a `backup_restore` job. */
        BackupRestoreJobParameters: {
            /** Format: uuid */
            backupId: string;
            requestedBy: components["schemas"]["ActorDto"];
            /** @example 8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e */
            requestId: string | null;
        };
        /** @description The `result.data` of a `backup_restore` job: the rows now in each table. */
        BackupRestoreJobResult: {
            /** Format: uuid */
            backupId: string;
            /**
             * @example {
             *       "users": 3,
             *       "courses": 40,
             *       "students": 1000,
             *       "enrollments": 5000
             *     }
             */
            counts: {
                courses: number;
                enrollments: number;
                students: number;
                users: number;
            };
        };
        /** @enum {string} */
        BackupTable: "users" | "courses" | "students" | "enrollments";
        /** @description The `parameters` of a `bulk_update` or `bulk_delete` job: the preview it commits, and how. */
        BulkChangeJobParameters: {
            /**
             * @example {
             *       "set": {
             *         "classDivision": "B1"
             *       },
             *       "increment": {
             *         "studyYear": 1
             *       }
             *     }
             */
            change?: {
                increment: {
                    [key: string]: number;
                };
                set: {
                    [key: string]: unknown;
                };
            };
            confirmMassChange: boolean;
            /** @example students */
            entity: components["schemas"]["ImportEntity"];
            /**
             * @example {
             *       "studyYear": 1,
             *       "classDivision": "A1",
             *       "isActive": true
             *     }
             */
            filter: {
                [key: string]: unknown;
            };
            onInvalid: components["schemas"]["BulkInvalidPolicy"];
            /** @example update */
            operation: components["schemas"]["BulkOperation"];
            /** Format: uuid */
            previewId: string;
            /** @description Who committed it, for the audit row the job writes when it ends. */
            requestedBy: components["schemas"]["ActorDto"];
            /** @example 8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e */
            requestId: string | null;
        };
        /** @description The `result.data` of a `bulk_update` or `bulk_delete` job that completed. */
        BulkChangeJobResult: {
            /** @example students */
            entity: components["schemas"]["ImportEntity"];
            /** Format: uuid */
            previewId: string;
            /**
             * @description What it wrote: `GET /imports/jobs/{jobId}/records`.
             * @example /api/v1/imports/jobs/3f1d6c2e-8a4b-4c1d-9e2f-7a6b5c4d3e2f/records
             */
            recordsUrl: string;
            /**
             * @description `POST` it to undo the change.
             * @example /api/v1/imports/jobs/3f1d6c2e-8a4b-4c1d-9e2f-7a6b5c4d3e2f/undo
             */
            undoUrl: string;
        };
        BulkCommitDto: {
            /**
             * @description Needed when the preview's `massChange.confirmationNeeded` is true.
             * @default false
             */
            confirmMassChange?: boolean;
            /**
             * @description refuse: write nothing while the preview lists invalid records; skip: leave them as they are and change the others.
             * @default refuse
             */
            onInvalid?: components["schemas"]["BulkInvalidPolicy"];
        };
        /** @description A job of type `bulk_delete`. */
        BulkDeleteJob: {
            /**
             * @description Runs so far (retries and runs after a worker died count).
             * @example 1
             */
            attempts: number;
            /**
             * @description Set when someone cancelled a running job; it ends `cancelled` at its next batch boundary.
             * @example null
             */
            cancelRequestedAt: string | null;
            /** @example 2026-11-27T09:00:00.000Z */
            createdAt: string;
            /**
             * Format: uuid
             * @example 0b9d3f7e-8c1a-4d2e-9f60-2a7b5c4d3e21
             */
            createdBy: string | null;
            /** @example null */
            error: string | null;
            /**
             * @description When the finished job's record disappears.
             * @example null
             */
            expiresAt: string | null;
            /** @example null */
            finishedAt: string | null;
            /**
             * Format: uuid
             * @example 3b8f2e4a-7c1d-4e9a-b5f6-0d2c8a1e9f47
             */
            id: string;
            parameters: components["schemas"]["BulkChangeJobParameters"];
            /**
             * @description 1 (lowest) to 10 (highest).
             * @example 5
             */
            priority: number;
            progress: components["schemas"]["JobProgressDto"];
            /** @description Set when the job has finished. */
            result: {
                /**
                 * @example {
                 *       "created": 9000,
                 *       "updated": 1000
                 *     }
                 */
                counts: {
                    [key: string]: number;
                };
                data: components["schemas"]["BulkChangeJobResult"] | null;
                /** @example [] */
                errors: string[];
                /** @example Imported 10 000 students */
                message: string | null;
                /** @example true */
                success: boolean;
                /**
                 * @example [
                 *       "Row 17: unknown column \"nickname\" ignored"
                 *     ]
                 */
                warnings: string[];
            } | null;
            /**
             * @description `server`: run by the service's workers; `external`: driven by a script through the PATCH endpoints.
             * @example external
             */
            runner: components["schemas"]["JobRunner"];
            /** @example 2026-11-27T09:00:01.000Z */
            startedAt: string | null;
            /** @example processing */
            status: components["schemas"]["JobStatus"];
            /** @enum {string} */
            type: "bulk_delete";
        };
        BulkDeletePreviewRequestDto: {
            /**
             * @description The filters of the entity's list and export (`GET /exports/{entity}`), with the same names and rules, except `includeDeleted`: deleted records are never matched. `{}` matches every record.
             * @example {
             *       "courseCode": "MATH101"
             *     }
             */
            filter: {
                [key: string]: unknown;
            };
        };
        BulkEnrollmentConsequenceDto: {
            /**
             * @description Visible enrollments of the matching records.
             * @example 35
             */
            affected: number;
            /** @example 35 enrollments of these students stay stored as they are but are hidden (lists, exports, the enrollments API) while their student is deleted, as when a student is deleted through the API; restoring the student or undoing this job shows them again. */
            consequence: string;
        };
        /** @description A job of type `bulk_import`. */
        BulkImportJob: {
            /**
             * @description Runs so far (retries and runs after a worker died count).
             * @example 1
             */
            attempts: number;
            /**
             * @description Set when someone cancelled a running job; it ends `cancelled` at its next batch boundary.
             * @example null
             */
            cancelRequestedAt: string | null;
            /** @example 2026-11-27T09:00:00.000Z */
            createdAt: string;
            /**
             * Format: uuid
             * @example 0b9d3f7e-8c1a-4d2e-9f60-2a7b5c4d3e21
             */
            createdBy: string | null;
            /** @example null */
            error: string | null;
            /**
             * @description When the finished job's record disappears.
             * @example null
             */
            expiresAt: string | null;
            /** @example null */
            finishedAt: string | null;
            /**
             * Format: uuid
             * @example 3b8f2e4a-7c1d-4e9a-b5f6-0d2c8a1e9f47
             */
            id: string;
            parameters: components["schemas"]["BulkImportJobParameters"];
            /**
             * @description 1 (lowest) to 10 (highest).
             * @example 5
             */
            priority: number;
            progress: components["schemas"]["JobProgressDto"];
            /** @description Set when the job has finished. */
            result: {
                /**
                 * @example {
                 *       "created": 9000,
                 *       "updated": 1000
                 *     }
                 */
                counts: {
                    [key: string]: number;
                };
                data: components["schemas"]["FreeFormJobData"] | null;
                /** @example [] */
                errors: string[];
                /** @example Imported 10 000 students */
                message: string | null;
                /** @example true */
                success: boolean;
                /**
                 * @example [
                 *       "Row 17: unknown column \"nickname\" ignored"
                 *     ]
                 */
                warnings: string[];
            } | null;
            /**
             * @description `server`: run by the service's workers; `external`: driven by a script through the PATCH endpoints.
             * @example external
             */
            runner: components["schemas"]["JobRunner"];
            /** @example 2026-11-27T09:00:01.000Z */
            startedAt: string | null;
            /** @example processing */
            status: components["schemas"]["JobStatus"];
            /** @enum {string} */
            type: "bulk_import";
        };
        /** @description The `parameters` of a `bulk_import` job. */
        BulkImportJobParameters: {
            /** @description Write even if the mass-change guard asks for confirmation (absent in jobs queued before it existed). */
            confirmMassChange?: boolean;
            entity: components["schemas"]["ImportEntity"];
            files: components["schemas"]["ImportJobFileDto"][];
            mode: components["schemas"]["ImportMode"];
            onInvalid: components["schemas"]["InvalidRowPolicy"];
            previewIds: string[];
            /** @description True when a preview request made the plan: the job applies it only if it still holds. */
            recheck: boolean;
        };
        /** @description A job of type `bulk_import_undo`. */
        BulkImportUndoJob: {
            /**
             * @description Runs so far (retries and runs after a worker died count).
             * @example 1
             */
            attempts: number;
            /**
             * @description Set when someone cancelled a running job; it ends `cancelled` at its next batch boundary.
             * @example null
             */
            cancelRequestedAt: string | null;
            /** @example 2026-11-27T09:00:00.000Z */
            createdAt: string;
            /**
             * Format: uuid
             * @example 0b9d3f7e-8c1a-4d2e-9f60-2a7b5c4d3e21
             */
            createdBy: string | null;
            /** @example null */
            error: string | null;
            /**
             * @description When the finished job's record disappears.
             * @example null
             */
            expiresAt: string | null;
            /** @example null */
            finishedAt: string | null;
            /**
             * Format: uuid
             * @example 3b8f2e4a-7c1d-4e9a-b5f6-0d2c8a1e9f47
             */
            id: string;
            parameters: components["schemas"]["BulkImportUndoJobParameters"];
            /**
             * @description 1 (lowest) to 10 (highest).
             * @example 5
             */
            priority: number;
            progress: components["schemas"]["JobProgressDto"];
            /** @description Set when the job has finished. */
            result: {
                /**
                 * @example {
                 *       "created": 9000,
                 *       "updated": 1000
                 *     }
                 */
                counts: {
                    [key: string]: number;
                };
                data: components["schemas"]["BulkImportUndoJobResult"] | null;
                /** @example [] */
                errors: string[];
                /** @example Imported 10 000 students */
                message: string | null;
                /** @example true */
                success: boolean;
                /**
                 * @example [
                 *       "Row 17: unknown column \"nickname\" ignored"
                 *     ]
                 */
                warnings: string[];
            } | null;
            /**
             * @description `server`: run by the service's workers; `external`: driven by a script through the PATCH endpoints.
             * @example external
             */
            runner: components["schemas"]["JobRunner"];
            /** @example 2026-11-27T09:00:01.000Z */
            startedAt: string | null;
            /** @example processing */
            status: components["schemas"]["JobStatus"];
            /** @enum {string} */
            type: "bulk_import_undo";
        };
        /** @description The `parameters` of a `bulk_import_undo` job. */
        BulkImportUndoJobParameters: {
            /**
             * @description The dry-run counts when the undo was asked for; the job counts again.
             * @example {
             *       "created": 2,
             *       "updated": 1,
             *       "restored": 0,
             *       "conflicts": 0
             *     }
             */
            counts: {
                [key: string]: number;
            };
            entity: components["schemas"]["ImportEntity"];
            /**
             * Format: uuid
             * @description The bulk_import job whose import is undone.
             */
            importJobId: string;
            onConflict: components["schemas"]["UndoConflictPolicy"];
        };
        /** @description The `result.data` of a `bulk_import_undo` job. */
        BulkImportUndoJobResult: {
            /**
             * @description The records changed after the import, which the undo left alone (skip) or refused for.
             * @example /api/v1/imports/jobs/3b8f2e4a-7c1d-4e9a-b5f6-0d2c8a1e9f47/conflicts
             */
            conflictsUrl: string;
            entity: components["schemas"]["ImportEntity"];
            /** Format: uuid */
            importJobId: string;
        };
        /**
         * @description refuse: write nothing while the preview lists invalid records; skip: leave them as they are and change the others.
         * @enum {string}
         */
        BulkInvalidPolicy: "refuse" | "skip";
        BulkInvalidRecordDto: {
            /**
             * @description The issue code, as an import reports the same problem in a row.
             * @example out_of_range
             */
            code: string;
            /** @example studyYear */
            field: string;
            /** @example AK123457 */
            key: string;
            /** @example studyYear would be outside 1..6 */
            message: string;
            /** @example 43 */
            recordId: number;
            /**
             * @description The value the change would give the field.
             * @example 7
             */
            value: number;
        };
        BulkInvalidRecordsDto: {
            /** @description The first 100, by record id and field. */
            items: components["schemas"]["BulkInvalidRecordDto"][];
            /**
             * @description Every (record, field) the change would make invalid.
             * @example 1
             */
            total: number;
        };
        /** @enum {string} */
        BulkOperation: "update" | "delete";
        BulkPreviewDto: {
            /**
             * @description The change set as checked (`set`, `increment`); empty for a delete.
             * @example {
             *       "set": {
             *         "classDivision": "B1"
             *       },
             *       "increment": {
             *         "studyYear": 1
             *       }
             *     }
             */
            change: {
                [key: string]: unknown;
            };
            /**
             * @description Records the commit would write: matched, less those the change leaves as they are and those it would make invalid.
             * @example 9990
             */
            changing: number;
            /** Format: date-time */
            createdAt: string;
            /**
             * Format: uuid
             * @description The user who made it: only they (and admins) read it, only they commit it.
             */
            createdBy: string;
            /** @description A delete of students or courses: what happens to their enrollments. null otherwise. */
            enrollments: components["schemas"]["BulkEnrollmentConsequenceDto"] | null;
            /** @example students */
            entity: components["schemas"]["ImportEntity"];
            /**
             * Format: date-time
             * @description After this it can no longer be read or committed (IMPORT_PREVIEW_TTL_HOURS).
             */
            expiresAt: string;
            /**
             * @description The filter as checked.
             * @example {
             *       "studyYear": 1,
             *       "classDivision": "A1",
             *       "isActive": true
             *     }
             */
            filter: {
                [key: string]: unknown;
            };
            /** Format: uuid */
            id: string;
            /**
             * @description Records the change would make invalid: the commit refuses while there are any, unless onInvalid=skip.
             * @example 1
             */
            invalid: number;
            invalidRecords: components["schemas"]["BulkInvalidRecordsDto"];
            /**
             * Format: uuid
             * @description The bulk_update or bulk_delete job of its commit.
             */
            jobId: string | null;
            /** @description Whether the commit needs `confirmMassChange: true` (IMPORT_MASS_CHANGE_PERCENT, as for imports). */
            massChange: components["schemas"]["MassChangeDto"];
            /**
             * @description Records the filter matches.
             * @example 10000
             */
            matched: number;
            /** @example update */
            operation: components["schemas"]["BulkOperation"];
            /** @description The first 20 records that would change, by id. */
            sample: components["schemas"]["BulkSampleRecordDto"][];
            /** @example ready */
            status: components["schemas"]["BulkPreviewStatus"];
        };
        /** @enum {string} */
        BulkPreviewStatus: "ready" | "committing" | "committed" | "failed";
        BulkSampleRecordDto: {
            /**
             * @description The changed fields as the commit would leave them.
             * @example {
             *       "classDivision": "B1",
             *       "studyYear": 2
             *     }
             */
            after: {
                [key: string]: unknown;
            };
            /**
             * @description The changed fields as they are (a delete: `{ deleted: false }`).
             * @example {
             *       "classDivision": "A1",
             *       "studyYear": 1
             *     }
             */
            before: {
                [key: string]: unknown;
            };
            /**
             * @description studentId, courseCode, or "studentId / courseCode" for an enrollment.
             * @example AK123456
             */
            key: string;
            /** @example 42 */
            recordId: number;
        };
        /** @description A job of type `bulk_update`. */
        BulkUpdateJob: {
            /**
             * @description Runs so far (retries and runs after a worker died count).
             * @example 1
             */
            attempts: number;
            /**
             * @description Set when someone cancelled a running job; it ends `cancelled` at its next batch boundary.
             * @example null
             */
            cancelRequestedAt: string | null;
            /** @example 2026-11-27T09:00:00.000Z */
            createdAt: string;
            /**
             * Format: uuid
             * @example 0b9d3f7e-8c1a-4d2e-9f60-2a7b5c4d3e21
             */
            createdBy: string | null;
            /** @example null */
            error: string | null;
            /**
             * @description When the finished job's record disappears.
             * @example null
             */
            expiresAt: string | null;
            /** @example null */
            finishedAt: string | null;
            /**
             * Format: uuid
             * @example 3b8f2e4a-7c1d-4e9a-b5f6-0d2c8a1e9f47
             */
            id: string;
            parameters: components["schemas"]["BulkChangeJobParameters"];
            /**
             * @description 1 (lowest) to 10 (highest).
             * @example 5
             */
            priority: number;
            progress: components["schemas"]["JobProgressDto"];
            /** @description Set when the job has finished. */
            result: {
                /**
                 * @example {
                 *       "created": 9000,
                 *       "updated": 1000
                 *     }
                 */
                counts: {
                    [key: string]: number;
                };
                data: components["schemas"]["BulkChangeJobResult"] | null;
                /** @example [] */
                errors: string[];
                /** @example Imported 10 000 students */
                message: string | null;
                /** @example true */
                success: boolean;
                /**
                 * @example [
                 *       "Row 17: unknown column \"nickname\" ignored"
                 *     ]
                 */
                warnings: string[];
            } | null;
            /**
             * @description `server`: run by the service's workers; `external`: driven by a script through the PATCH endpoints.
             * @example external
             */
            runner: components["schemas"]["JobRunner"];
            /** @example 2026-11-27T09:00:01.000Z */
            startedAt: string | null;
            /** @example processing */
            status: components["schemas"]["JobStatus"];
            /** @enum {string} */
            type: "bulk_update";
        };
        BulkUpdatePreviewRequestDto: {
            /**
             * @description The filters of the entity's list and export (`GET /exports/{entity}`), with the same names and rules, except `includeDeleted`: deleted records are never matched. `{}` matches every record.
             * @example {
             *       "courseCode": "MATH101"
             *     }
             */
            filter: {
                [key: string]: unknown;
            };
            /**
             * @description Whole-number field → amount to add (negative to subtract); a record without a value keeps none. A field cannot be both set and incremented.
             * @example {
             *       "studyYear": 1
             *     }
             */
            increment?: {
                [key: string]: number;
            };
            /**
             * @description Field → value, checked by the rules of the entity's PATCH; `null` clears an optional field. Natural keys and unique fields (studentId, email, courseCode) cannot be set in bulk.
             * @example {
             *       "classDivision": "B1"
             *     }
             */
            set?: {
                [key: string]: unknown;
            };
        };
        /** @enum {string} */
        ChainFailureKind: "row_modified" | "row_missing" | "checkpoint_signature_invalid" | "tail_truncated";
        /**
         * @description Where the witness of the chain's length came from: the checkpoint sent with the request, the newest one kept in Redis, or none.
         * @enum {string}
         */
        ChainWitness: "supplied" | "redis" | "none";
        ChangePasswordDto: {
            currentPassword: string;
            /** @example a-longer-new-passphrase */
            newPassword: string;
        };
        /** @description A job of type `cleanup`. */
        CleanupJob: {
            /**
             * @description Runs so far (retries and runs after a worker died count).
             * @example 1
             */
            attempts: number;
            /**
             * @description Set when someone cancelled a running job; it ends `cancelled` at its next batch boundary.
             * @example null
             */
            cancelRequestedAt: string | null;
            /** @example 2026-11-27T09:00:00.000Z */
            createdAt: string;
            /**
             * Format: uuid
             * @example 0b9d3f7e-8c1a-4d2e-9f60-2a7b5c4d3e21
             */
            createdBy: string | null;
            /** @example null */
            error: string | null;
            /**
             * @description When the finished job's record disappears.
             * @example null
             */
            expiresAt: string | null;
            /** @example null */
            finishedAt: string | null;
            /**
             * Format: uuid
             * @example 3b8f2e4a-7c1d-4e9a-b5f6-0d2c8a1e9f47
             */
            id: string;
            parameters: components["schemas"]["CleanupJobParameters"];
            /**
             * @description 1 (lowest) to 10 (highest).
             * @example 5
             */
            priority: number;
            progress: components["schemas"]["JobProgressDto"];
            /** @description Set when the job has finished. */
            result: {
                /**
                 * @example {
                 *       "created": 9000,
                 *       "updated": 1000
                 *     }
                 */
                counts: {
                    [key: string]: number;
                };
                /** @description Always null: a `cleanup` job ends with no data. */
                data: components["schemas"]["FreeFormJobData"] | null;
                /** @example [] */
                errors: string[];
                /** @example Imported 10 000 students */
                message: string | null;
                /** @example true */
                success: boolean;
                /**
                 * @example [
                 *       "Row 17: unknown column \"nickname\" ignored"
                 *     ]
                 */
                warnings: string[];
            } | null;
            /**
             * @description `server`: run by the service's workers; `external`: driven by a script through the PATCH endpoints.
             * @example external
             */
            runner: components["schemas"]["JobRunner"];
            /** @example 2026-11-27T09:00:01.000Z */
            startedAt: string | null;
            /** @example processing */
            status: components["schemas"]["JobStatus"];
            /** @enum {string} */
            type: "cleanup";
        };
        /** @description The `parameters` of a `cleanup` job. */
        CleanupJobParameters: {
            /**
             * @description `true` when the daily scheduler started it; absent when started by hand.
             * @enum {boolean}
             */
            scheduled?: true;
        };
        CompleteJobDto: {
            result?: components["schemas"]["JobResultInputDto"];
        };
        CourseDto: {
            /**
             * @description Natural key, uppercase.
             * @example MATH101
             */
            courseCode: string;
            /** @example Άλγεβρα Α΄ Λυκείου */
            courseName: string;
            /**
             * Format: date-time
             * @example 2026-09-01T08:00:00.000Z
             */
            createdAt: string;
            /** @example 3 */
            credits: number;
            /**
             * Format: date-time
             * @example null
             */
            deletedAt: string | null;
            /** @example Εξισώσεις, ανισώσεις και συναρτήσεις. */
            description: string | null;
            /**
             * @example [
             *       {
             *         "category": "Γραπτές εξετάσεις",
             *         "weight": 70
             *       },
             *       {
             *         "category": "Προφορική εξέταση",
             *         "weight": 30
             *       }
             *     ]
             */
            evaluationRules: components["schemas"]["EvaluationRuleDto"][] | null;
            /** @example 4 */
            hoursPerWeek: number | null;
            /** @example 7 */
            id: number;
            /** @example true */
            isActive: boolean;
            /** @description The committed import that last wrote this course; null if none has. */
            lastImport: components["schemas"]["LastImportDto"] | null;
            /** @example 5 */
            periodsPerWeek: number | null;
            /** @example Α΄ Τετράμηνο 2026-2027 */
            semester: string;
            /**
             * Format: date-time
             * @example 2026-09-01T08:00:00.000Z
             */
            updatedAt: string;
        };
        /** @description The filters of `GET /api/v1/exports/courses`, for an export job of courses. */
        CourseExportFilters: {
            /**
             * @description Admins only: also export soft-deleted rows.
             * @default false
             */
            includeDeleted?: boolean;
            /** @description Only records whose status is this value. */
            isActive?: boolean;
            /**
             * @description Only records whose semester is this value.
             * @example Α΄ Τετράμηνο 2026-2027
             */
            semester?: string;
        };
        /** @description One course of a JSON or NDJSON export: the API's field names and values, the keys `fields` names (by default every column but `deletedAt`). */
        CourseExportRow: {
            /** @description Course code (Κωδικός Μαθήματος). */
            courseCode?: string | null;
            /** @description Course name (Τίτλος Μαθήματος). */
            courseName?: string | null;
            /**
             * Format: date-time
             * @description Created at (Δημιουργία).
             */
            createdAt?: string | null;
            /** @description Credits (Διδακτικές Μονάδες). */
            credits?: number | null;
            /**
             * Format: date-time
             * @description Deleted at (Διαγραφή). Only when named in `fields`.
             */
            deletedAt?: string | null;
            /** @description Description (Περιγραφή). */
            description?: string | null;
            /** @description Evaluation rules (Κανόνες Αξιολόγησης). */
            evaluationRules?: components["schemas"]["EvaluationRuleDto"][] | null;
            /** @description Hours per week (Ώρες ανά Εβδομάδα). */
            hoursPerWeek?: number | null;
            /** @description ID (Α/Α). */
            id?: number | null;
            /** @description Status (Κατάσταση). */
            isActive?: boolean | null;
            /** @description Periods per week (Διδακτικές Περίοδοι ανά Εβδομάδα). */
            periodsPerWeek?: number | null;
            /** @description Semester (Εξάμηνο). */
            semester?: string | null;
            /**
             * Format: date-time
             * @description Updated at (Τελευταία αλλαγή).
             */
            updatedAt?: string | null;
        };
        CoursePage: {
            items: components["schemas"]["CourseDto"][];
            /** @example 50 */
            limit: number;
            /** @example 0 */
            offset: number;
            /**
             * @description How many items match the filters, across all pages.
             * @example 1
             */
            total: number;
        };
        /** @enum {string} */
        CourseSort: "id" | "-id" | "courseCode" | "-courseCode" | "courseName" | "-courseName" | "semester" | "-semester" | "credits" | "-credits" | "createdAt" | "-createdAt" | "updatedAt" | "-updatedAt";
        CreateBackupDto: {
            /**
             * @description Also back up the users' password hashes, so that a restore brings back their passwords. Without them a restore keeps each user's current password.
             * @default false
             */
            includePasswordHashes?: boolean;
        };
        CreateCourseDto: {
            /**
             * @description Letters of any script, digits, `_`, `-` and `.`; stored uppercase.
             * @example math101
             */
            courseCode: string;
            /** @example Άλγεβρα Α΄ Λυκείου */
            courseName: string;
            /**
             * @default 3
             * @example 3
             */
            credits?: number;
            /** @example Εξισώσεις, ανισώσεις και συναρτήσεις. */
            description?: string | null;
            /**
             * @description How the final grade is made up: distinct categories whose weights add up to 100.
             * @example [
             *       {
             *         "category": "Γραπτές εξετάσεις",
             *         "weight": 70
             *       },
             *       {
             *         "category": "Προφορική εξέταση",
             *         "weight": 30
             *       }
             *     ]
             */
            evaluationRules?: components["schemas"]["EvaluationRuleDto"][] | null;
            /** @example 4 */
            hoursPerWeek?: number | null;
            /** @default true */
            isActive?: boolean;
            /** @example 5 */
            periodsPerWeek?: number | null;
            /** @example Α΄ Τετράμηνο 2026-2027 */
            semester: string;
        };
        CreateEnrollmentDto: {
            /**
             * @description Any case; matched uppercase.
             * @example math101
             */
            courseCode: string;
            /**
             * Format: date
             * @description Not in the future.
             * @example 2026-09-11
             */
            enrolledAt: string;
            /** @default active */
            status?: components["schemas"]["EnrollmentStatus"];
            /**
             * @description The student's id as on the identity card; Greek or Latin keyboard, any case.
             * @example ΑΒ123456
             */
            studentId: string;
        };
        CreateExportJobDto: {
            /** @default false */
            bom?: boolean;
            /** @example students */
            entity: components["schemas"]["ExportEntity"];
            /**
             * @description Field names in the order wanted; by default every regular field.
             * @example [
             *       "studentId",
             *       "lastName",
             *       "firstName",
             *       "email"
             *     ]
             */
            fields?: string[];
            /**
             * @description The filters of `GET /exports/{entity}` as an object, e.g. `{ "isActive": true, "academicYear": "2026-2027" }`.
             * @example {
             *       "isActive": true,
             *       "academicYear": "2026-2027"
             *     }
             */
            filters?: components["schemas"]["StudentExportFilters"] | components["schemas"]["CourseExportFilters"] | components["schemas"]["EnrollmentExportFilters"];
            /** @default csv */
            format?: components["schemas"]["ExportFormat"];
            lang?: components["schemas"]["ExportLanguage"];
        };
        CreateJobDto: {
            /**
             * @example {
             *       "source": "registrar-sync"
             *     }
             */
            parameters?: {
                [key: string]: unknown;
            };
            /** @default 5 */
            priority?: number;
            /**
             * @description Server-run types (bulk_import, export_large, cleanup) start from their own endpoints, not here.
             * @example custom
             */
            type: components["schemas"]["JobType"];
        };
        CreateStudentDto: {
            /** @example 2026-2027 */
            academicYear?: string | null;
            /** @example A1 */
            classDivision?: string | null;
            /**
             * Format: email
             * @example maria.papadopoulou@school.example
             */
            email: string;
            /**
             * Format: date
             * @description Not in the future.
             * @example 2026-09-01
             */
            enrollmentDate?: string | null;
            /** @example Γεώργιος */
            fatherName?: string | null;
            /** @example Μαρία */
            firstName: string;
            healthIssue?: string | null;
            /** @default true */
            isActive?: boolean;
            /** @example Παπαδοπούλου */
            lastName: string;
            /** @example +30 690 1234567 */
            mobilePhone?: string | null;
            note?: string | null;
            /** @example +30 210 1234567 */
            phone?: string | null;
            /**
             * @description Letters of any script, digits, `_` and `-`; stored uppercase with Greek look-alikes folded to Latin.
             * @example ΑΒ123456
             */
            studentId: string;
            /** @example 1 */
            studyYear?: number | null;
        };
        CreateUserDto: {
            /**
             * Format: email
             * @example secretary@school.example
             */
            email: string;
            /** @example correct-horse-battery */
            password: string;
            /** @example staff */
            role: components["schemas"]["Role"];
        };
        /** @description A job of type `custom`. */
        CustomJob: {
            /**
             * @description Runs so far (retries and runs after a worker died count).
             * @example 1
             */
            attempts: number;
            /**
             * @description Set when someone cancelled a running job; it ends `cancelled` at its next batch boundary.
             * @example null
             */
            cancelRequestedAt: string | null;
            /** @example 2026-11-27T09:00:00.000Z */
            createdAt: string;
            /**
             * Format: uuid
             * @example 0b9d3f7e-8c1a-4d2e-9f60-2a7b5c4d3e21
             */
            createdBy: string | null;
            /** @example null */
            error: string | null;
            /**
             * @description When the finished job's record disappears.
             * @example null
             */
            expiresAt: string | null;
            /** @example null */
            finishedAt: string | null;
            /**
             * Format: uuid
             * @example 3b8f2e4a-7c1d-4e9a-b5f6-0d2c8a1e9f47
             */
            id: string;
            parameters: components["schemas"]["FreeFormJobData"];
            /**
             * @description 1 (lowest) to 10 (highest).
             * @example 5
             */
            priority: number;
            progress: components["schemas"]["JobProgressDto"];
            /** @description Set when the job has finished. */
            result: {
                /**
                 * @example {
                 *       "created": 9000,
                 *       "updated": 1000
                 *     }
                 */
                counts: {
                    [key: string]: number;
                };
                data: components["schemas"]["FreeFormJobData"] | null;
                /** @example [] */
                errors: string[];
                /** @example Imported 10 000 students */
                message: string | null;
                /** @example true */
                success: boolean;
                /**
                 * @example [
                 *       "Row 17: unknown column \"nickname\" ignored"
                 *     ]
                 */
                warnings: string[];
            } | null;
            /**
             * @description `server`: run by the service's workers; `external`: driven by a script through the PATCH endpoints.
             * @example external
             */
            runner: components["schemas"]["JobRunner"];
            /** @example 2026-11-27T09:00:01.000Z */
            startedAt: string | null;
            /** @example processing */
            status: components["schemas"]["JobStatus"];
            /** @enum {string} */
            type: "custom";
        };
        DependencyCheckDto: {
            /** @example connect ECONNREFUSED 127.0.0.1:6379 */
            error?: string;
            /** @example 3 */
            latencyMs: number;
            /** @example up */
            status: components["schemas"]["DependencyStatus"];
        };
        /** @enum {string} */
        DependencyStatus: "up" | "down";
        DetectedColumnDto: {
            /**
             * @description The header as written in the file.
             * @example Επώνυμο:
             */
            column: string;
            /**
             * @description The field it fills; null for a column the import ignores.
             * @example lastName
             */
            field: string | null;
            /**
             * @description 0-based position in the file.
             * @example 0
             */
            index: number;
        };
        DurabilityCheckDto: {
            /**
             * @description `warning`: jobs can be lost (see `warnings`); `unknown`: the settings cannot be read (CONFIG disabled, or Redis down).
             * @example warning
             */
            status: components["schemas"]["DurabilityStatus"];
            /**
             * @example [
             *       "Redis persists nothing (appendonly no, no save points): every job is lost when Redis restarts."
             *     ]
             */
            warnings: string[];
        };
        /**
         * @description `warning`: jobs can be lost (see `warnings`); `unknown`: the settings cannot be read (CONFIG disabled, or Redis down).
         * @enum {string}
         */
        DurabilityStatus: "ok" | "warning" | "unknown";
        EnrollmentDto: {
            /**
             * @description The course's natural key.
             * @example MATH101
             */
            courseCode: string;
            /**
             * Format: date-time
             * @example 2026-09-11T08:00:00.000Z
             */
            createdAt: string;
            /**
             * Format: date-time
             * @example null
             */
            deletedAt: string | null;
            /**
             * Format: date
             * @example 2026-09-11
             */
            enrolledAt: string;
            /** @example 128 */
            id: number;
            /** @description The committed import that last wrote this enrollment; null if none has. */
            lastImport: components["schemas"]["LastImportDto"] | null;
            /** @example active */
            status: components["schemas"]["EnrollmentStatus"];
            /**
             * @description The student's natural key.
             * @example AB123456
             */
            studentId: string;
            /**
             * Format: date-time
             * @example 2026-09-11T08:00:00.000Z
             */
            updatedAt: string;
        };
        /** @description The filters of `GET /api/v1/exports/enrollments`, for an export job of enrollments. */
        EnrollmentExportFilters: {
            /**
             * @description Only records whose academic year is this value.
             * @example 2026-2027
             */
            academicYear?: string;
            /**
             * @description Only records whose class division is this value.
             * @example A1
             */
            classDivision?: string;
            /**
             * @description Only records whose course code is this value.
             * @example math101
             */
            courseCode?: string;
            /**
             * Format: date
             * @description Only enrollments made on or after this date.
             * @example 2026-09-01
             */
            enrolledAtFrom?: string;
            /**
             * Format: date
             * @description Only enrollments made on or before this date; not before `enrolledAtFrom`.
             * @example 2026-09-30
             */
            enrolledAtTo?: string;
            /**
             * @description Admins only: also export soft-deleted rows.
             * @default false
             */
            includeDeleted?: boolean;
            /**
             * @description Only records whose semester is this value.
             * @example Α΄ Τετράμηνο 2026-2027
             */
            semester?: string;
            /** @description Only records whose status is this value. */
            status?: components["schemas"]["EnrollmentStatus"];
            /**
             * @description Only records whose student id is this value.
             * @example ΑΒ123456
             */
            studentId?: string;
        };
        /** @description One enrollment of a JSON or NDJSON export: the API's field names and values, the keys `fields` names (by default every column but `deletedAt`). */
        EnrollmentExportRow: {
            /** @description Course code (Κωδικός Μαθήματος). */
            courseCode?: string | null;
            /** @description Course name (Τίτλος Μαθήματος). */
            courseName?: string | null;
            /**
             * Format: date-time
             * @description Created at (Δημιουργία).
             */
            createdAt?: string | null;
            /**
             * Format: date-time
             * @description Deleted at (Διαγραφή). Only when named in `fields`.
             */
            deletedAt?: string | null;
            /**
             * Format: date
             * @description Enrolled at (Ημερομηνία Εγγραφής).
             */
            enrolledAt?: string | null;
            /** @description First name (Όνομα:). */
            firstName?: string | null;
            /** @description ID (Α/Α). */
            id?: number | null;
            /** @description Last name (Επώνυμο:). */
            lastName?: string | null;
            /** @description Semester (Εξάμηνο). */
            semester?: string | null;
            /**
             * @description Status (Κατάσταση).
             * @enum {string|null}
             */
            status?: "active" | "completed" | "dropped" | null;
            /** @description Student ID (Αριθμός Δελτίου Ταυτότητας:). */
            studentId?: string | null;
            /**
             * Format: date-time
             * @description Updated at (Τελευταία αλλαγή).
             */
            updatedAt?: string | null;
        };
        EnrollmentPage: {
            items: components["schemas"]["EnrollmentDto"][];
            /** @example 50 */
            limit: number;
            /** @example 0 */
            offset: number;
            /**
             * @description How many items match the filters, across all pages.
             * @example 1
             */
            total: number;
        };
        /** @enum {string} */
        EnrollmentSort: "id" | "-id" | "enrolledAt" | "-enrolledAt" | "status" | "-status" | "createdAt" | "-createdAt";
        /** @enum {string} */
        EnrollmentStatus: "active" | "completed" | "dropped";
        EvaluationRuleDto: {
            /** @example Γραπτές εξετάσεις */
            category: string;
            /**
             * @description Percentage of the final grade; the weights of a course add up to 100.
             * @example 70
             */
            weight: number;
        };
        /** @enum {string} */
        ExportEntity: "students" | "courses" | "enrollments";
        /** @enum {string} */
        ExportFormat: "csv" | "xlsx" | "json" | "ndjson";
        /** @enum {string} */
        ExportLanguage: "en" | "el";
        /** @description A job of type `export_large`. */
        ExportLargeJob: {
            /**
             * @description Runs so far (retries and runs after a worker died count).
             * @example 1
             */
            attempts: number;
            /**
             * @description Set when someone cancelled a running job; it ends `cancelled` at its next batch boundary.
             * @example null
             */
            cancelRequestedAt: string | null;
            /** @example 2026-11-27T09:00:00.000Z */
            createdAt: string;
            /**
             * Format: uuid
             * @example 0b9d3f7e-8c1a-4d2e-9f60-2a7b5c4d3e21
             */
            createdBy: string | null;
            /** @example null */
            error: string | null;
            /**
             * @description When the finished job's record disappears.
             * @example null
             */
            expiresAt: string | null;
            /** @example null */
            finishedAt: string | null;
            /**
             * Format: uuid
             * @example 3b8f2e4a-7c1d-4e9a-b5f6-0d2c8a1e9f47
             */
            id: string;
            parameters: components["schemas"]["ExportLargeJobParameters"];
            /**
             * @description 1 (lowest) to 10 (highest).
             * @example 5
             */
            priority: number;
            progress: components["schemas"]["JobProgressDto"];
            /** @description Set when the job has finished. */
            result: {
                /**
                 * @example {
                 *       "created": 9000,
                 *       "updated": 1000
                 *     }
                 */
                counts: {
                    [key: string]: number;
                };
                data: components["schemas"]["ExportLargeJobResult"] | null;
                /** @example [] */
                errors: string[];
                /** @example Imported 10 000 students */
                message: string | null;
                /** @example true */
                success: boolean;
                /**
                 * @example [
                 *       "Row 17: unknown column \"nickname\" ignored"
                 *     ]
                 */
                warnings: string[];
            } | null;
            /**
             * @description `server`: run by the service's workers; `external`: driven by a script through the PATCH endpoints.
             * @example external
             */
            runner: components["schemas"]["JobRunner"];
            /** @example 2026-11-27T09:00:01.000Z */
            startedAt: string | null;
            /** @example processing */
            status: components["schemas"]["JobStatus"];
            /** @enum {string} */
            type: "export_large";
        };
        /** @description The `parameters` of an `export_large` job. */
        ExportLargeJobParameters: {
            /** @description Whether a CSV starts with a UTF-8 byte order mark. */
            byteOrderMark: boolean;
            entity: components["schemas"]["ExportEntity"];
            /**
             * @description The columns written, in order.
             * @example [
             *       "studentId",
             *       "email",
             *       "lastName"
             *     ]
             */
            fields: string[];
            /** @description The filters that apply to `entity` (the spec names them per entity). */
            filters: components["schemas"]["StudentExportFilters"] | components["schemas"]["CourseExportFilters"] | components["schemas"]["EnrollmentExportFilters"];
            format: components["schemas"]["ExportFormat"];
            language: components["schemas"]["ExportLanguage"];
        };
        /** @description The `result.data` of an `export_large` job: the file to download. */
        ExportLargeJobResult: {
            /** @example text/csv; charset=utf-8 */
            contentType: string;
            entity: components["schemas"]["ExportEntity"];
            /** @example students-20261127T090000Z.csv */
            fileName: string;
            format: components["schemas"]["ExportFormat"];
            /** @example 10000 */
            rowCount: number;
            /**
             * @description sha256 of the file, hex.
             * @example 0a9b8c7d6e5f4a3b2c1d0e9f8a7b6c5d4e3f2a1b9f2c6a1d0b5e4f7a8c3d2e1f
             */
            sha256: string;
            /** @example 1482113 */
            sizeBytes: number;
        };
        FailJobDto: {
            /** @example The registrar API answered 503 */
            error: string;
            result?: components["schemas"]["JobResultInputDto"];
        };
        FieldProblemDto: {
            /**
             * @description Stable machine code of the rule that failed.
             * @example isEmail
             */
            code: string;
            /**
             * @description Dotted path of the offending field in the request.
             * @example email
             */
            field: string;
            /** @example email must be an email */
            message: string;
        };
        /**
         * @description The parameters or result data of a job type with no fixed shape: the JSON object its starter or runner chose.
         * @example {
         *       "source": "registrar-sync"
         *     }
         */
        FreeFormJobData: {
            [key: string]: unknown;
        };
        ImportBehaviourDto: {
            /**
             * @description Write even if the import updates or restores more than IMPORT_MASS_CHANGE_PERCENT of the
             *     entity's records, or deactivates students. Used by uploads and directory imports; a preview
             *     takes it at commit instead.
             * @default false
             */
            confirmMassChange?: boolean;
            /**
             * @description upsert creates new records and updates existing ones; create only creates; update only updates.
             * @default upsert
             */
            mode?: components["schemas"]["ImportMode"];
            /**
             * @description abort writes nothing while any row is invalid; skip writes the valid rows and reports the others.
             * @default abort
             */
            onInvalid?: components["schemas"]["InvalidRowPolicy"];
        };
        ImportCommitDto: {
            /**
             * @description Needed when the preview's `massChange.confirmationNeeded` is true.
             * @default false
             */
            confirmMassChange?: boolean;
        };
        ImportDetectionDto: {
            columns: components["schemas"]["DetectedColumnDto"][];
            /** @example ; */
            delimiter: string | null;
            /** @example windows-1253 */
            encoding: string | null;
            /** @example csv */
            format: components["schemas"]["ImportFormat"];
            /** @example null */
            sheet: string | null;
        };
        /** @enum {string} */
        ImportEntity: "students" | "courses" | "enrollments";
        /** @enum {string} */
        ImportFormat: "csv" | "json" | "ndjson" | "xlsx";
        ImportIssueDto: {
            /**
             * @description Stable code; docs/imports.md lists each with its fix.
             * @example invalid_email
             */
            code: string;
            /** @example Ηλ. Ταχυδρομείο: */
            column: string | null;
            /** @example email */
            field: string | null;
            /** @example email "maria.papadopoulou@" is not a valid email address */
            message: string;
            /**
             * @description Source line (CSV, NDJSON), sheet row (XLSX) or record number (JSON); 0 for the header or the whole file.
             * @example 7
             */
            row: number;
            /** @example error */
            severity: components["schemas"]["IssueSeverity"];
            /** @example maria.papadopoulou@ */
            value: string | null;
        };
        ImportIssuePage: {
            items: components["schemas"]["ImportIssueDto"][];
            /** @example 50 */
            limit: number;
            /** @example 0 */
            offset: number;
            /**
             * @description How many items match the filters, across all pages.
             * @example 1
             */
            total: number;
        };
        ImportJobFileDto: {
            /** @example students.csv */
            fileName: string;
            /**
             * @description sha256 of the file's bytes, hex.
             * @example 9f2c6a1d0b5e4f7a8c3d2e1f0a9b8c7d6e5f4a3b2c1d0e9f8a7b6c5d4e3f2a1b
             */
            sha256: string;
            /**
             * @description Bytes.
             * @example 48213
             */
            size: number;
        };
        /** @enum {string} */
        ImportMode: "upsert" | "create" | "update";
        ImportPreviewDto: {
            /**
             * @description True when a commit would write: no header error, and no invalid row unless onInvalid is skip.
             * @example true
             */
            canCommit: boolean;
            /**
             * Format: date-time
             * @example 2026-11-27T10:00:00.000Z
             */
            createdAt: string;
            detected: components["schemas"]["ImportDetectionDto"] | null;
            entity: components["schemas"]["ImportEntity"];
            /**
             * Format: date-time
             * @description After this the preview and its stored file are removed.
             * @example 2026-11-28T10:00:00.000Z
             */
            expiresAt: string;
            /** @example μαθητές-2026.csv */
            fileName: string;
            /** @example 48213 */
            fileSize: number;
            /**
             * Format: uuid
             * @example 5f0c1f5e-8a39-4d8e-9a59-2f8a3d1f7c11
             */
            id: string;
            /** @description One page of the issues, ordered by row. */
            issues: components["schemas"]["ImportIssuePage"];
            /**
             * Format: uuid
             * @description The job that commits (or committed) this preview.
             * @example null
             */
            jobId: string | null;
            /** @description Whether the commit will need `confirmMassChange: true`, and why; null until planned. */
            massChange: components["schemas"]["MassChangeDto"] | null;
            mode: components["schemas"]["ImportMode"];
            onInvalid: components["schemas"]["InvalidRowPolicy"];
            /** @example 3a7bd3e2360a3d29eea436fcfb7e44c735d117c42d1c1835420b6b9942dd4f1b */
            sha256: string;
            /** @example ready */
            status: components["schemas"]["ImportPreviewStatus"];
            summary: components["schemas"]["ImportSummaryDto"] | null;
        };
        /** @enum {string} */
        ImportPreviewStatus: "ready" | "committing" | "committed" | "failed";
        ImportRecordDto: {
            /**
             * @description Changed after the import (API, another import or an undo): an undo leaves it alone or refuses.
             * @example false
             */
            changed: boolean;
            /**
             * @description null for a created record that a later import wrote again.
             * @example μαθητές-2026.csv
             */
            fileName: string | null;
            /**
             * @description studentId, courseCode, or "studentId / courseCode" for an enrollment.
             * @example AK123456
             */
            key: string;
            /** @example updated */
            outcome: components["schemas"]["ImportRecordOutcome"];
            /** @example 42 */
            recordId: number;
            /** @example 7 */
            row: number | null;
            /**
             * Format: date-time
             * @example 2026-09-01T08:00:00.000Z
             */
            updatedAt: string;
        };
        /** @enum {string} */
        ImportRecordOutcome: "created" | "updated" | "restored" | "deleted";
        ImportRecordPage: {
            items: components["schemas"]["ImportRecordDto"][];
            /** @example 50 */
            limit: number;
            /** @example 0 */
            offset: number;
            /**
             * @description How many items match the filters, across all pages.
             * @example 1
             */
            total: number;
        };
        ImportSummaryDto: {
            /** @example 100 */
            create: number;
            /** @example 2 */
            invalidRows: number;
            /**
             * @description Valid rows left out: duplicates in the file, records that mode create/update does not touch, unknown references.
             * @example 1
             */
            skip: number;
            /** @example 120 */
            totalRows: number;
            /** @example 2 */
            unchanged: number;
            /** @example 15 */
            update: number;
            /** @example 118 */
            validRows: number;
            /**
             * @description Valid rows with at least one warning.
             * @example 3
             */
            warningRows: number;
        };
        ImportUndoCountsDto: {
            /** @description Records changed after the import, left alone by onConflict=skip. */
            conflicts: number;
            /** @description Created records that would be (soft-)deleted. */
            created: number;
            /** @description Records a bulk_delete job deleted, which would be restored (0 for an import). */
            deleted: number;
            /** @description Restored records that would be deleted again. */
            restored: number;
            /** @description Updated records whose prior values would come back. */
            updated: number;
        };
        ImportUndoPreviewDto: {
            /** @description The first conflicts; the rest from `GET /imports/jobs/{jobId}/conflicts`. */
            conflicts: components["schemas"]["ImportRecordPage"];
            counts: components["schemas"]["ImportUndoCountsDto"];
            /** Format: uuid */
            importJobId: string;
        };
        ImportUploadBodyDto: {
            /**
             * @description Write even if the import updates or restores more than IMPORT_MASS_CHANGE_PERCENT of the
             *     entity's records, or deactivates students. Used by uploads and directory imports; a preview
             *     takes it at commit instead.
             * @default false
             */
            confirmMassChange?: boolean;
            /** @example students */
            entity: components["schemas"]["ImportEntity"];
            /**
             * Format: binary
             * @description CSV (`,` `;` or tab; UTF-8, UTF-16, Windows-1253 or ISO-8859-7), JSON, NDJSON or XLSX.
             */
            file: Blob | File;
            /**
             * @description upsert creates new records and updates existing ones; create only creates; update only updates.
             * @default upsert
             */
            mode?: components["schemas"]["ImportMode"];
            /**
             * @description abort writes nothing while any row is invalid; skip writes the valid rows and reports the others.
             * @default abort
             */
            onInvalid?: components["schemas"]["InvalidRowPolicy"];
            /**
             * @description XLSX only: the worksheet to read; the first one by default.
             * @example Μαθητές
             */
            sheet?: string;
        };
        /** @enum {string} */
        InvalidRowPolicy: "abort" | "skip";
        /** @enum {string} */
        IssueSeverity: "error" | "warning";
        /**
         * @description A background job. `type` says which variant it is, and so the shape of its `parameters` and `result.data`.
         * @example {
         *       "id": "3b8f2e4a-7c1d-4e9a-b5f6-0d2c8a1e9f47",
         *       "type": "custom",
         *       "status": "processing",
         *       "runner": "external",
         *       "progress": {
         *         "percentage": 50,
         *         "message": "Imported 5 000 of 10 000 rows",
         *         "processed": 5000,
         *         "total": 10000,
         *         "unit": "rows",
         *         "failed": 3
         *       },
         *       "result": {
         *         "success": true,
         *         "message": "Imported 10 000 students",
         *         "counts": {
         *           "created": 9000,
         *           "updated": 1000
         *         },
         *         "errors": [],
         *         "warnings": [
         *           "Row 17: unknown column \"nickname\" ignored"
         *         ],
         *         "data": {
         *           "synchronised": 1000
         *         }
         *       },
         *       "error": null,
         *       "parameters": {
         *         "source": "registrar-sync"
         *       },
         *       "priority": 5,
         *       "createdBy": "0b9d3f7e-8c1a-4d2e-9f60-2a7b5c4d3e21",
         *       "createdAt": "2026-11-27T09:00:00.000Z",
         *       "startedAt": "2026-11-27T09:00:01.000Z",
         *       "finishedAt": null,
         *       "expiresAt": null,
         *       "cancelRequestedAt": null,
         *       "attempts": 1
         *     }
         */
        JobDto: components["schemas"]["BulkImportJob"] | components["schemas"]["BulkImportUndoJob"] | components["schemas"]["BulkUpdateJob"] | components["schemas"]["BulkDeleteJob"] | components["schemas"]["ExportLargeJob"] | components["schemas"]["BackupJob"] | components["schemas"]["BackupRestoreJob"] | components["schemas"]["MigrationJob"] | components["schemas"]["CleanupJob"] | components["schemas"]["CustomJob"] | components["schemas"]["AuditVerifyJob"];
        /** @description The `data` of each event of `GET /api/v1/jobs/{id}/events`, one JSON document per event: the job after a change. Each event also has an `id` to send back as `Last-Event-ID`. */
        JobEvent: {
            type: "JobEvent";
        } & Omit<components["schemas"]["JobDto"], "type">;
        JobPage: {
            items: components["schemas"]["JobDto"][];
            /** @example 50 */
            limit: number;
            /** @example 0 */
            offset: number;
            /**
             * @description How many items match the filters, across all pages.
             * @example 1
             */
            total: number;
        };
        JobProgressDto: {
            /** @example 3 */
            failed: number;
            /** @example Imported 5 000 of 10 000 rows */
            message: string | null;
            /** @example 50 */
            percentage: number;
            /** @example 5000 */
            processed: number;
            /** @example 10000 */
            total: number | null;
            /**
             * @description What `processed` and `total` count: `rows` (a commit of a preview, an export, a bulk change, an undo, a backup, a verify), `bytes` (an import reading its files for the first time; `total` is their size) or `steps`; absent when the job did not say.
             * @example rows
             */
            unit?: components["schemas"]["ProgressUnit"];
        };
        JobProgressUpdateDto: {
            /** @example 0 */
            failed?: number;
            /** @example Halfway there */
            message?: string;
            /**
             * @description Derived from processed/total when left out.
             * @example 50
             */
            percentage?: number;
            /** @example 500 */
            processed?: number;
            /** @example 1000 */
            total?: number;
            /**
             * @description What processed and total count.
             * @example rows
             */
            unit?: components["schemas"]["ProgressUnit"];
        };
        JobResultInputDto: {
            /**
             * @example {
             *       "synchronised": 1000
             *     }
             */
            counts?: {
                [key: string]: number;
            };
            data?: {
                [key: string]: unknown;
            };
            errors?: string[];
            /** @example Synchronised 1 000 records */
            message?: string;
            /** @default true */
            success?: boolean;
            warnings?: string[];
        };
        /**
         * @description `server`: run by the service's workers; `external`: driven by a script through the PATCH endpoints.
         * @enum {string}
         */
        JobRunner: "server" | "external";
        /** @enum {string} */
        JobStatus: "pending" | "processing" | "completed" | "failed" | "cancelled";
        /** @enum {string} */
        JobType: "bulk_import" | "bulk_import_undo" | "bulk_update" | "bulk_delete" | "export_large" | "backup" | "backup_restore" | "migration" | "cleanup" | "custom" | "audit_verify";
        LastImportDto: {
            /** @example μαθητές-2026.csv */
            fileName: string;
            /**
             * Format: uuid
             * @description The bulk_import job; `GET /imports/jobs/{jobId}/records` lists what it wrote.
             */
            jobId: string;
            /**
             * @description The row of the file, numbered as in the preview issues.
             * @example 7
             */
            row: number;
        };
        LivenessDto: {
            /** @example ok */
            status: string;
            /**
             * @description Seconds since the process started.
             * @example 123.4
             */
            uptime: number;
        };
        LoginRequestDto: {
            /** @example admin@school.example */
            email: string;
            /** @example change-me-please */
            password: string;
        };
        LoginResponseDto: {
            /**
             * @description Send as `Authorization: Bearer <accessToken>`.
             * @example eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIuLi4ifQ.c2lnbmF0dXJl
             */
            accessToken: string;
            /**
             * @description Seconds until the token expires.
             * @example 3600
             */
            expiresIn: number;
            /**
             * Format: uuid
             * @description The session this token belongs to; audit rows of its login and logout carry it as resourceId.
             * @example 5f53d218-cd18-4e8f-b37c-35f27667eb5f
             */
            sessionId: string;
            /** @example Bearer */
            tokenType: string;
            user: components["schemas"]["UserDto"];
        };
        MassChangeDto: {
            /**
             * @description Records the import updates or restores.
             * @example 360
             */
            changed: number;
            /**
             * @description The commit needs confirmMassChange: true.
             * @example true
             */
            confirmationNeeded: boolean;
            /**
             * @description Active students the import makes inactive.
             * @example 0
             */
            deactivated: number;
            /**
             * @description Records of the entity, deleted ones included, when the plan was made.
             * @example 1200
             */
            existing: number;
            /**
             * @description changed as a percentage of existing.
             * @example 30
             */
            percent: number;
            /**
             * @description IMPORT_MASS_CHANGE_PERCENT.
             * @example 20
             */
            thresholdPercent: number;
        };
        /** @description A job of type `migration`. */
        MigrationJob: {
            /**
             * @description Runs so far (retries and runs after a worker died count).
             * @example 1
             */
            attempts: number;
            /**
             * @description Set when someone cancelled a running job; it ends `cancelled` at its next batch boundary.
             * @example null
             */
            cancelRequestedAt: string | null;
            /** @example 2026-11-27T09:00:00.000Z */
            createdAt: string;
            /**
             * Format: uuid
             * @example 0b9d3f7e-8c1a-4d2e-9f60-2a7b5c4d3e21
             */
            createdBy: string | null;
            /** @example null */
            error: string | null;
            /**
             * @description When the finished job's record disappears.
             * @example null
             */
            expiresAt: string | null;
            /** @example null */
            finishedAt: string | null;
            /**
             * Format: uuid
             * @example 3b8f2e4a-7c1d-4e9a-b5f6-0d2c8a1e9f47
             */
            id: string;
            parameters: components["schemas"]["FreeFormJobData"];
            /**
             * @description 1 (lowest) to 10 (highest).
             * @example 5
             */
            priority: number;
            progress: components["schemas"]["JobProgressDto"];
            /** @description Set when the job has finished. */
            result: {
                /**
                 * @example {
                 *       "created": 9000,
                 *       "updated": 1000
                 *     }
                 */
                counts: {
                    [key: string]: number;
                };
                data: components["schemas"]["FreeFormJobData"] | null;
                /** @example [] */
                errors: string[];
                /** @example Imported 10 000 students */
                message: string | null;
                /** @example true */
                success: boolean;
                /**
                 * @example [
                 *       "Row 17: unknown column \"nickname\" ignored"
                 *     ]
                 */
                warnings: string[];
            } | null;
            /**
             * @description `server`: run by the service's workers; `external`: driven by a script through the PATCH endpoints.
             * @example external
             */
            runner: components["schemas"]["JobRunner"];
            /** @example 2026-11-27T09:00:01.000Z */
            startedAt: string | null;
            /** @example processing */
            status: components["schemas"]["JobStatus"];
            /** @enum {string} */
            type: "migration";
        };
        NamedValueDto: {
            /** @example Update */
            label: string;
            /** @example update */
            value: string;
        };
        /**
         * @description Stable machine code: switch on this, not on `title` or `detail`.
         * @enum {string}
         */
        ProblemCode: "already_undone" | "authentication_required" | "backup_corrupt" | "backup_file_missing" | "backup_not_found" | "backup_schema_mismatch" | "backup_without_admin" | "bad_gateway" | "bad_request" | "conflict" | "course_code_taken" | "current_password_incorrect" | "database_unavailable" | "dependency_unavailable" | "duplicate_field" | "email_taken" | "empty_file" | "enrollment_exists" | "error" | "export_file_missing" | "export_not_found" | "export_not_ready" | "file_too_large" | "forbidden" | "forbidden_json_key" | "forbidden_key" | "format_mismatch" | "gateway_timeout" | "headers_too_large" | "idempotency_key_reused" | "import_directory_empty" | "import_not_found" | "insufficient_role" | "internal_error" | "invalid_credentials" | "invalid_json" | "invalid_token" | "invalid_xlsx" | "job_finished" | "job_managed_by_server" | "job_not_found" | "job_type_runs_on_server" | "json_too_deep" | "last_admin" | "malformed_request" | "malformed_url" | "mass_change_unconfirmed" | "method_not_allowed" | "multipart_required" | "no_rows" | "not_acceptable" | "not_deleted" | "not_found" | "payload_too_large" | "preview_already_committed" | "preview_not_committable" | "preview_not_found" | "preview_outdated" | "queue_unavailable" | "rate_limit_unavailable" | "rate_limited" | "record_too_large" | "request_timeout" | "route_not_found" | "service_unavailable" | "sheet_not_found" | "student_email_taken" | "student_id_taken" | "too_many_columns" | "too_many_fields" | "too_many_files" | "too_many_parts" | "too_many_rows" | "undo_conflict" | "undo_expired" | "unexpected_file" | "unknown_course" | "unknown_student" | "unprocessable_content" | "unsupported_encoding" | "unsupported_format" | "unsupported_media_type" | "uri_too_long" | "validation_failed" | "xlsx_compression_ratio" | "xlsx_too_large";
        ProblemDetailsDto: {
            /**
             * @description Stable machine code: switch on this, not on `title` or `detail`.
             * @example validation_failed
             */
            code: components["schemas"]["ProblemCode"];
            /** @example The request has 1 invalid field. */
            detail?: string;
            errors?: components["schemas"]["FieldProblemDto"][];
            /**
             * @description The request id (also sent as `X-Request-ID`), to quote when reporting a problem.
             * @example urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e
             */
            instance: string;
            /** @example 400 */
            status: number;
            /** @example Bad Request */
            title: string;
            /** @example urn:problem:sms:validation_failed */
            type: string;
        };
        /**
         * @description What `processed` and `total` count: `rows` (a commit of a preview, an export, a bulk change, an undo, a backup, a verify), `bytes` (an import reading its files for the first time; `total` is their size) or `steps`; absent when the job did not say.
         * @enum {string}
         */
        ProgressUnit: "rows" | "bytes" | "steps";
        ReadinessChecksDto: {
            durability: components["schemas"]["DurabilityCheckDto"];
            postgresql: components["schemas"]["DependencyCheckDto"];
            redis: components["schemas"]["DependencyCheckDto"];
        };
        ReadinessDto: {
            checks: components["schemas"]["ReadinessChecksDto"];
            /** @example ready */
            status: components["schemas"]["ReadinessStatus"];
        };
        /** @enum {string} */
        ReadinessStatus: "ready" | "not_ready";
        RestoreBackupDto: {
            /**
             * @description Must be `true`: a restore replaces the students, courses, enrollments and users.
             * @example true
             * @enum {boolean}
             */
            confirm: true;
        };
        /** @enum {string} */
        Role: "admin" | "staff" | "auditor";
        StudentDto: {
            /** @example 2026-2027 */
            academicYear: string | null;
            /** @example A1 */
            classDivision: string | null;
            /**
             * Format: date-time
             * @example 2026-09-01T08:00:00.000Z
             */
            createdAt: string;
            /**
             * Format: date-time
             * @example null
             */
            deletedAt: string | null;
            /** @example maria.papadopoulou@school.example */
            email: string;
            /**
             * Format: date
             * @example 2026-09-01
             */
            enrollmentDate: string | null;
            /** @example Γεώργιος */
            fatherName: string | null;
            /** @example Μαρία */
            firstName: string;
            /** @example null */
            healthIssue: string | null;
            /** @example 42 */
            id: number;
            /** @example true */
            isActive: boolean;
            /** @description The committed import that last wrote this student; null if none has. */
            lastImport: components["schemas"]["LastImportDto"] | null;
            /** @example Παπαδοπούλου */
            lastName: string;
            /** @example +30 690 1234567 */
            mobilePhone: string | null;
            /** @example null */
            note: string | null;
            /** @example +30 210 1234567 */
            phone: string | null;
            /**
             * @description Natural key: uppercase, Greek look-alike capitals folded to Latin.
             * @example AB123456
             */
            studentId: string;
            /** @example 1 */
            studyYear: number | null;
            /**
             * Format: date-time
             * @example 2026-09-01T08:00:00.000Z
             */
            updatedAt: string;
        };
        /** @description The filters of `GET /api/v1/exports/students`, for an export job of students. */
        StudentExportFilters: {
            /**
             * @description Only records whose academic year is this value.
             * @example 2026-2027
             */
            academicYear?: string;
            /**
             * @description Only records whose class division is this value.
             * @example A1
             */
            classDivision?: string;
            /**
             * Format: date
             * @description Enrolled on or after this day.
             * @example 2026-09-01
             */
            enrollmentDateFrom?: string;
            /**
             * Format: date
             * @description Enrolled on or before this day.
             * @example 2026-09-30
             */
            enrollmentDateTo?: string;
            /**
             * @description Admins only: also export soft-deleted rows.
             * @default false
             */
            includeDeleted?: boolean;
            /** @description Only records whose status is this value. */
            isActive?: boolean;
            /**
             * @description Only records whose study year is this value.
             * @example 1
             */
            studyYear?: number;
        };
        /** @description One student of a JSON or NDJSON export: the API's field names and values, the keys `fields` names (by default every column but `deletedAt`). */
        StudentExportRow: {
            /** @description Academic year (Ακαδημαϊκό Έτος). */
            academicYear?: string | null;
            /** @description Class division (Τμήμα). */
            classDivision?: string | null;
            /**
             * Format: date-time
             * @description Created at (Δημιουργία).
             */
            createdAt?: string | null;
            /**
             * Format: date-time
             * @description Deleted at (Διαγραφή). Only when named in `fields`.
             */
            deletedAt?: string | null;
            /** @description Email (Ηλ. Ταχυδρομείο:). */
            email?: string | null;
            /**
             * Format: date
             * @description Enrollment date (Ημερομηνία Εγγραφής).
             */
            enrollmentDate?: string | null;
            /** @description Father's name (Όνομα Πατέρα:). */
            fatherName?: string | null;
            /** @description First name (Όνομα:). */
            firstName?: string | null;
            /** @description Health issue (Θέματα Υγείας). */
            healthIssue?: string | null;
            /** @description ID (Α/Α). */
            id?: number | null;
            /** @description Status (Κατάσταση). */
            isActive?: boolean | null;
            /** @description Last name (Επώνυμο:). */
            lastName?: string | null;
            /** @description Mobile phone (Αρ. Κινητού Τηλεφώνου:). */
            mobilePhone?: string | null;
            /** @description Note (Σημείωση). */
            note?: string | null;
            /** @description Phone (Αρ. Σταθερού Τηλεφώνου:). */
            phone?: string | null;
            /** @description Student ID (Αριθμός Δελτίου Ταυτότητας:). */
            studentId?: string | null;
            /** @description Study year (Έτος Σπουδών:). */
            studyYear?: number | null;
            /**
             * Format: date-time
             * @description Updated at (Τελευταία αλλαγή).
             */
            updatedAt?: string | null;
        };
        StudentPage: {
            items: components["schemas"]["StudentDto"][];
            /** @example 50 */
            limit: number;
            /** @example 0 */
            offset: number;
            /**
             * @description How many items match the filters, across all pages.
             * @example 1
             */
            total: number;
        };
        /** @enum {string} */
        StudentSort: "id" | "-id" | "studentId" | "-studentId" | "lastName" | "-lastName" | "firstName" | "-firstName" | "email" | "-email" | "studyYear" | "-studyYear" | "enrollmentDate" | "-enrollmentDate" | "createdAt" | "-createdAt" | "updatedAt" | "-updatedAt";
        SuppliedCheckpointDto: {
            /** Format: date-time */
            createdAt: string;
            fromSeq?: number | null;
            hash: string;
            /** @description As exported; not part of what is signed, so not used. */
            id?: number;
            kind: components["schemas"]["AuditCheckpointKind"];
            publicKey: string;
            rowId: number;
            seq: number;
            signature: string;
        };
        /** @enum {string} */
        UndoConflictPolicy: "refuse" | "skip";
        UpdateCourseDto: {
            /**
             * @description Letters of any script, digits, `_`, `-` and `.`; stored uppercase.
             * @example math101
             */
            courseCode?: string;
            /** @example Άλγεβρα Α΄ Λυκείου */
            courseName?: string;
            /** @example 3 */
            credits?: number;
            /** @example Εξισώσεις, ανισώσεις και συναρτήσεις. */
            description?: string | null;
            /**
             * @description How the final grade is made up: distinct categories whose weights add up to 100.
             * @example [
             *       {
             *         "category": "Γραπτές εξετάσεις",
             *         "weight": 70
             *       },
             *       {
             *         "category": "Προφορική εξέταση",
             *         "weight": 30
             *       }
             *     ]
             */
            evaluationRules?: components["schemas"]["EvaluationRuleDto"][] | null;
            /** @example 4 */
            hoursPerWeek?: number | null;
            isActive?: boolean;
            /** @example 5 */
            periodsPerWeek?: number | null;
            /** @example Α΄ Τετράμηνο 2026-2027 */
            semester?: string;
        };
        UpdateEnrollmentDto: {
            /**
             * Format: date
             * @description Not in the future.
             * @example 2026-09-11
             */
            enrolledAt?: string;
            status?: components["schemas"]["EnrollmentStatus"];
        };
        UpdateStudentDto: {
            /** @example 2026-2027 */
            academicYear?: string | null;
            /** @example A1 */
            classDivision?: string | null;
            /**
             * Format: email
             * @example maria.papadopoulou@school.example
             */
            email?: string;
            /**
             * Format: date
             * @description Not in the future.
             * @example 2026-09-01
             */
            enrollmentDate?: string | null;
            /** @example Γεώργιος */
            fatherName?: string | null;
            /** @example Μαρία */
            firstName?: string;
            healthIssue?: string | null;
            isActive?: boolean;
            /** @example Παπαδοπούλου */
            lastName?: string;
            /** @example +30 690 1234567 */
            mobilePhone?: string | null;
            note?: string | null;
            /** @example +30 210 1234567 */
            phone?: string | null;
            /**
             * @description Letters of any script, digits, `_` and `-`; stored uppercase with Greek look-alikes folded to Latin.
             * @example ΑΒ123456
             */
            studentId?: string;
            /** @example 1 */
            studyYear?: number | null;
        };
        UpdateUserDto: {
            /** @example false */
            isActive?: boolean;
            password?: string;
            /** @example auditor */
            role?: components["schemas"]["Role"];
        };
        UserDto: {
            /**
             * Format: date-time
             * @example 2026-09-01T08:00:00.000Z
             */
            createdAt: string;
            /** @example secretary@school.example */
            email: string;
            /**
             * Format: uuid
             * @example 0b9d3f7e-8c1a-4d2e-9f60-2a7b5c4d3e21
             */
            id: string;
            /** @example true */
            isActive: boolean;
            /** @example staff */
            role: components["schemas"]["Role"];
            /**
             * Format: date-time
             * @example 2026-09-01T08:00:00.000Z
             */
            updatedAt: string;
        };
        UserPage: {
            items: components["schemas"]["UserDto"][];
            /** @example 50 */
            limit: number;
            /** @example 0 */
            offset: number;
            /**
             * @description How many items match the filters, across all pages.
             * @example 1
             */
            total: number;
        };
    };
    responses: never;
    parameters: {
        /** @description Any 1..255 visible ASCII characters, unique per intended job: a repeat with the same body answers the job it created. */
        "Idempotency-Key": string;
    };
    requestBodies: never;
    headers: {
        /** @description `attachment` with the file name twice: an ASCII `filename=` and the exact UTF-8 name as `filename*=UTF-8''…` (RFC 6266 / RFC 5987), for example `attachment; filename="students-20261130T101500Z.csv"; filename*=UTF-8''students-20261130T101500Z.csv`. */
        "Content-Disposition": string;
        /** @description `true` when an earlier request with the same `Idempotency-Key` created the job answered. */
        "Idempotency-Replayed": "true";
        /** @description Seconds to wait before retrying. */
        "Retry-After": number;
        /** @description Requests allowed in the current window. */
        "X-RateLimit-Limit": number;
        /** @description Requests left in the current window. */
        "X-RateLimit-Remaining": number;
        /** @description Seconds until the window resets. */
        "X-RateLimit-Reset": number;
        /** @description The id of this request (the one sent, when it was a sane token). */
        "X-Request-ID": string;
    };
    pathItems: never;
};
export type $defs = Record<string, never>;
export interface operations {
    listAuditLogs: {
        parameters: {
            query?: {
                /** @description Only rows of this action, e.g. `update` (`GET /audit/actions` lists them). */
                action?: components["schemas"]["AuditAction"];
                /** @description The acting user's email, exactly (case-insensitive). For example `secretary@school.example`. */
                email?: string;
                /** @description Up to this instant, inclusive; not before `startDate`. For example `2026-11-30T23:59:59Z`. */
                endDate?: string;
                /** @description How many items to return (1..500). */
                limit?: number;
                /** @description How many items to skip. */
                offset?: number;
                /** @description Only rows of the request with this id (the `X-Request-ID` of its response). */
                requestId?: string;
                /** @description Only rows about this kind of resource, e.g. `student` (`GET /audit/resources` lists them). */
                resource?: components["schemas"]["AuditResource"];
                /** @description Only rows about the resource with this id (with `resource`, one record). For example `42`. */
                resourceId?: string;
                /** @description From this instant on (ISO 8601, e.g. `2026-11-01` or `2026-11-01T08:00:00Z`). For example `2026-11-01T00:00:00Z`. */
                startDate?: string;
                /** @description true: only actions that succeeded; false: only refused or failed ones. */
                success?: boolean;
                /** @description Only rows of the acting user with this id. */
                userId?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    "X-RateLimit-Limit": components["headers"]["X-RateLimit-Limit"];
                    "X-RateLimit-Remaining": components["headers"]["X-RateLimit-Remaining"];
                    "X-RateLimit-Reset": components["headers"]["X-RateLimit-Reset"];
                    "X-Request-ID": components["headers"]["X-Request-ID"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["AuditLogPage"];
                };
            };
            /** @description The request is malformed or a field is invalid (`validation_failed` lists each field in `errors`). */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:validation_failed",
                     *       "title": "Bad Request",
                     *       "status": 400,
                     *       "detail": "The request has 1 invalid field.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "validation_failed",
                     *       "errors": [
                     *         {
                     *           "field": "email",
                     *           "code": "isEmail",
                     *           "message": "email must be an email"
                     *         }
                     *       ]
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description No bearer token, or the token is invalid, expired or revoked. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:authentication_required",
                     *       "title": "Unauthorized",
                     *       "status": 401,
                     *       "detail": "Send a bearer token: Authorization: Bearer <accessToken>.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "authentication_required"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description The signed-in user's role may not do this. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:insufficient_role",
                     *       "title": "Forbidden",
                     *       "status": 403,
                     *       "detail": "This needs one of the roles admin, staff.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "insufficient_role"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description Rate limit exceeded; `Retry-After` says how many seconds to wait. */
            429: {
                headers: {
                    "Retry-After": components["headers"]["Retry-After"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:rate_limited",
                     *       "title": "Too Many Requests",
                     *       "status": 429,
                     *       "detail": "Too many requests; retry after the time given in Retry-After.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "rate_limited"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description An unexpected error; the body names the request id to quote. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:internal_error",
                     *       "title": "Internal Server Error",
                     *       "status": 500,
                     *       "detail": "An unexpected error occurred; quote the instance when reporting it.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "internal_error"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description A dependency is unavailable (`database_unavailable`: PostgreSQL, `queue_unavailable`: Redis, `rate_limit_unavailable`: sign-in's rate-limit store); `Retry-After` says how many seconds to wait. */
            503: {
                headers: {
                    "Retry-After": components["headers"]["Retry-After"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:database_unavailable",
                     *       "title": "Service Unavailable",
                     *       "status": 503,
                     *       "detail": "The database (PostgreSQL) cannot be reached; retry after the time given in Retry-After.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "database_unavailable"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
        };
    };
    getAuditLog: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The audit row's id. */
                id: number;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    "X-RateLimit-Limit": components["headers"]["X-RateLimit-Limit"];
                    "X-RateLimit-Remaining": components["headers"]["X-RateLimit-Remaining"];
                    "X-RateLimit-Reset": components["headers"]["X-RateLimit-Reset"];
                    "X-Request-ID": components["headers"]["X-Request-ID"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["AuditLogDto"];
                };
            };
            /** @description The request is malformed or a field is invalid (`validation_failed` lists each field in `errors`). */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:validation_failed",
                     *       "title": "Bad Request",
                     *       "status": 400,
                     *       "detail": "The request has 1 invalid field.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "validation_failed",
                     *       "errors": [
                     *         {
                     *           "field": "email",
                     *           "code": "isEmail",
                     *           "message": "email must be an email"
                     *         }
                     *       ]
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description No bearer token, or the token is invalid, expired or revoked. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:authentication_required",
                     *       "title": "Unauthorized",
                     *       "status": 401,
                     *       "detail": "Send a bearer token: Authorization: Bearer <accessToken>.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "authentication_required"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description The signed-in user's role may not do this. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:insufficient_role",
                     *       "title": "Forbidden",
                     *       "status": 403,
                     *       "detail": "This needs one of the roles admin, staff.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "insufficient_role"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description The resource does not exist (or belongs to someone else). */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:not_found",
                     *       "title": "Not Found",
                     *       "status": 404,
                     *       "detail": "Student 42 was not found.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "not_found"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description Rate limit exceeded; `Retry-After` says how many seconds to wait. */
            429: {
                headers: {
                    "Retry-After": components["headers"]["Retry-After"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:rate_limited",
                     *       "title": "Too Many Requests",
                     *       "status": 429,
                     *       "detail": "Too many requests; retry after the time given in Retry-After.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "rate_limited"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description An unexpected error; the body names the request id to quote. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:internal_error",
                     *       "title": "Internal Server Error",
                     *       "status": 500,
                     *       "detail": "An unexpected error occurred; quote the instance when reporting it.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "internal_error"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description A dependency is unavailable (`database_unavailable`: PostgreSQL, `queue_unavailable`: Redis, `rate_limit_unavailable`: sign-in's rate-limit store); `Retry-After` says how many seconds to wait. */
            503: {
                headers: {
                    "Retry-After": components["headers"]["Retry-After"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:database_unavailable",
                     *       "title": "Service Unavailable",
                     *       "status": 503,
                     *       "detail": "The database (PostgreSQL) cannot be reached; retry after the time given in Retry-After.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "database_unavailable"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
        };
    };
    listAuditActions: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    "X-RateLimit-Limit": components["headers"]["X-RateLimit-Limit"];
                    "X-RateLimit-Remaining": components["headers"]["X-RateLimit-Remaining"];
                    "X-RateLimit-Reset": components["headers"]["X-RateLimit-Reset"];
                    "X-Request-ID": components["headers"]["X-Request-ID"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["NamedValueDto"][];
                };
            };
            /** @description No bearer token, or the token is invalid, expired or revoked. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:authentication_required",
                     *       "title": "Unauthorized",
                     *       "status": 401,
                     *       "detail": "Send a bearer token: Authorization: Bearer <accessToken>.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "authentication_required"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description The signed-in user's role may not do this. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:insufficient_role",
                     *       "title": "Forbidden",
                     *       "status": 403,
                     *       "detail": "This needs one of the roles admin, staff.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "insufficient_role"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description Rate limit exceeded; `Retry-After` says how many seconds to wait. */
            429: {
                headers: {
                    "Retry-After": components["headers"]["Retry-After"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:rate_limited",
                     *       "title": "Too Many Requests",
                     *       "status": 429,
                     *       "detail": "Too many requests; retry after the time given in Retry-After.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "rate_limited"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description An unexpected error; the body names the request id to quote. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:internal_error",
                     *       "title": "Internal Server Error",
                     *       "status": 500,
                     *       "detail": "An unexpected error occurred; quote the instance when reporting it.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "internal_error"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description A dependency is unavailable (`database_unavailable`: PostgreSQL, `queue_unavailable`: Redis, `rate_limit_unavailable`: sign-in's rate-limit store); `Retry-After` says how many seconds to wait. */
            503: {
                headers: {
                    "Retry-After": components["headers"]["Retry-After"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:database_unavailable",
                     *       "title": "Service Unavailable",
                     *       "status": 503,
                     *       "detail": "The database (PostgreSQL) cannot be reached; retry after the time given in Retry-After.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "database_unavailable"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
        };
    };
    listCheckpoints: {
        parameters: {
            query?: {
                /** @description How many items to return (1..500). */
                limit?: number;
                /** @description How many items to skip. */
                offset?: number;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    "X-RateLimit-Limit": components["headers"]["X-RateLimit-Limit"];
                    "X-RateLimit-Remaining": components["headers"]["X-RateLimit-Remaining"];
                    "X-RateLimit-Reset": components["headers"]["X-RateLimit-Reset"];
                    "X-Request-ID": components["headers"]["X-Request-ID"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["AuditCheckpointPage"];
                };
            };
            /** @description The request is malformed or a field is invalid (`validation_failed` lists each field in `errors`). */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:validation_failed",
                     *       "title": "Bad Request",
                     *       "status": 400,
                     *       "detail": "The request has 1 invalid field.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "validation_failed",
                     *       "errors": [
                     *         {
                     *           "field": "email",
                     *           "code": "isEmail",
                     *           "message": "email must be an email"
                     *         }
                     *       ]
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description No bearer token, or the token is invalid, expired or revoked. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:authentication_required",
                     *       "title": "Unauthorized",
                     *       "status": 401,
                     *       "detail": "Send a bearer token: Authorization: Bearer <accessToken>.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "authentication_required"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description The signed-in user's role may not do this. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:insufficient_role",
                     *       "title": "Forbidden",
                     *       "status": 403,
                     *       "detail": "This needs one of the roles admin, staff.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "insufficient_role"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description Rate limit exceeded; `Retry-After` says how many seconds to wait. */
            429: {
                headers: {
                    "Retry-After": components["headers"]["Retry-After"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:rate_limited",
                     *       "title": "Too Many Requests",
                     *       "status": 429,
                     *       "detail": "Too many requests; retry after the time given in Retry-After.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "rate_limited"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description An unexpected error; the body names the request id to quote. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:internal_error",
                     *       "title": "Internal Server Error",
                     *       "status": 500,
                     *       "detail": "An unexpected error occurred; quote the instance when reporting it.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "internal_error"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description A dependency is unavailable (`database_unavailable`: PostgreSQL, `queue_unavailable`: Redis, `rate_limit_unavailable`: sign-in's rate-limit store); `Retry-After` says how many seconds to wait. */
            503: {
                headers: {
                    "Retry-After": components["headers"]["Retry-After"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:database_unavailable",
                     *       "title": "Service Unavailable",
                     *       "status": 503,
                     *       "detail": "The database (PostgreSQL) cannot be reached; retry after the time given in Retry-After.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "database_unavailable"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
        };
    };
    exportCheckpoints: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description One checkpoint per line, as GET /audit/checkpoints shows them. */
            200: {
                headers: {
                    "Content-Disposition": components["headers"]["Content-Disposition"];
                    "X-RateLimit-Limit": components["headers"]["X-RateLimit-Limit"];
                    "X-RateLimit-Remaining": components["headers"]["X-RateLimit-Remaining"];
                    "X-RateLimit-Reset": components["headers"]["X-RateLimit-Reset"];
                    "X-Request-ID": components["headers"]["X-Request-ID"];
                    [name: string]: unknown;
                };
                content: {
                    "application/x-ndjson; charset=utf-8": Blob | File;
                };
            };
            /** @description No bearer token, or the token is invalid, expired or revoked. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:authentication_required",
                     *       "title": "Unauthorized",
                     *       "status": 401,
                     *       "detail": "Send a bearer token: Authorization: Bearer <accessToken>.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "authentication_required"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description The signed-in user's role may not do this. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:insufficient_role",
                     *       "title": "Forbidden",
                     *       "status": 403,
                     *       "detail": "This needs one of the roles admin, staff.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "insufficient_role"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description Rate limit exceeded; `Retry-After` says how many seconds to wait. */
            429: {
                headers: {
                    "Retry-After": components["headers"]["Retry-After"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:rate_limited",
                     *       "title": "Too Many Requests",
                     *       "status": 429,
                     *       "detail": "Too many requests; retry after the time given in Retry-After.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "rate_limited"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description An unexpected error; the body names the request id to quote. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:internal_error",
                     *       "title": "Internal Server Error",
                     *       "status": 500,
                     *       "detail": "An unexpected error occurred; quote the instance when reporting it.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "internal_error"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description A dependency is unavailable (`database_unavailable`: PostgreSQL, `queue_unavailable`: Redis, `rate_limit_unavailable`: sign-in's rate-limit store); `Retry-After` says how many seconds to wait. */
            503: {
                headers: {
                    "Retry-After": components["headers"]["Retry-After"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:database_unavailable",
                     *       "title": "Service Unavailable",
                     *       "status": 503,
                     *       "detail": "The database (PostgreSQL) cannot be reached; retry after the time given in Retry-After.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "database_unavailable"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
        };
    };
    exportAuditLogs: {
        parameters: {
            query: {
                /** @description Only rows of this action, e.g. `update` (`GET /audit/actions` lists them). */
                action?: components["schemas"]["AuditAction"];
                /** @description The acting user's email, exactly (case-insensitive). For example `secretary@school.example`. */
                email?: string;
                /** @description Up to this instant, inclusive; not before `startDate`. For example `2026-11-30T23:59:59Z`. */
                endDate?: string;
                /** @description CSV with a header row, or NDJSON (one JSON object per line). */
                format: components["schemas"]["AuditExportFormat"];
                /** @description Only rows of the request with this id (the `X-Request-ID` of its response). */
                requestId?: string;
                /** @description Only rows about this kind of resource, e.g. `student` (`GET /audit/resources` lists them). */
                resource?: components["schemas"]["AuditResource"];
                /** @description Only rows about the resource with this id (with `resource`, one record). For example `42`. */
                resourceId?: string;
                /** @description From this instant on (ISO 8601, e.g. `2026-11-01` or `2026-11-01T08:00:00Z`). For example `2026-11-01T00:00:00Z`. */
                startDate?: string;
                /** @description true: only actions that succeeded; false: only refused or failed ones. */
                success?: boolean;
                /** @description Only rows of the acting user with this id. */
                userId?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The rows; CSV has a header row and neutralises cells a spreadsheet would run as formulas; NDJSON has one AuditLogDto per line. */
            200: {
                headers: {
                    "Content-Disposition": components["headers"]["Content-Disposition"];
                    "X-RateLimit-Limit": components["headers"]["X-RateLimit-Limit"];
                    "X-RateLimit-Remaining": components["headers"]["X-RateLimit-Remaining"];
                    "X-RateLimit-Reset": components["headers"]["X-RateLimit-Reset"];
                    "X-Request-ID": components["headers"]["X-Request-ID"];
                    [name: string]: unknown;
                };
                content: {
                    "application/x-ndjson; charset=utf-8": Blob | File;
                    "text/csv; charset=utf-8": Blob | File;
                };
            };
            /** @description The request is malformed or a field is invalid (`validation_failed` lists each field in `errors`). */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:validation_failed",
                     *       "title": "Bad Request",
                     *       "status": 400,
                     *       "detail": "The request has 1 invalid field.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "validation_failed",
                     *       "errors": [
                     *         {
                     *           "field": "email",
                     *           "code": "isEmail",
                     *           "message": "email must be an email"
                     *         }
                     *       ]
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description No bearer token, or the token is invalid, expired or revoked. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:authentication_required",
                     *       "title": "Unauthorized",
                     *       "status": 401,
                     *       "detail": "Send a bearer token: Authorization: Bearer <accessToken>.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "authentication_required"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description The signed-in user's role may not do this. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:insufficient_role",
                     *       "title": "Forbidden",
                     *       "status": 403,
                     *       "detail": "This needs one of the roles admin, staff.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "insufficient_role"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description Rate limit exceeded; `Retry-After` says how many seconds to wait. */
            429: {
                headers: {
                    "Retry-After": components["headers"]["Retry-After"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:rate_limited",
                     *       "title": "Too Many Requests",
                     *       "status": 429,
                     *       "detail": "Too many requests; retry after the time given in Retry-After.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "rate_limited"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description An unexpected error; the body names the request id to quote. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:internal_error",
                     *       "title": "Internal Server Error",
                     *       "status": 500,
                     *       "detail": "An unexpected error occurred; quote the instance when reporting it.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "internal_error"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description A dependency is unavailable (`database_unavailable`: PostgreSQL, `queue_unavailable`: Redis, `rate_limit_unavailable`: sign-in's rate-limit store); `Retry-After` says how many seconds to wait. */
            503: {
                headers: {
                    "Retry-After": components["headers"]["Retry-After"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:database_unavailable",
                     *       "title": "Service Unavailable",
                     *       "status": 503,
                     *       "detail": "The database (PostgreSQL) cannot be reached; retry after the time given in Retry-After.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "database_unavailable"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
        };
    };
    listAuditResources: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    "X-RateLimit-Limit": components["headers"]["X-RateLimit-Limit"];
                    "X-RateLimit-Remaining": components["headers"]["X-RateLimit-Remaining"];
                    "X-RateLimit-Reset": components["headers"]["X-RateLimit-Reset"];
                    "X-Request-ID": components["headers"]["X-Request-ID"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["NamedValueDto"][];
                };
            };
            /** @description No bearer token, or the token is invalid, expired or revoked. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:authentication_required",
                     *       "title": "Unauthorized",
                     *       "status": 401,
                     *       "detail": "Send a bearer token: Authorization: Bearer <accessToken>.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "authentication_required"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description The signed-in user's role may not do this. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:insufficient_role",
                     *       "title": "Forbidden",
                     *       "status": 403,
                     *       "detail": "This needs one of the roles admin, staff.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "insufficient_role"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description Rate limit exceeded; `Retry-After` says how many seconds to wait. */
            429: {
                headers: {
                    "Retry-After": components["headers"]["Retry-After"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:rate_limited",
                     *       "title": "Too Many Requests",
                     *       "status": 429,
                     *       "detail": "Too many requests; retry after the time given in Retry-After.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "rate_limited"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description An unexpected error; the body names the request id to quote. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:internal_error",
                     *       "title": "Internal Server Error",
                     *       "status": 500,
                     *       "detail": "An unexpected error occurred; quote the instance when reporting it.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "internal_error"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description A dependency is unavailable (`database_unavailable`: PostgreSQL, `queue_unavailable`: Redis, `rate_limit_unavailable`: sign-in's rate-limit store); `Retry-After` says how many seconds to wait. */
            503: {
                headers: {
                    "Retry-After": components["headers"]["Retry-After"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:database_unavailable",
                     *       "title": "Service Unavailable",
                     *       "status": 503,
                     *       "detail": "The database (PostgreSQL) cannot be reached; retry after the time given in Retry-After.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "database_unavailable"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
        };
    };
    verifyAuditChain: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["AuditVerifyRequestDto"];
            };
        };
        responses: {
            /** @description The job it started, as it stands now; `Location` is the job, to read again for its progress and result. */
            202: {
                headers: {
                    /** @description The URL of the job. */
                    Location?: string;
                    "X-RateLimit-Limit": components["headers"]["X-RateLimit-Limit"];
                    "X-RateLimit-Remaining": components["headers"]["X-RateLimit-Remaining"];
                    "X-RateLimit-Reset": components["headers"]["X-RateLimit-Reset"];
                    "X-Request-ID": components["headers"]["X-Request-ID"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["JobDto"];
                };
            };
            /** @description The request is malformed or a field is invalid (`validation_failed` lists each field in `errors`). */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:validation_failed",
                     *       "title": "Bad Request",
                     *       "status": 400,
                     *       "detail": "The request has 1 invalid field.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "validation_failed",
                     *       "errors": [
                     *         {
                     *           "field": "email",
                     *           "code": "isEmail",
                     *           "message": "email must be an email"
                     *         }
                     *       ]
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description No bearer token, or the token is invalid, expired or revoked. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:authentication_required",
                     *       "title": "Unauthorized",
                     *       "status": 401,
                     *       "detail": "Send a bearer token: Authorization: Bearer <accessToken>.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "authentication_required"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description The signed-in user's role may not do this. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:insufficient_role",
                     *       "title": "Forbidden",
                     *       "status": 403,
                     *       "detail": "This needs one of the roles admin, staff.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "insufficient_role"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description The request body is larger than the route accepts. */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:payload_too_large",
                     *       "title": "Payload Too Large",
                     *       "status": 413,
                     *       "detail": "The request body is larger than this route accepts.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "payload_too_large"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description The request body has a content type the route does not accept. */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:unsupported_media_type",
                     *       "title": "Unsupported Media Type",
                     *       "status": 415,
                     *       "detail": "This route does not accept a body of that content type.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "unsupported_media_type"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description Rate limit exceeded; `Retry-After` says how many seconds to wait. */
            429: {
                headers: {
                    "Retry-After": components["headers"]["Retry-After"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:rate_limited",
                     *       "title": "Too Many Requests",
                     *       "status": 429,
                     *       "detail": "Too many requests; retry after the time given in Retry-After.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "rate_limited"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description An unexpected error; the body names the request id to quote. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:internal_error",
                     *       "title": "Internal Server Error",
                     *       "status": 500,
                     *       "detail": "An unexpected error occurred; quote the instance when reporting it.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "internal_error"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description A dependency is unavailable (`database_unavailable`: PostgreSQL, `queue_unavailable`: Redis, `rate_limit_unavailable`: sign-in's rate-limit store); `Retry-After` says how many seconds to wait. */
            503: {
                headers: {
                    "Retry-After": components["headers"]["Retry-After"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:database_unavailable",
                     *       "title": "Service Unavailable",
                     *       "status": 503,
                     *       "detail": "The database (PostgreSQL) cannot be reached; retry after the time given in Retry-After.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "database_unavailable"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
        };
    };
    login: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["LoginRequestDto"];
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    "X-RateLimit-Limit": components["headers"]["X-RateLimit-Limit"];
                    "X-RateLimit-Remaining": components["headers"]["X-RateLimit-Remaining"];
                    "X-RateLimit-Reset": components["headers"]["X-RateLimit-Reset"];
                    "X-Request-ID": components["headers"]["X-Request-ID"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["LoginResponseDto"];
                };
            };
            /** @description The request is malformed or a field is invalid (`validation_failed` lists each field in `errors`). */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:validation_failed",
                     *       "title": "Bad Request",
                     *       "status": 400,
                     *       "detail": "The request has 1 invalid field.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "validation_failed",
                     *       "errors": [
                     *         {
                     *           "field": "email",
                     *           "code": "isEmail",
                     *           "message": "email must be an email"
                     *         }
                     *       ]
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description No bearer token, or the token is invalid, expired or revoked. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:authentication_required",
                     *       "title": "Unauthorized",
                     *       "status": 401,
                     *       "detail": "Send a bearer token: Authorization: Bearer <accessToken>.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "authentication_required"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description The request body is larger than the route accepts. */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:payload_too_large",
                     *       "title": "Payload Too Large",
                     *       "status": 413,
                     *       "detail": "The request body is larger than this route accepts.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "payload_too_large"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description The request body has a content type the route does not accept. */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:unsupported_media_type",
                     *       "title": "Unsupported Media Type",
                     *       "status": 415,
                     *       "detail": "This route does not accept a body of that content type.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "unsupported_media_type"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description Rate limit exceeded; `Retry-After` says how many seconds to wait. */
            429: {
                headers: {
                    "Retry-After": components["headers"]["Retry-After"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:rate_limited",
                     *       "title": "Too Many Requests",
                     *       "status": 429,
                     *       "detail": "Too many requests; retry after the time given in Retry-After.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "rate_limited"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description An unexpected error; the body names the request id to quote. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:internal_error",
                     *       "title": "Internal Server Error",
                     *       "status": 500,
                     *       "detail": "An unexpected error occurred; quote the instance when reporting it.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "internal_error"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description A dependency is unavailable (`database_unavailable`: PostgreSQL, `queue_unavailable`: Redis, `rate_limit_unavailable`: sign-in's rate-limit store); `Retry-After` says how many seconds to wait. */
            503: {
                headers: {
                    "Retry-After": components["headers"]["Retry-After"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:database_unavailable",
                     *       "title": "Service Unavailable",
                     *       "status": 503,
                     *       "detail": "The database (PostgreSQL) cannot be reached; retry after the time given in Retry-After.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "database_unavailable"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
        };
    };
    logout: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description No Content */
            204: {
                headers: {
                    "X-RateLimit-Limit": components["headers"]["X-RateLimit-Limit"];
                    "X-RateLimit-Remaining": components["headers"]["X-RateLimit-Remaining"];
                    "X-RateLimit-Reset": components["headers"]["X-RateLimit-Reset"];
                    "X-Request-ID": components["headers"]["X-Request-ID"];
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description No bearer token, or the token is invalid, expired or revoked. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:authentication_required",
                     *       "title": "Unauthorized",
                     *       "status": 401,
                     *       "detail": "Send a bearer token: Authorization: Bearer <accessToken>.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "authentication_required"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description Rate limit exceeded; `Retry-After` says how many seconds to wait. */
            429: {
                headers: {
                    "Retry-After": components["headers"]["Retry-After"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:rate_limited",
                     *       "title": "Too Many Requests",
                     *       "status": 429,
                     *       "detail": "Too many requests; retry after the time given in Retry-After.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "rate_limited"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description An unexpected error; the body names the request id to quote. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:internal_error",
                     *       "title": "Internal Server Error",
                     *       "status": 500,
                     *       "detail": "An unexpected error occurred; quote the instance when reporting it.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "internal_error"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description A dependency is unavailable (`database_unavailable`: PostgreSQL, `queue_unavailable`: Redis, `rate_limit_unavailable`: sign-in's rate-limit store); `Retry-After` says how many seconds to wait. */
            503: {
                headers: {
                    "Retry-After": components["headers"]["Retry-After"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:database_unavailable",
                     *       "title": "Service Unavailable",
                     *       "status": 503,
                     *       "detail": "The database (PostgreSQL) cannot be reached; retry after the time given in Retry-After.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "database_unavailable"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
        };
    };
    getCurrentUser: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    "X-RateLimit-Limit": components["headers"]["X-RateLimit-Limit"];
                    "X-RateLimit-Remaining": components["headers"]["X-RateLimit-Remaining"];
                    "X-RateLimit-Reset": components["headers"]["X-RateLimit-Reset"];
                    "X-Request-ID": components["headers"]["X-Request-ID"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["UserDto"];
                };
            };
            /** @description No bearer token, or the token is invalid, expired or revoked. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:authentication_required",
                     *       "title": "Unauthorized",
                     *       "status": 401,
                     *       "detail": "Send a bearer token: Authorization: Bearer <accessToken>.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "authentication_required"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description Rate limit exceeded; `Retry-After` says how many seconds to wait. */
            429: {
                headers: {
                    "Retry-After": components["headers"]["Retry-After"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:rate_limited",
                     *       "title": "Too Many Requests",
                     *       "status": 429,
                     *       "detail": "Too many requests; retry after the time given in Retry-After.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "rate_limited"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description An unexpected error; the body names the request id to quote. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:internal_error",
                     *       "title": "Internal Server Error",
                     *       "status": 500,
                     *       "detail": "An unexpected error occurred; quote the instance when reporting it.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "internal_error"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description A dependency is unavailable (`database_unavailable`: PostgreSQL, `queue_unavailable`: Redis, `rate_limit_unavailable`: sign-in's rate-limit store); `Retry-After` says how many seconds to wait. */
            503: {
                headers: {
                    "Retry-After": components["headers"]["Retry-After"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:database_unavailable",
                     *       "title": "Service Unavailable",
                     *       "status": 503,
                     *       "detail": "The database (PostgreSQL) cannot be reached; retry after the time given in Retry-After.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "database_unavailable"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
        };
    };
    changePassword: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["ChangePasswordDto"];
            };
        };
        responses: {
            /** @description No Content */
            204: {
                headers: {
                    "X-RateLimit-Limit": components["headers"]["X-RateLimit-Limit"];
                    "X-RateLimit-Remaining": components["headers"]["X-RateLimit-Remaining"];
                    "X-RateLimit-Reset": components["headers"]["X-RateLimit-Reset"];
                    "X-Request-ID": components["headers"]["X-Request-ID"];
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description The request is malformed or a field is invalid (`validation_failed` lists each field in `errors`). */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:validation_failed",
                     *       "title": "Bad Request",
                     *       "status": 400,
                     *       "detail": "The request has 1 invalid field.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "validation_failed",
                     *       "errors": [
                     *         {
                     *           "field": "email",
                     *           "code": "isEmail",
                     *           "message": "email must be an email"
                     *         }
                     *       ]
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description No bearer token, or the token is invalid, expired or revoked. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:authentication_required",
                     *       "title": "Unauthorized",
                     *       "status": 401,
                     *       "detail": "Send a bearer token: Authorization: Bearer <accessToken>.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "authentication_required"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description The request body is larger than the route accepts. */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:payload_too_large",
                     *       "title": "Payload Too Large",
                     *       "status": 413,
                     *       "detail": "The request body is larger than this route accepts.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "payload_too_large"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description The request body has a content type the route does not accept. */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:unsupported_media_type",
                     *       "title": "Unsupported Media Type",
                     *       "status": 415,
                     *       "detail": "This route does not accept a body of that content type.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "unsupported_media_type"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description The request is well-formed but breaks a rule of the domain. */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:unprocessable_content",
                     *       "title": "Unprocessable Entity",
                     *       "status": 422,
                     *       "detail": "The request breaks a rule of the domain.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "unprocessable_content"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description Rate limit exceeded; `Retry-After` says how many seconds to wait. */
            429: {
                headers: {
                    "Retry-After": components["headers"]["Retry-After"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:rate_limited",
                     *       "title": "Too Many Requests",
                     *       "status": 429,
                     *       "detail": "Too many requests; retry after the time given in Retry-After.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "rate_limited"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description An unexpected error; the body names the request id to quote. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:internal_error",
                     *       "title": "Internal Server Error",
                     *       "status": 500,
                     *       "detail": "An unexpected error occurred; quote the instance when reporting it.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "internal_error"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description A dependency is unavailable (`database_unavailable`: PostgreSQL, `queue_unavailable`: Redis, `rate_limit_unavailable`: sign-in's rate-limit store); `Retry-After` says how many seconds to wait. */
            503: {
                headers: {
                    "Retry-After": components["headers"]["Retry-After"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:database_unavailable",
                     *       "title": "Service Unavailable",
                     *       "status": 503,
                     *       "detail": "The database (PostgreSQL) cannot be reached; retry after the time given in Retry-After.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "database_unavailable"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
        };
    };
    listBackups: {
        parameters: {
            query?: {
                /** @description How many items to return (1..500). */
                limit?: number;
                /** @description How many items to skip. */
                offset?: number;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    "X-RateLimit-Limit": components["headers"]["X-RateLimit-Limit"];
                    "X-RateLimit-Remaining": components["headers"]["X-RateLimit-Remaining"];
                    "X-RateLimit-Reset": components["headers"]["X-RateLimit-Reset"];
                    "X-Request-ID": components["headers"]["X-Request-ID"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["BackupPage"];
                };
            };
            /** @description The request is malformed or a field is invalid (`validation_failed` lists each field in `errors`). */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:validation_failed",
                     *       "title": "Bad Request",
                     *       "status": 400,
                     *       "detail": "The request has 1 invalid field.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "validation_failed",
                     *       "errors": [
                     *         {
                     *           "field": "email",
                     *           "code": "isEmail",
                     *           "message": "email must be an email"
                     *         }
                     *       ]
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description No bearer token, or the token is invalid, expired or revoked. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:authentication_required",
                     *       "title": "Unauthorized",
                     *       "status": 401,
                     *       "detail": "Send a bearer token: Authorization: Bearer <accessToken>.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "authentication_required"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description The signed-in user's role may not do this. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:insufficient_role",
                     *       "title": "Forbidden",
                     *       "status": 403,
                     *       "detail": "This needs one of the roles admin, staff.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "insufficient_role"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description Rate limit exceeded; `Retry-After` says how many seconds to wait. */
            429: {
                headers: {
                    "Retry-After": components["headers"]["Retry-After"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:rate_limited",
                     *       "title": "Too Many Requests",
                     *       "status": 429,
                     *       "detail": "Too many requests; retry after the time given in Retry-After.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "rate_limited"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description An unexpected error; the body names the request id to quote. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:internal_error",
                     *       "title": "Internal Server Error",
                     *       "status": 500,
                     *       "detail": "An unexpected error occurred; quote the instance when reporting it.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "internal_error"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description A dependency is unavailable (`database_unavailable`: PostgreSQL, `queue_unavailable`: Redis, `rate_limit_unavailable`: sign-in's rate-limit store); `Retry-After` says how many seconds to wait. */
            503: {
                headers: {
                    "Retry-After": components["headers"]["Retry-After"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:database_unavailable",
                     *       "title": "Service Unavailable",
                     *       "status": 503,
                     *       "detail": "The database (PostgreSQL) cannot be reached; retry after the time given in Retry-After.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "database_unavailable"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
        };
    };
    createBackup: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["CreateBackupDto"];
            };
        };
        responses: {
            /** @description The job it started, as it stands now; `Location` is the job, to read again for its progress and result. */
            202: {
                headers: {
                    /** @description The URL of the job. */
                    Location?: string;
                    "X-RateLimit-Limit": components["headers"]["X-RateLimit-Limit"];
                    "X-RateLimit-Remaining": components["headers"]["X-RateLimit-Remaining"];
                    "X-RateLimit-Reset": components["headers"]["X-RateLimit-Reset"];
                    "X-Request-ID": components["headers"]["X-Request-ID"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["JobDto"];
                };
            };
            /** @description The request is malformed or a field is invalid (`validation_failed` lists each field in `errors`). */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:validation_failed",
                     *       "title": "Bad Request",
                     *       "status": 400,
                     *       "detail": "The request has 1 invalid field.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "validation_failed",
                     *       "errors": [
                     *         {
                     *           "field": "email",
                     *           "code": "isEmail",
                     *           "message": "email must be an email"
                     *         }
                     *       ]
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description No bearer token, or the token is invalid, expired or revoked. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:authentication_required",
                     *       "title": "Unauthorized",
                     *       "status": 401,
                     *       "detail": "Send a bearer token: Authorization: Bearer <accessToken>.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "authentication_required"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description The signed-in user's role may not do this. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:insufficient_role",
                     *       "title": "Forbidden",
                     *       "status": 403,
                     *       "detail": "This needs one of the roles admin, staff.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "insufficient_role"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description The request body is larger than the route accepts. */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:payload_too_large",
                     *       "title": "Payload Too Large",
                     *       "status": 413,
                     *       "detail": "The request body is larger than this route accepts.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "payload_too_large"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description The request body has a content type the route does not accept. */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:unsupported_media_type",
                     *       "title": "Unsupported Media Type",
                     *       "status": 415,
                     *       "detail": "This route does not accept a body of that content type.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "unsupported_media_type"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description Rate limit exceeded; `Retry-After` says how many seconds to wait. */
            429: {
                headers: {
                    "Retry-After": components["headers"]["Retry-After"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:rate_limited",
                     *       "title": "Too Many Requests",
                     *       "status": 429,
                     *       "detail": "Too many requests; retry after the time given in Retry-After.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "rate_limited"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description An unexpected error; the body names the request id to quote. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:internal_error",
                     *       "title": "Internal Server Error",
                     *       "status": 500,
                     *       "detail": "An unexpected error occurred; quote the instance when reporting it.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "internal_error"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description A dependency is unavailable (`database_unavailable`: PostgreSQL, `queue_unavailable`: Redis, `rate_limit_unavailable`: sign-in's rate-limit store); `Retry-After` says how many seconds to wait. */
            503: {
                headers: {
                    "Retry-After": components["headers"]["Retry-After"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:database_unavailable",
                     *       "title": "Service Unavailable",
                     *       "status": 503,
                     *       "detail": "The database (PostgreSQL) cannot be reached; retry after the time given in Retry-After.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "database_unavailable"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
        };
    };
    getBackup: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The backup's id (the id of the backup job that took it). */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    "X-RateLimit-Limit": components["headers"]["X-RateLimit-Limit"];
                    "X-RateLimit-Remaining": components["headers"]["X-RateLimit-Remaining"];
                    "X-RateLimit-Reset": components["headers"]["X-RateLimit-Reset"];
                    "X-Request-ID": components["headers"]["X-Request-ID"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["BackupDto"];
                };
            };
            /** @description The request is malformed or a field is invalid (`validation_failed` lists each field in `errors`). */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:validation_failed",
                     *       "title": "Bad Request",
                     *       "status": 400,
                     *       "detail": "The request has 1 invalid field.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "validation_failed",
                     *       "errors": [
                     *         {
                     *           "field": "email",
                     *           "code": "isEmail",
                     *           "message": "email must be an email"
                     *         }
                     *       ]
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description No bearer token, or the token is invalid, expired or revoked. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:authentication_required",
                     *       "title": "Unauthorized",
                     *       "status": 401,
                     *       "detail": "Send a bearer token: Authorization: Bearer <accessToken>.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "authentication_required"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description The signed-in user's role may not do this. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:insufficient_role",
                     *       "title": "Forbidden",
                     *       "status": 403,
                     *       "detail": "This needs one of the roles admin, staff.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "insufficient_role"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description The resource does not exist (or belongs to someone else). */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:not_found",
                     *       "title": "Not Found",
                     *       "status": 404,
                     *       "detail": "Student 42 was not found.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "not_found"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description The request is well-formed but breaks a rule of the domain. */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:unprocessable_content",
                     *       "title": "Unprocessable Entity",
                     *       "status": 422,
                     *       "detail": "The request breaks a rule of the domain.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "unprocessable_content"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description Rate limit exceeded; `Retry-After` says how many seconds to wait. */
            429: {
                headers: {
                    "Retry-After": components["headers"]["Retry-After"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:rate_limited",
                     *       "title": "Too Many Requests",
                     *       "status": 429,
                     *       "detail": "Too many requests; retry after the time given in Retry-After.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "rate_limited"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description An unexpected error; the body names the request id to quote. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:internal_error",
                     *       "title": "Internal Server Error",
                     *       "status": 500,
                     *       "detail": "An unexpected error occurred; quote the instance when reporting it.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "internal_error"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description A dependency is unavailable (`database_unavailable`: PostgreSQL, `queue_unavailable`: Redis, `rate_limit_unavailable`: sign-in's rate-limit store); `Retry-After` says how many seconds to wait. */
            503: {
                headers: {
                    "Retry-After": components["headers"]["Retry-After"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:database_unavailable",
                     *       "title": "Service Unavailable",
                     *       "status": 503,
                     *       "detail": "The database (PostgreSQL) cannot be reached; retry after the time given in Retry-After.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "database_unavailable"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
        };
    };
    downloadBackup: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The backup's id. */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The archive, as an attachment. */
            200: {
                headers: {
                    "Content-Disposition": components["headers"]["Content-Disposition"];
                    "X-RateLimit-Limit": components["headers"]["X-RateLimit-Limit"];
                    "X-RateLimit-Remaining": components["headers"]["X-RateLimit-Remaining"];
                    "X-RateLimit-Reset": components["headers"]["X-RateLimit-Reset"];
                    "X-Request-ID": components["headers"]["X-Request-ID"];
                    [name: string]: unknown;
                };
                content: {
                    "application/gzip": Blob | File;
                };
            };
            /** @description The request is malformed or a field is invalid (`validation_failed` lists each field in `errors`). */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:validation_failed",
                     *       "title": "Bad Request",
                     *       "status": 400,
                     *       "detail": "The request has 1 invalid field.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "validation_failed",
                     *       "errors": [
                     *         {
                     *           "field": "email",
                     *           "code": "isEmail",
                     *           "message": "email must be an email"
                     *         }
                     *       ]
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description No bearer token, or the token is invalid, expired or revoked. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:authentication_required",
                     *       "title": "Unauthorized",
                     *       "status": 401,
                     *       "detail": "Send a bearer token: Authorization: Bearer <accessToken>.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "authentication_required"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description The signed-in user's role may not do this. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:insufficient_role",
                     *       "title": "Forbidden",
                     *       "status": 403,
                     *       "detail": "This needs one of the roles admin, staff.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "insufficient_role"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description The resource does not exist (or belongs to someone else). */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:not_found",
                     *       "title": "Not Found",
                     *       "status": 404,
                     *       "detail": "Student 42 was not found.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "not_found"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description The request is well-formed but breaks a rule of the domain. */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:unprocessable_content",
                     *       "title": "Unprocessable Entity",
                     *       "status": 422,
                     *       "detail": "The request breaks a rule of the domain.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "unprocessable_content"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description Rate limit exceeded; `Retry-After` says how many seconds to wait. */
            429: {
                headers: {
                    "Retry-After": components["headers"]["Retry-After"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:rate_limited",
                     *       "title": "Too Many Requests",
                     *       "status": 429,
                     *       "detail": "Too many requests; retry after the time given in Retry-After.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "rate_limited"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description An unexpected error; the body names the request id to quote. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:internal_error",
                     *       "title": "Internal Server Error",
                     *       "status": 500,
                     *       "detail": "An unexpected error occurred; quote the instance when reporting it.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "internal_error"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description A dependency is unavailable (`database_unavailable`: PostgreSQL, `queue_unavailable`: Redis, `rate_limit_unavailable`: sign-in's rate-limit store); `Retry-After` says how many seconds to wait. */
            503: {
                headers: {
                    "Retry-After": components["headers"]["Retry-After"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:database_unavailable",
                     *       "title": "Service Unavailable",
                     *       "status": 503,
                     *       "detail": "The database (PostgreSQL) cannot be reached; retry after the time given in Retry-After.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "database_unavailable"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
        };
    };
    restoreBackup: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The backup's id. */
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["RestoreBackupDto"];
            };
        };
        responses: {
            /** @description The job it started, as it stands now; `Location` is the job, to read again for its progress and result. */
            202: {
                headers: {
                    /** @description The URL of the job. */
                    Location?: string;
                    "X-RateLimit-Limit": components["headers"]["X-RateLimit-Limit"];
                    "X-RateLimit-Remaining": components["headers"]["X-RateLimit-Remaining"];
                    "X-RateLimit-Reset": components["headers"]["X-RateLimit-Reset"];
                    "X-Request-ID": components["headers"]["X-Request-ID"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["JobDto"];
                };
            };
            /** @description The request is malformed or a field is invalid (`validation_failed` lists each field in `errors`). */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:validation_failed",
                     *       "title": "Bad Request",
                     *       "status": 400,
                     *       "detail": "The request has 1 invalid field.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "validation_failed",
                     *       "errors": [
                     *         {
                     *           "field": "email",
                     *           "code": "isEmail",
                     *           "message": "email must be an email"
                     *         }
                     *       ]
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description No bearer token, or the token is invalid, expired or revoked. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:authentication_required",
                     *       "title": "Unauthorized",
                     *       "status": 401,
                     *       "detail": "Send a bearer token: Authorization: Bearer <accessToken>.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "authentication_required"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description The signed-in user's role may not do this. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:insufficient_role",
                     *       "title": "Forbidden",
                     *       "status": 403,
                     *       "detail": "This needs one of the roles admin, staff.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "insufficient_role"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description The resource does not exist (or belongs to someone else). */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:not_found",
                     *       "title": "Not Found",
                     *       "status": 404,
                     *       "detail": "Student 42 was not found.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "not_found"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description The request conflicts with the current state, such as a natural key already in use. */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:conflict",
                     *       "title": "Conflict",
                     *       "status": 409,
                     *       "detail": "The request conflicts with the current state.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "conflict"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description The request body is larger than the route accepts. */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:payload_too_large",
                     *       "title": "Payload Too Large",
                     *       "status": 413,
                     *       "detail": "The request body is larger than this route accepts.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "payload_too_large"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description The request body has a content type the route does not accept. */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:unsupported_media_type",
                     *       "title": "Unsupported Media Type",
                     *       "status": 415,
                     *       "detail": "This route does not accept a body of that content type.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "unsupported_media_type"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description The request is well-formed but breaks a rule of the domain. */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:unprocessable_content",
                     *       "title": "Unprocessable Entity",
                     *       "status": 422,
                     *       "detail": "The request breaks a rule of the domain.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "unprocessable_content"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description Rate limit exceeded; `Retry-After` says how many seconds to wait. */
            429: {
                headers: {
                    "Retry-After": components["headers"]["Retry-After"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:rate_limited",
                     *       "title": "Too Many Requests",
                     *       "status": 429,
                     *       "detail": "Too many requests; retry after the time given in Retry-After.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "rate_limited"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description An unexpected error; the body names the request id to quote. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:internal_error",
                     *       "title": "Internal Server Error",
                     *       "status": 500,
                     *       "detail": "An unexpected error occurred; quote the instance when reporting it.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "internal_error"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description A dependency is unavailable (`database_unavailable`: PostgreSQL, `queue_unavailable`: Redis, `rate_limit_unavailable`: sign-in's rate-limit store); `Retry-After` says how many seconds to wait. */
            503: {
                headers: {
                    "Retry-After": components["headers"]["Retry-After"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:database_unavailable",
                     *       "title": "Service Unavailable",
                     *       "status": 503,
                     *       "detail": "The database (PostgreSQL) cannot be reached; retry after the time given in Retry-After.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "database_unavailable"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
        };
    };
    previewBulkDelete: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description What to change. */
                entity: components["schemas"]["ImportEntity"];
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["BulkDeletePreviewRequestDto"];
            };
        };
        responses: {
            /** @description Created */
            201: {
                headers: {
                    "X-RateLimit-Limit": components["headers"]["X-RateLimit-Limit"];
                    "X-RateLimit-Remaining": components["headers"]["X-RateLimit-Remaining"];
                    "X-RateLimit-Reset": components["headers"]["X-RateLimit-Reset"];
                    "X-Request-ID": components["headers"]["X-Request-ID"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["BulkPreviewDto"];
                };
            };
            /** @description The request is malformed or a field is invalid (`validation_failed` lists each field in `errors`). */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:validation_failed",
                     *       "title": "Bad Request",
                     *       "status": 400,
                     *       "detail": "The request has 1 invalid field.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "validation_failed",
                     *       "errors": [
                     *         {
                     *           "field": "email",
                     *           "code": "isEmail",
                     *           "message": "email must be an email"
                     *         }
                     *       ]
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description No bearer token, or the token is invalid, expired or revoked. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:authentication_required",
                     *       "title": "Unauthorized",
                     *       "status": 401,
                     *       "detail": "Send a bearer token: Authorization: Bearer <accessToken>.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "authentication_required"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description The signed-in user's role may not do this. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:insufficient_role",
                     *       "title": "Forbidden",
                     *       "status": 403,
                     *       "detail": "This needs one of the roles admin, staff.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "insufficient_role"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description The request body is larger than the route accepts. */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:payload_too_large",
                     *       "title": "Payload Too Large",
                     *       "status": 413,
                     *       "detail": "The request body is larger than this route accepts.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "payload_too_large"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description The request body has a content type the route does not accept. */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:unsupported_media_type",
                     *       "title": "Unsupported Media Type",
                     *       "status": 415,
                     *       "detail": "This route does not accept a body of that content type.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "unsupported_media_type"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description Rate limit exceeded; `Retry-After` says how many seconds to wait. */
            429: {
                headers: {
                    "Retry-After": components["headers"]["Retry-After"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:rate_limited",
                     *       "title": "Too Many Requests",
                     *       "status": 429,
                     *       "detail": "Too many requests; retry after the time given in Retry-After.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "rate_limited"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description An unexpected error; the body names the request id to quote. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:internal_error",
                     *       "title": "Internal Server Error",
                     *       "status": 500,
                     *       "detail": "An unexpected error occurred; quote the instance when reporting it.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "internal_error"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description A dependency is unavailable (`database_unavailable`: PostgreSQL, `queue_unavailable`: Redis, `rate_limit_unavailable`: sign-in's rate-limit store); `Retry-After` says how many seconds to wait. */
            503: {
                headers: {
                    "Retry-After": components["headers"]["Retry-After"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:database_unavailable",
                     *       "title": "Service Unavailable",
                     *       "status": 503,
                     *       "detail": "The database (PostgreSQL) cannot be reached; retry after the time given in Retry-After.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "database_unavailable"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
        };
    };
    previewBulkUpdate: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description What to change. */
                entity: components["schemas"]["ImportEntity"];
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["BulkUpdatePreviewRequestDto"];
            };
        };
        responses: {
            /** @description Created */
            201: {
                headers: {
                    "X-RateLimit-Limit": components["headers"]["X-RateLimit-Limit"];
                    "X-RateLimit-Remaining": components["headers"]["X-RateLimit-Remaining"];
                    "X-RateLimit-Reset": components["headers"]["X-RateLimit-Reset"];
                    "X-Request-ID": components["headers"]["X-Request-ID"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["BulkPreviewDto"];
                };
            };
            /** @description The request is malformed or a field is invalid (`validation_failed` lists each field in `errors`). */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:validation_failed",
                     *       "title": "Bad Request",
                     *       "status": 400,
                     *       "detail": "The request has 1 invalid field.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "validation_failed",
                     *       "errors": [
                     *         {
                     *           "field": "email",
                     *           "code": "isEmail",
                     *           "message": "email must be an email"
                     *         }
                     *       ]
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description No bearer token, or the token is invalid, expired or revoked. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:authentication_required",
                     *       "title": "Unauthorized",
                     *       "status": 401,
                     *       "detail": "Send a bearer token: Authorization: Bearer <accessToken>.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "authentication_required"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description The signed-in user's role may not do this. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:insufficient_role",
                     *       "title": "Forbidden",
                     *       "status": 403,
                     *       "detail": "This needs one of the roles admin, staff.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "insufficient_role"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description The request body is larger than the route accepts. */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:payload_too_large",
                     *       "title": "Payload Too Large",
                     *       "status": 413,
                     *       "detail": "The request body is larger than this route accepts.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "payload_too_large"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description The request body has a content type the route does not accept. */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:unsupported_media_type",
                     *       "title": "Unsupported Media Type",
                     *       "status": 415,
                     *       "detail": "This route does not accept a body of that content type.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "unsupported_media_type"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description Rate limit exceeded; `Retry-After` says how many seconds to wait. */
            429: {
                headers: {
                    "Retry-After": components["headers"]["Retry-After"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:rate_limited",
                     *       "title": "Too Many Requests",
                     *       "status": 429,
                     *       "detail": "Too many requests; retry after the time given in Retry-After.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "rate_limited"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description An unexpected error; the body names the request id to quote. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:internal_error",
                     *       "title": "Internal Server Error",
                     *       "status": 500,
                     *       "detail": "An unexpected error occurred; quote the instance when reporting it.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "internal_error"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description A dependency is unavailable (`database_unavailable`: PostgreSQL, `queue_unavailable`: Redis, `rate_limit_unavailable`: sign-in's rate-limit store); `Retry-After` says how many seconds to wait. */
            503: {
                headers: {
                    "Retry-After": components["headers"]["Retry-After"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:database_unavailable",
                     *       "title": "Service Unavailable",
                     *       "status": 503,
                     *       "detail": "The database (PostgreSQL) cannot be reached; retry after the time given in Retry-After.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "database_unavailable"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
        };
    };
    getBulkPreview: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The bulk preview. */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    "X-RateLimit-Limit": components["headers"]["X-RateLimit-Limit"];
                    "X-RateLimit-Remaining": components["headers"]["X-RateLimit-Remaining"];
                    "X-RateLimit-Reset": components["headers"]["X-RateLimit-Reset"];
                    "X-Request-ID": components["headers"]["X-Request-ID"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["BulkPreviewDto"];
                };
            };
            /** @description The request is malformed or a field is invalid (`validation_failed` lists each field in `errors`). */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:validation_failed",
                     *       "title": "Bad Request",
                     *       "status": 400,
                     *       "detail": "The request has 1 invalid field.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "validation_failed",
                     *       "errors": [
                     *         {
                     *           "field": "email",
                     *           "code": "isEmail",
                     *           "message": "email must be an email"
                     *         }
                     *       ]
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description No bearer token, or the token is invalid, expired or revoked. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:authentication_required",
                     *       "title": "Unauthorized",
                     *       "status": 401,
                     *       "detail": "Send a bearer token: Authorization: Bearer <accessToken>.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "authentication_required"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description The signed-in user's role may not do this. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:insufficient_role",
                     *       "title": "Forbidden",
                     *       "status": 403,
                     *       "detail": "This needs one of the roles admin, staff.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "insufficient_role"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description The resource does not exist (or belongs to someone else). */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:not_found",
                     *       "title": "Not Found",
                     *       "status": 404,
                     *       "detail": "Student 42 was not found.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "not_found"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description Rate limit exceeded; `Retry-After` says how many seconds to wait. */
            429: {
                headers: {
                    "Retry-After": components["headers"]["Retry-After"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:rate_limited",
                     *       "title": "Too Many Requests",
                     *       "status": 429,
                     *       "detail": "Too many requests; retry after the time given in Retry-After.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "rate_limited"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description An unexpected error; the body names the request id to quote. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:internal_error",
                     *       "title": "Internal Server Error",
                     *       "status": 500,
                     *       "detail": "An unexpected error occurred; quote the instance when reporting it.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "internal_error"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description A dependency is unavailable (`database_unavailable`: PostgreSQL, `queue_unavailable`: Redis, `rate_limit_unavailable`: sign-in's rate-limit store); `Retry-After` says how many seconds to wait. */
            503: {
                headers: {
                    "Retry-After": components["headers"]["Retry-After"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:database_unavailable",
                     *       "title": "Service Unavailable",
                     *       "status": 503,
                     *       "detail": "The database (PostgreSQL) cannot be reached; retry after the time given in Retry-After.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "database_unavailable"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
        };
    };
    commitBulkPreview: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The bulk preview. */
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["BulkCommitDto"];
            };
        };
        responses: {
            /** @description The job it started, as it stands now; `Location` is the job, to read again for its progress and result. */
            202: {
                headers: {
                    /** @description The URL of the job. */
                    Location?: string;
                    "X-RateLimit-Limit": components["headers"]["X-RateLimit-Limit"];
                    "X-RateLimit-Remaining": components["headers"]["X-RateLimit-Remaining"];
                    "X-RateLimit-Reset": components["headers"]["X-RateLimit-Reset"];
                    "X-Request-ID": components["headers"]["X-Request-ID"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["JobDto"];
                };
            };
            /** @description The request is malformed or a field is invalid (`validation_failed` lists each field in `errors`). */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:validation_failed",
                     *       "title": "Bad Request",
                     *       "status": 400,
                     *       "detail": "The request has 1 invalid field.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "validation_failed",
                     *       "errors": [
                     *         {
                     *           "field": "email",
                     *           "code": "isEmail",
                     *           "message": "email must be an email"
                     *         }
                     *       ]
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description No bearer token, or the token is invalid, expired or revoked. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:authentication_required",
                     *       "title": "Unauthorized",
                     *       "status": 401,
                     *       "detail": "Send a bearer token: Authorization: Bearer <accessToken>.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "authentication_required"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description The signed-in user's role may not do this. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:insufficient_role",
                     *       "title": "Forbidden",
                     *       "status": 403,
                     *       "detail": "This needs one of the roles admin, staff.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "insufficient_role"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description The resource does not exist (or belongs to someone else). */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:not_found",
                     *       "title": "Not Found",
                     *       "status": 404,
                     *       "detail": "Student 42 was not found.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "not_found"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description The request conflicts with the current state, such as a natural key already in use. */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:conflict",
                     *       "title": "Conflict",
                     *       "status": 409,
                     *       "detail": "The request conflicts with the current state.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "conflict"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description The request body is larger than the route accepts. */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:payload_too_large",
                     *       "title": "Payload Too Large",
                     *       "status": 413,
                     *       "detail": "The request body is larger than this route accepts.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "payload_too_large"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description The request body has a content type the route does not accept. */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:unsupported_media_type",
                     *       "title": "Unsupported Media Type",
                     *       "status": 415,
                     *       "detail": "This route does not accept a body of that content type.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "unsupported_media_type"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description The request is well-formed but breaks a rule of the domain. */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:unprocessable_content",
                     *       "title": "Unprocessable Entity",
                     *       "status": 422,
                     *       "detail": "The request breaks a rule of the domain.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "unprocessable_content"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description Rate limit exceeded; `Retry-After` says how many seconds to wait. */
            429: {
                headers: {
                    "Retry-After": components["headers"]["Retry-After"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:rate_limited",
                     *       "title": "Too Many Requests",
                     *       "status": 429,
                     *       "detail": "Too many requests; retry after the time given in Retry-After.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "rate_limited"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description An unexpected error; the body names the request id to quote. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:internal_error",
                     *       "title": "Internal Server Error",
                     *       "status": 500,
                     *       "detail": "An unexpected error occurred; quote the instance when reporting it.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "internal_error"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description A dependency is unavailable (`database_unavailable`: PostgreSQL, `queue_unavailable`: Redis, `rate_limit_unavailable`: sign-in's rate-limit store); `Retry-After` says how many seconds to wait. */
            503: {
                headers: {
                    "Retry-After": components["headers"]["Retry-After"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:database_unavailable",
                     *       "title": "Service Unavailable",
                     *       "status": 503,
                     *       "detail": "The database (PostgreSQL) cannot be reached; retry after the time given in Retry-After.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "database_unavailable"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
        };
    };
    listCourses: {
        parameters: {
            query?: {
                /** @description Admins only: also list soft-deleted courses. */
                includeDeleted?: boolean;
                /** @description Only records whose status is this value. */
                isActive?: boolean;
                /** @description How many items to return (1..500). */
                limit?: number;
                /** @description How many items to skip. */
                offset?: number;
                /** @description Part of the course code or name, case-insensitive. For example `άλγεβρα`. */
                search?: string;
                /** @description Only records whose semester is this value. For example `Α΄ Τετράμηνο 2026-2027`. */
                semester?: string;
                /** @description A field to sort by; a leading `-` sorts descending. */
                sort?: components["schemas"]["CourseSort"];
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    "X-RateLimit-Limit": components["headers"]["X-RateLimit-Limit"];
                    "X-RateLimit-Remaining": components["headers"]["X-RateLimit-Remaining"];
                    "X-RateLimit-Reset": components["headers"]["X-RateLimit-Reset"];
                    "X-Request-ID": components["headers"]["X-Request-ID"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["CoursePage"];
                };
            };
            /** @description The request is malformed or a field is invalid (`validation_failed` lists each field in `errors`). */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:validation_failed",
                     *       "title": "Bad Request",
                     *       "status": 400,
                     *       "detail": "The request has 1 invalid field.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "validation_failed",
                     *       "errors": [
                     *         {
                     *           "field": "email",
                     *           "code": "isEmail",
                     *           "message": "email must be an email"
                     *         }
                     *       ]
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description No bearer token, or the token is invalid, expired or revoked. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:authentication_required",
                     *       "title": "Unauthorized",
                     *       "status": 401,
                     *       "detail": "Send a bearer token: Authorization: Bearer <accessToken>.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "authentication_required"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description The signed-in user's role may not do this. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:insufficient_role",
                     *       "title": "Forbidden",
                     *       "status": 403,
                     *       "detail": "This needs one of the roles admin, staff.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "insufficient_role"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description Rate limit exceeded; `Retry-After` says how many seconds to wait. */
            429: {
                headers: {
                    "Retry-After": components["headers"]["Retry-After"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:rate_limited",
                     *       "title": "Too Many Requests",
                     *       "status": 429,
                     *       "detail": "Too many requests; retry after the time given in Retry-After.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "rate_limited"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description An unexpected error; the body names the request id to quote. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:internal_error",
                     *       "title": "Internal Server Error",
                     *       "status": 500,
                     *       "detail": "An unexpected error occurred; quote the instance when reporting it.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "internal_error"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description A dependency is unavailable (`database_unavailable`: PostgreSQL, `queue_unavailable`: Redis, `rate_limit_unavailable`: sign-in's rate-limit store); `Retry-After` says how many seconds to wait. */
            503: {
                headers: {
                    "Retry-After": components["headers"]["Retry-After"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:database_unavailable",
                     *       "title": "Service Unavailable",
                     *       "status": 503,
                     *       "detail": "The database (PostgreSQL) cannot be reached; retry after the time given in Retry-After.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "database_unavailable"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
        };
    };
    createCourse: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["CreateCourseDto"];
            };
        };
        responses: {
            /** @description Created */
            201: {
                headers: {
                    "X-RateLimit-Limit": components["headers"]["X-RateLimit-Limit"];
                    "X-RateLimit-Remaining": components["headers"]["X-RateLimit-Remaining"];
                    "X-RateLimit-Reset": components["headers"]["X-RateLimit-Reset"];
                    "X-Request-ID": components["headers"]["X-Request-ID"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["CourseDto"];
                };
            };
            /** @description The request is malformed or a field is invalid (`validation_failed` lists each field in `errors`). */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:validation_failed",
                     *       "title": "Bad Request",
                     *       "status": 400,
                     *       "detail": "The request has 1 invalid field.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "validation_failed",
                     *       "errors": [
                     *         {
                     *           "field": "email",
                     *           "code": "isEmail",
                     *           "message": "email must be an email"
                     *         }
                     *       ]
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description No bearer token, or the token is invalid, expired or revoked. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:authentication_required",
                     *       "title": "Unauthorized",
                     *       "status": 401,
                     *       "detail": "Send a bearer token: Authorization: Bearer <accessToken>.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "authentication_required"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description The signed-in user's role may not do this. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:insufficient_role",
                     *       "title": "Forbidden",
                     *       "status": 403,
                     *       "detail": "This needs one of the roles admin, staff.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "insufficient_role"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description The request conflicts with the current state, such as a natural key already in use. */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:conflict",
                     *       "title": "Conflict",
                     *       "status": 409,
                     *       "detail": "The request conflicts with the current state.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "conflict"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description The request body is larger than the route accepts. */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:payload_too_large",
                     *       "title": "Payload Too Large",
                     *       "status": 413,
                     *       "detail": "The request body is larger than this route accepts.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "payload_too_large"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description The request body has a content type the route does not accept. */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:unsupported_media_type",
                     *       "title": "Unsupported Media Type",
                     *       "status": 415,
                     *       "detail": "This route does not accept a body of that content type.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "unsupported_media_type"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description Rate limit exceeded; `Retry-After` says how many seconds to wait. */
            429: {
                headers: {
                    "Retry-After": components["headers"]["Retry-After"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:rate_limited",
                     *       "title": "Too Many Requests",
                     *       "status": 429,
                     *       "detail": "Too many requests; retry after the time given in Retry-After.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "rate_limited"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description An unexpected error; the body names the request id to quote. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:internal_error",
                     *       "title": "Internal Server Error",
                     *       "status": 500,
                     *       "detail": "An unexpected error occurred; quote the instance when reporting it.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "internal_error"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description A dependency is unavailable (`database_unavailable`: PostgreSQL, `queue_unavailable`: Redis, `rate_limit_unavailable`: sign-in's rate-limit store); `Retry-After` says how many seconds to wait. */
            503: {
                headers: {
                    "Retry-After": components["headers"]["Retry-After"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:database_unavailable",
                     *       "title": "Service Unavailable",
                     *       "status": 503,
                     *       "detail": "The database (PostgreSQL) cannot be reached; retry after the time given in Retry-After.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "database_unavailable"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
        };
    };
    getCourse: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The course's id (the `id` of its record). */
                id: number;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    "X-RateLimit-Limit": components["headers"]["X-RateLimit-Limit"];
                    "X-RateLimit-Remaining": components["headers"]["X-RateLimit-Remaining"];
                    "X-RateLimit-Reset": components["headers"]["X-RateLimit-Reset"];
                    "X-Request-ID": components["headers"]["X-Request-ID"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["CourseDto"];
                };
            };
            /** @description The request is malformed or a field is invalid (`validation_failed` lists each field in `errors`). */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:validation_failed",
                     *       "title": "Bad Request",
                     *       "status": 400,
                     *       "detail": "The request has 1 invalid field.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "validation_failed",
                     *       "errors": [
                     *         {
                     *           "field": "email",
                     *           "code": "isEmail",
                     *           "message": "email must be an email"
                     *         }
                     *       ]
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description No bearer token, or the token is invalid, expired or revoked. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:authentication_required",
                     *       "title": "Unauthorized",
                     *       "status": 401,
                     *       "detail": "Send a bearer token: Authorization: Bearer <accessToken>.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "authentication_required"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description The signed-in user's role may not do this. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:insufficient_role",
                     *       "title": "Forbidden",
                     *       "status": 403,
                     *       "detail": "This needs one of the roles admin, staff.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "insufficient_role"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description The resource does not exist (or belongs to someone else). */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:not_found",
                     *       "title": "Not Found",
                     *       "status": 404,
                     *       "detail": "Student 42 was not found.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "not_found"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description Rate limit exceeded; `Retry-After` says how many seconds to wait. */
            429: {
                headers: {
                    "Retry-After": components["headers"]["Retry-After"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:rate_limited",
                     *       "title": "Too Many Requests",
                     *       "status": 429,
                     *       "detail": "Too many requests; retry after the time given in Retry-After.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "rate_limited"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description An unexpected error; the body names the request id to quote. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:internal_error",
                     *       "title": "Internal Server Error",
                     *       "status": 500,
                     *       "detail": "An unexpected error occurred; quote the instance when reporting it.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "internal_error"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description A dependency is unavailable (`database_unavailable`: PostgreSQL, `queue_unavailable`: Redis, `rate_limit_unavailable`: sign-in's rate-limit store); `Retry-After` says how many seconds to wait. */
            503: {
                headers: {
                    "Retry-After": components["headers"]["Retry-After"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:database_unavailable",
                     *       "title": "Service Unavailable",
                     *       "status": 503,
                     *       "detail": "The database (PostgreSQL) cannot be reached; retry after the time given in Retry-After.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "database_unavailable"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
        };
    };
    deleteCourse: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The course's id (the `id` of its record). */
                id: number;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Deleted. */
            204: {
                headers: {
                    "X-RateLimit-Limit": components["headers"]["X-RateLimit-Limit"];
                    "X-RateLimit-Remaining": components["headers"]["X-RateLimit-Remaining"];
                    "X-RateLimit-Reset": components["headers"]["X-RateLimit-Reset"];
                    "X-Request-ID": components["headers"]["X-Request-ID"];
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description The request is malformed or a field is invalid (`validation_failed` lists each field in `errors`). */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:validation_failed",
                     *       "title": "Bad Request",
                     *       "status": 400,
                     *       "detail": "The request has 1 invalid field.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "validation_failed",
                     *       "errors": [
                     *         {
                     *           "field": "email",
                     *           "code": "isEmail",
                     *           "message": "email must be an email"
                     *         }
                     *       ]
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description No bearer token, or the token is invalid, expired or revoked. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:authentication_required",
                     *       "title": "Unauthorized",
                     *       "status": 401,
                     *       "detail": "Send a bearer token: Authorization: Bearer <accessToken>.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "authentication_required"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description The signed-in user's role may not do this. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:insufficient_role",
                     *       "title": "Forbidden",
                     *       "status": 403,
                     *       "detail": "This needs one of the roles admin, staff.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "insufficient_role"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description The resource does not exist (or belongs to someone else). */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:not_found",
                     *       "title": "Not Found",
                     *       "status": 404,
                     *       "detail": "Student 42 was not found.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "not_found"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description Rate limit exceeded; `Retry-After` says how many seconds to wait. */
            429: {
                headers: {
                    "Retry-After": components["headers"]["Retry-After"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:rate_limited",
                     *       "title": "Too Many Requests",
                     *       "status": 429,
                     *       "detail": "Too many requests; retry after the time given in Retry-After.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "rate_limited"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description An unexpected error; the body names the request id to quote. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:internal_error",
                     *       "title": "Internal Server Error",
                     *       "status": 500,
                     *       "detail": "An unexpected error occurred; quote the instance when reporting it.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "internal_error"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description A dependency is unavailable (`database_unavailable`: PostgreSQL, `queue_unavailable`: Redis, `rate_limit_unavailable`: sign-in's rate-limit store); `Retry-After` says how many seconds to wait. */
            503: {
                headers: {
                    "Retry-After": components["headers"]["Retry-After"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:database_unavailable",
                     *       "title": "Service Unavailable",
                     *       "status": 503,
                     *       "detail": "The database (PostgreSQL) cannot be reached; retry after the time given in Retry-After.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "database_unavailable"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
        };
    };
    updateCourse: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The course's id (the `id` of its record). */
                id: number;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["UpdateCourseDto"];
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    "X-RateLimit-Limit": components["headers"]["X-RateLimit-Limit"];
                    "X-RateLimit-Remaining": components["headers"]["X-RateLimit-Remaining"];
                    "X-RateLimit-Reset": components["headers"]["X-RateLimit-Reset"];
                    "X-Request-ID": components["headers"]["X-Request-ID"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["CourseDto"];
                };
            };
            /** @description The request is malformed or a field is invalid (`validation_failed` lists each field in `errors`). */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:validation_failed",
                     *       "title": "Bad Request",
                     *       "status": 400,
                     *       "detail": "The request has 1 invalid field.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "validation_failed",
                     *       "errors": [
                     *         {
                     *           "field": "email",
                     *           "code": "isEmail",
                     *           "message": "email must be an email"
                     *         }
                     *       ]
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description No bearer token, or the token is invalid, expired or revoked. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:authentication_required",
                     *       "title": "Unauthorized",
                     *       "status": 401,
                     *       "detail": "Send a bearer token: Authorization: Bearer <accessToken>.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "authentication_required"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description The signed-in user's role may not do this. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:insufficient_role",
                     *       "title": "Forbidden",
                     *       "status": 403,
                     *       "detail": "This needs one of the roles admin, staff.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "insufficient_role"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description The resource does not exist (or belongs to someone else). */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:not_found",
                     *       "title": "Not Found",
                     *       "status": 404,
                     *       "detail": "Student 42 was not found.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "not_found"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description The request conflicts with the current state, such as a natural key already in use. */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:conflict",
                     *       "title": "Conflict",
                     *       "status": 409,
                     *       "detail": "The request conflicts with the current state.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "conflict"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description The request body is larger than the route accepts. */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:payload_too_large",
                     *       "title": "Payload Too Large",
                     *       "status": 413,
                     *       "detail": "The request body is larger than this route accepts.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "payload_too_large"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description The request body has a content type the route does not accept. */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:unsupported_media_type",
                     *       "title": "Unsupported Media Type",
                     *       "status": 415,
                     *       "detail": "This route does not accept a body of that content type.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "unsupported_media_type"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description Rate limit exceeded; `Retry-After` says how many seconds to wait. */
            429: {
                headers: {
                    "Retry-After": components["headers"]["Retry-After"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:rate_limited",
                     *       "title": "Too Many Requests",
                     *       "status": 429,
                     *       "detail": "Too many requests; retry after the time given in Retry-After.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "rate_limited"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description An unexpected error; the body names the request id to quote. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:internal_error",
                     *       "title": "Internal Server Error",
                     *       "status": 500,
                     *       "detail": "An unexpected error occurred; quote the instance when reporting it.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "internal_error"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description A dependency is unavailable (`database_unavailable`: PostgreSQL, `queue_unavailable`: Redis, `rate_limit_unavailable`: sign-in's rate-limit store); `Retry-After` says how many seconds to wait. */
            503: {
                headers: {
                    "Retry-After": components["headers"]["Retry-After"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:database_unavailable",
                     *       "title": "Service Unavailable",
                     *       "status": 503,
                     *       "detail": "The database (PostgreSQL) cannot be reached; retry after the time given in Retry-After.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "database_unavailable"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
        };
    };
    restoreCourse: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The course's id (the `id` of its record). */
                id: number;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    "X-RateLimit-Limit": components["headers"]["X-RateLimit-Limit"];
                    "X-RateLimit-Remaining": components["headers"]["X-RateLimit-Remaining"];
                    "X-RateLimit-Reset": components["headers"]["X-RateLimit-Reset"];
                    "X-Request-ID": components["headers"]["X-Request-ID"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["CourseDto"];
                };
            };
            /** @description The request is malformed or a field is invalid (`validation_failed` lists each field in `errors`). */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:validation_failed",
                     *       "title": "Bad Request",
                     *       "status": 400,
                     *       "detail": "The request has 1 invalid field.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "validation_failed",
                     *       "errors": [
                     *         {
                     *           "field": "email",
                     *           "code": "isEmail",
                     *           "message": "email must be an email"
                     *         }
                     *       ]
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description No bearer token, or the token is invalid, expired or revoked. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:authentication_required",
                     *       "title": "Unauthorized",
                     *       "status": 401,
                     *       "detail": "Send a bearer token: Authorization: Bearer <accessToken>.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "authentication_required"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description The signed-in user's role may not do this. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:insufficient_role",
                     *       "title": "Forbidden",
                     *       "status": 403,
                     *       "detail": "This needs one of the roles admin, staff.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "insufficient_role"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description The resource does not exist (or belongs to someone else). */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:not_found",
                     *       "title": "Not Found",
                     *       "status": 404,
                     *       "detail": "Student 42 was not found.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "not_found"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description The request conflicts with the current state, such as a natural key already in use. */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:conflict",
                     *       "title": "Conflict",
                     *       "status": 409,
                     *       "detail": "The request conflicts with the current state.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "conflict"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description Rate limit exceeded; `Retry-After` says how many seconds to wait. */
            429: {
                headers: {
                    "Retry-After": components["headers"]["Retry-After"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:rate_limited",
                     *       "title": "Too Many Requests",
                     *       "status": 429,
                     *       "detail": "Too many requests; retry after the time given in Retry-After.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "rate_limited"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description An unexpected error; the body names the request id to quote. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:internal_error",
                     *       "title": "Internal Server Error",
                     *       "status": 500,
                     *       "detail": "An unexpected error occurred; quote the instance when reporting it.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "internal_error"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description A dependency is unavailable (`database_unavailable`: PostgreSQL, `queue_unavailable`: Redis, `rate_limit_unavailable`: sign-in's rate-limit store); `Retry-After` says how many seconds to wait. */
            503: {
                headers: {
                    "Retry-After": components["headers"]["Retry-After"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:database_unavailable",
                     *       "title": "Service Unavailable",
                     *       "status": 503,
                     *       "detail": "The database (PostgreSQL) cannot be reached; retry after the time given in Retry-After.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "database_unavailable"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
        };
    };
    listEnrollments: {
        parameters: {
            query?: {
                /** @description Only records whose course code is this value. For example `math101`. */
                courseCode?: string;
                /** @description Admins only: also list soft-deleted enrollments and those of deleted students or courses. */
                includeDeleted?: boolean;
                /** @description How many items to return (1..500). */
                limit?: number;
                /** @description How many items to skip. */
                offset?: number;
                /** @description A field to sort by; a leading `-` sorts descending. */
                sort?: components["schemas"]["EnrollmentSort"];
                /** @description Only records whose status is this value. */
                status?: components["schemas"]["EnrollmentStatus"];
                /** @description Only records whose student id is this value. For example `ΑΒ123456`. */
                studentId?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    "X-RateLimit-Limit": components["headers"]["X-RateLimit-Limit"];
                    "X-RateLimit-Remaining": components["headers"]["X-RateLimit-Remaining"];
                    "X-RateLimit-Reset": components["headers"]["X-RateLimit-Reset"];
                    "X-Request-ID": components["headers"]["X-Request-ID"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["EnrollmentPage"];
                };
            };
            /** @description The request is malformed or a field is invalid (`validation_failed` lists each field in `errors`). */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:validation_failed",
                     *       "title": "Bad Request",
                     *       "status": 400,
                     *       "detail": "The request has 1 invalid field.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "validation_failed",
                     *       "errors": [
                     *         {
                     *           "field": "email",
                     *           "code": "isEmail",
                     *           "message": "email must be an email"
                     *         }
                     *       ]
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description No bearer token, or the token is invalid, expired or revoked. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:authentication_required",
                     *       "title": "Unauthorized",
                     *       "status": 401,
                     *       "detail": "Send a bearer token: Authorization: Bearer <accessToken>.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "authentication_required"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description The signed-in user's role may not do this. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:insufficient_role",
                     *       "title": "Forbidden",
                     *       "status": 403,
                     *       "detail": "This needs one of the roles admin, staff.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "insufficient_role"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description Rate limit exceeded; `Retry-After` says how many seconds to wait. */
            429: {
                headers: {
                    "Retry-After": components["headers"]["Retry-After"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:rate_limited",
                     *       "title": "Too Many Requests",
                     *       "status": 429,
                     *       "detail": "Too many requests; retry after the time given in Retry-After.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "rate_limited"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description An unexpected error; the body names the request id to quote. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:internal_error",
                     *       "title": "Internal Server Error",
                     *       "status": 500,
                     *       "detail": "An unexpected error occurred; quote the instance when reporting it.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "internal_error"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description A dependency is unavailable (`database_unavailable`: PostgreSQL, `queue_unavailable`: Redis, `rate_limit_unavailable`: sign-in's rate-limit store); `Retry-After` says how many seconds to wait. */
            503: {
                headers: {
                    "Retry-After": components["headers"]["Retry-After"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:database_unavailable",
                     *       "title": "Service Unavailable",
                     *       "status": 503,
                     *       "detail": "The database (PostgreSQL) cannot be reached; retry after the time given in Retry-After.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "database_unavailable"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
        };
    };
    createEnrollment: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["CreateEnrollmentDto"];
            };
        };
        responses: {
            /** @description Created */
            201: {
                headers: {
                    "X-RateLimit-Limit": components["headers"]["X-RateLimit-Limit"];
                    "X-RateLimit-Remaining": components["headers"]["X-RateLimit-Remaining"];
                    "X-RateLimit-Reset": components["headers"]["X-RateLimit-Reset"];
                    "X-Request-ID": components["headers"]["X-Request-ID"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["EnrollmentDto"];
                };
            };
            /** @description The request is malformed or a field is invalid (`validation_failed` lists each field in `errors`). */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:validation_failed",
                     *       "title": "Bad Request",
                     *       "status": 400,
                     *       "detail": "The request has 1 invalid field.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "validation_failed",
                     *       "errors": [
                     *         {
                     *           "field": "email",
                     *           "code": "isEmail",
                     *           "message": "email must be an email"
                     *         }
                     *       ]
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description No bearer token, or the token is invalid, expired or revoked. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:authentication_required",
                     *       "title": "Unauthorized",
                     *       "status": 401,
                     *       "detail": "Send a bearer token: Authorization: Bearer <accessToken>.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "authentication_required"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description The signed-in user's role may not do this. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:insufficient_role",
                     *       "title": "Forbidden",
                     *       "status": 403,
                     *       "detail": "This needs one of the roles admin, staff.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "insufficient_role"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description The request conflicts with the current state, such as a natural key already in use. */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:conflict",
                     *       "title": "Conflict",
                     *       "status": 409,
                     *       "detail": "The request conflicts with the current state.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "conflict"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description The request body is larger than the route accepts. */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:payload_too_large",
                     *       "title": "Payload Too Large",
                     *       "status": 413,
                     *       "detail": "The request body is larger than this route accepts.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "payload_too_large"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description The request body has a content type the route does not accept. */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:unsupported_media_type",
                     *       "title": "Unsupported Media Type",
                     *       "status": 415,
                     *       "detail": "This route does not accept a body of that content type.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "unsupported_media_type"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description The request is well-formed but breaks a rule of the domain. */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:unprocessable_content",
                     *       "title": "Unprocessable Entity",
                     *       "status": 422,
                     *       "detail": "The request breaks a rule of the domain.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "unprocessable_content"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description Rate limit exceeded; `Retry-After` says how many seconds to wait. */
            429: {
                headers: {
                    "Retry-After": components["headers"]["Retry-After"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:rate_limited",
                     *       "title": "Too Many Requests",
                     *       "status": 429,
                     *       "detail": "Too many requests; retry after the time given in Retry-After.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "rate_limited"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description An unexpected error; the body names the request id to quote. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:internal_error",
                     *       "title": "Internal Server Error",
                     *       "status": 500,
                     *       "detail": "An unexpected error occurred; quote the instance when reporting it.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "internal_error"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description A dependency is unavailable (`database_unavailable`: PostgreSQL, `queue_unavailable`: Redis, `rate_limit_unavailable`: sign-in's rate-limit store); `Retry-After` says how many seconds to wait. */
            503: {
                headers: {
                    "Retry-After": components["headers"]["Retry-After"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:database_unavailable",
                     *       "title": "Service Unavailable",
                     *       "status": 503,
                     *       "detail": "The database (PostgreSQL) cannot be reached; retry after the time given in Retry-After.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "database_unavailable"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
        };
    };
    getEnrollment: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The enrollment's id (the `id` of its record). */
                id: number;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    "X-RateLimit-Limit": components["headers"]["X-RateLimit-Limit"];
                    "X-RateLimit-Remaining": components["headers"]["X-RateLimit-Remaining"];
                    "X-RateLimit-Reset": components["headers"]["X-RateLimit-Reset"];
                    "X-Request-ID": components["headers"]["X-Request-ID"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["EnrollmentDto"];
                };
            };
            /** @description The request is malformed or a field is invalid (`validation_failed` lists each field in `errors`). */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:validation_failed",
                     *       "title": "Bad Request",
                     *       "status": 400,
                     *       "detail": "The request has 1 invalid field.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "validation_failed",
                     *       "errors": [
                     *         {
                     *           "field": "email",
                     *           "code": "isEmail",
                     *           "message": "email must be an email"
                     *         }
                     *       ]
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description No bearer token, or the token is invalid, expired or revoked. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:authentication_required",
                     *       "title": "Unauthorized",
                     *       "status": 401,
                     *       "detail": "Send a bearer token: Authorization: Bearer <accessToken>.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "authentication_required"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description The signed-in user's role may not do this. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:insufficient_role",
                     *       "title": "Forbidden",
                     *       "status": 403,
                     *       "detail": "This needs one of the roles admin, staff.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "insufficient_role"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description The resource does not exist (or belongs to someone else). */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:not_found",
                     *       "title": "Not Found",
                     *       "status": 404,
                     *       "detail": "Student 42 was not found.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "not_found"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description Rate limit exceeded; `Retry-After` says how many seconds to wait. */
            429: {
                headers: {
                    "Retry-After": components["headers"]["Retry-After"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:rate_limited",
                     *       "title": "Too Many Requests",
                     *       "status": 429,
                     *       "detail": "Too many requests; retry after the time given in Retry-After.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "rate_limited"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description An unexpected error; the body names the request id to quote. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:internal_error",
                     *       "title": "Internal Server Error",
                     *       "status": 500,
                     *       "detail": "An unexpected error occurred; quote the instance when reporting it.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "internal_error"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description A dependency is unavailable (`database_unavailable`: PostgreSQL, `queue_unavailable`: Redis, `rate_limit_unavailable`: sign-in's rate-limit store); `Retry-After` says how many seconds to wait. */
            503: {
                headers: {
                    "Retry-After": components["headers"]["Retry-After"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:database_unavailable",
                     *       "title": "Service Unavailable",
                     *       "status": 503,
                     *       "detail": "The database (PostgreSQL) cannot be reached; retry after the time given in Retry-After.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "database_unavailable"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
        };
    };
    deleteEnrollment: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The enrollment's id (the `id` of its record). */
                id: number;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Deleted. */
            204: {
                headers: {
                    "X-RateLimit-Limit": components["headers"]["X-RateLimit-Limit"];
                    "X-RateLimit-Remaining": components["headers"]["X-RateLimit-Remaining"];
                    "X-RateLimit-Reset": components["headers"]["X-RateLimit-Reset"];
                    "X-Request-ID": components["headers"]["X-Request-ID"];
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description The request is malformed or a field is invalid (`validation_failed` lists each field in `errors`). */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:validation_failed",
                     *       "title": "Bad Request",
                     *       "status": 400,
                     *       "detail": "The request has 1 invalid field.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "validation_failed",
                     *       "errors": [
                     *         {
                     *           "field": "email",
                     *           "code": "isEmail",
                     *           "message": "email must be an email"
                     *         }
                     *       ]
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description No bearer token, or the token is invalid, expired or revoked. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:authentication_required",
                     *       "title": "Unauthorized",
                     *       "status": 401,
                     *       "detail": "Send a bearer token: Authorization: Bearer <accessToken>.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "authentication_required"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description The signed-in user's role may not do this. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:insufficient_role",
                     *       "title": "Forbidden",
                     *       "status": 403,
                     *       "detail": "This needs one of the roles admin, staff.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "insufficient_role"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description The resource does not exist (or belongs to someone else). */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:not_found",
                     *       "title": "Not Found",
                     *       "status": 404,
                     *       "detail": "Student 42 was not found.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "not_found"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description Rate limit exceeded; `Retry-After` says how many seconds to wait. */
            429: {
                headers: {
                    "Retry-After": components["headers"]["Retry-After"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:rate_limited",
                     *       "title": "Too Many Requests",
                     *       "status": 429,
                     *       "detail": "Too many requests; retry after the time given in Retry-After.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "rate_limited"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description An unexpected error; the body names the request id to quote. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:internal_error",
                     *       "title": "Internal Server Error",
                     *       "status": 500,
                     *       "detail": "An unexpected error occurred; quote the instance when reporting it.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "internal_error"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description A dependency is unavailable (`database_unavailable`: PostgreSQL, `queue_unavailable`: Redis, `rate_limit_unavailable`: sign-in's rate-limit store); `Retry-After` says how many seconds to wait. */
            503: {
                headers: {
                    "Retry-After": components["headers"]["Retry-After"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:database_unavailable",
                     *       "title": "Service Unavailable",
                     *       "status": 503,
                     *       "detail": "The database (PostgreSQL) cannot be reached; retry after the time given in Retry-After.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "database_unavailable"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
        };
    };
    updateEnrollment: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The enrollment's id (the `id` of its record). */
                id: number;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["UpdateEnrollmentDto"];
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    "X-RateLimit-Limit": components["headers"]["X-RateLimit-Limit"];
                    "X-RateLimit-Remaining": components["headers"]["X-RateLimit-Remaining"];
                    "X-RateLimit-Reset": components["headers"]["X-RateLimit-Reset"];
                    "X-Request-ID": components["headers"]["X-Request-ID"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["EnrollmentDto"];
                };
            };
            /** @description The request is malformed or a field is invalid (`validation_failed` lists each field in `errors`). */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:validation_failed",
                     *       "title": "Bad Request",
                     *       "status": 400,
                     *       "detail": "The request has 1 invalid field.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "validation_failed",
                     *       "errors": [
                     *         {
                     *           "field": "email",
                     *           "code": "isEmail",
                     *           "message": "email must be an email"
                     *         }
                     *       ]
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description No bearer token, or the token is invalid, expired or revoked. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:authentication_required",
                     *       "title": "Unauthorized",
                     *       "status": 401,
                     *       "detail": "Send a bearer token: Authorization: Bearer <accessToken>.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "authentication_required"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description The signed-in user's role may not do this. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:insufficient_role",
                     *       "title": "Forbidden",
                     *       "status": 403,
                     *       "detail": "This needs one of the roles admin, staff.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "insufficient_role"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description The resource does not exist (or belongs to someone else). */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:not_found",
                     *       "title": "Not Found",
                     *       "status": 404,
                     *       "detail": "Student 42 was not found.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "not_found"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description The request body is larger than the route accepts. */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:payload_too_large",
                     *       "title": "Payload Too Large",
                     *       "status": 413,
                     *       "detail": "The request body is larger than this route accepts.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "payload_too_large"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description The request body has a content type the route does not accept. */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:unsupported_media_type",
                     *       "title": "Unsupported Media Type",
                     *       "status": 415,
                     *       "detail": "This route does not accept a body of that content type.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "unsupported_media_type"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description Rate limit exceeded; `Retry-After` says how many seconds to wait. */
            429: {
                headers: {
                    "Retry-After": components["headers"]["Retry-After"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:rate_limited",
                     *       "title": "Too Many Requests",
                     *       "status": 429,
                     *       "detail": "Too many requests; retry after the time given in Retry-After.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "rate_limited"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description An unexpected error; the body names the request id to quote. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:internal_error",
                     *       "title": "Internal Server Error",
                     *       "status": 500,
                     *       "detail": "An unexpected error occurred; quote the instance when reporting it.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "internal_error"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description A dependency is unavailable (`database_unavailable`: PostgreSQL, `queue_unavailable`: Redis, `rate_limit_unavailable`: sign-in's rate-limit store); `Retry-After` says how many seconds to wait. */
            503: {
                headers: {
                    "Retry-After": components["headers"]["Retry-After"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:database_unavailable",
                     *       "title": "Service Unavailable",
                     *       "status": 503,
                     *       "detail": "The database (PostgreSQL) cannot be reached; retry after the time given in Retry-After.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "database_unavailable"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
        };
    };
    restoreEnrollment: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The enrollment's id (the `id` of its record). */
                id: number;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    "X-RateLimit-Limit": components["headers"]["X-RateLimit-Limit"];
                    "X-RateLimit-Remaining": components["headers"]["X-RateLimit-Remaining"];
                    "X-RateLimit-Reset": components["headers"]["X-RateLimit-Reset"];
                    "X-Request-ID": components["headers"]["X-Request-ID"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["EnrollmentDto"];
                };
            };
            /** @description The request is malformed or a field is invalid (`validation_failed` lists each field in `errors`). */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:validation_failed",
                     *       "title": "Bad Request",
                     *       "status": 400,
                     *       "detail": "The request has 1 invalid field.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "validation_failed",
                     *       "errors": [
                     *         {
                     *           "field": "email",
                     *           "code": "isEmail",
                     *           "message": "email must be an email"
                     *         }
                     *       ]
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description No bearer token, or the token is invalid, expired or revoked. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:authentication_required",
                     *       "title": "Unauthorized",
                     *       "status": 401,
                     *       "detail": "Send a bearer token: Authorization: Bearer <accessToken>.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "authentication_required"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description The signed-in user's role may not do this. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:insufficient_role",
                     *       "title": "Forbidden",
                     *       "status": 403,
                     *       "detail": "This needs one of the roles admin, staff.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "insufficient_role"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description The resource does not exist (or belongs to someone else). */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:not_found",
                     *       "title": "Not Found",
                     *       "status": 404,
                     *       "detail": "Student 42 was not found.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "not_found"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description The request conflicts with the current state, such as a natural key already in use. */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:conflict",
                     *       "title": "Conflict",
                     *       "status": 409,
                     *       "detail": "The request conflicts with the current state.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "conflict"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description Rate limit exceeded; `Retry-After` says how many seconds to wait. */
            429: {
                headers: {
                    "Retry-After": components["headers"]["Retry-After"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:rate_limited",
                     *       "title": "Too Many Requests",
                     *       "status": 429,
                     *       "detail": "Too many requests; retry after the time given in Retry-After.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "rate_limited"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description An unexpected error; the body names the request id to quote. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:internal_error",
                     *       "title": "Internal Server Error",
                     *       "status": 500,
                     *       "detail": "An unexpected error occurred; quote the instance when reporting it.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "internal_error"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description A dependency is unavailable (`database_unavailable`: PostgreSQL, `queue_unavailable`: Redis, `rate_limit_unavailable`: sign-in's rate-limit store); `Retry-After` says how many seconds to wait. */
            503: {
                headers: {
                    "Retry-After": components["headers"]["Retry-After"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:database_unavailable",
                     *       "title": "Service Unavailable",
                     *       "status": 503,
                     *       "detail": "The database (PostgreSQL) cannot be reached; retry after the time given in Retry-After.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "database_unavailable"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
        };
    };
    startExportJob: {
        parameters: {
            query?: never;
            header?: {
                /** @description The language of CSV and XLSX labels when `lang` is not given: `el` or `en` (else English). */
                "Accept-Language"?: string;
            };
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["CreateExportJobDto"];
            };
        };
        responses: {
            /** @description The job it started, as it stands now; `Location` is the job, to read again for its progress and result. */
            202: {
                headers: {
                    /** @description The URL of the job. */
                    Location?: string;
                    "X-RateLimit-Limit": components["headers"]["X-RateLimit-Limit"];
                    "X-RateLimit-Remaining": components["headers"]["X-RateLimit-Remaining"];
                    "X-RateLimit-Reset": components["headers"]["X-RateLimit-Reset"];
                    "X-Request-ID": components["headers"]["X-Request-ID"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["JobDto"];
                };
            };
            /** @description The request is malformed or a field is invalid (`validation_failed` lists each field in `errors`). */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:validation_failed",
                     *       "title": "Bad Request",
                     *       "status": 400,
                     *       "detail": "The request has 1 invalid field.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "validation_failed",
                     *       "errors": [
                     *         {
                     *           "field": "email",
                     *           "code": "isEmail",
                     *           "message": "email must be an email"
                     *         }
                     *       ]
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description No bearer token, or the token is invalid, expired or revoked. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:authentication_required",
                     *       "title": "Unauthorized",
                     *       "status": 401,
                     *       "detail": "Send a bearer token: Authorization: Bearer <accessToken>.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "authentication_required"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description The signed-in user's role may not do this. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:insufficient_role",
                     *       "title": "Forbidden",
                     *       "status": 403,
                     *       "detail": "This needs one of the roles admin, staff.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "insufficient_role"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description The request body is larger than the route accepts. */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:payload_too_large",
                     *       "title": "Payload Too Large",
                     *       "status": 413,
                     *       "detail": "The request body is larger than this route accepts.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "payload_too_large"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description The request body has a content type the route does not accept. */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:unsupported_media_type",
                     *       "title": "Unsupported Media Type",
                     *       "status": 415,
                     *       "detail": "This route does not accept a body of that content type.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "unsupported_media_type"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description Rate limit exceeded; `Retry-After` says how many seconds to wait. */
            429: {
                headers: {
                    "Retry-After": components["headers"]["Retry-After"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:rate_limited",
                     *       "title": "Too Many Requests",
                     *       "status": 429,
                     *       "detail": "Too many requests; retry after the time given in Retry-After.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "rate_limited"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description An unexpected error; the body names the request id to quote. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:internal_error",
                     *       "title": "Internal Server Error",
                     *       "status": 500,
                     *       "detail": "An unexpected error occurred; quote the instance when reporting it.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "internal_error"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description A dependency is unavailable (`database_unavailable`: PostgreSQL, `queue_unavailable`: Redis, `rate_limit_unavailable`: sign-in's rate-limit store); `Retry-After` says how many seconds to wait. */
            503: {
                headers: {
                    "Retry-After": components["headers"]["Retry-After"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:database_unavailable",
                     *       "title": "Service Unavailable",
                     *       "status": 503,
                     *       "detail": "The database (PostgreSQL) cannot be reached; retry after the time given in Retry-After.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "database_unavailable"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
        };
    };
    downloadExport: {
        parameters: {
            query?: never;
            header?: {
                /** @description The language of CSV and XLSX labels when `lang` is not given: `el` or `en` (else English). */
                "Accept-Language"?: string;
            };
            path: {
                /** @description The id of the export_large job (from `POST /exports`). */
                jobId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The file, as an attachment; a JSON file holds the rows of the job's entity. */
            200: {
                headers: {
                    "Content-Disposition": components["headers"]["Content-Disposition"];
                    "X-RateLimit-Limit": components["headers"]["X-RateLimit-Limit"];
                    "X-RateLimit-Remaining": components["headers"]["X-RateLimit-Remaining"];
                    "X-RateLimit-Reset": components["headers"]["X-RateLimit-Reset"];
                    "X-Request-ID": components["headers"]["X-Request-ID"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json; charset=utf-8": (components["schemas"]["StudentExportRow"] | components["schemas"]["CourseExportRow"] | components["schemas"]["EnrollmentExportRow"])[];
                    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": Blob | File;
                    "application/x-ndjson; charset=utf-8": Blob | File;
                    "text/csv; charset=utf-8": Blob | File;
                };
            };
            /** @description The request is malformed or a field is invalid (`validation_failed` lists each field in `errors`). */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:validation_failed",
                     *       "title": "Bad Request",
                     *       "status": 400,
                     *       "detail": "The request has 1 invalid field.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "validation_failed",
                     *       "errors": [
                     *         {
                     *           "field": "email",
                     *           "code": "isEmail",
                     *           "message": "email must be an email"
                     *         }
                     *       ]
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description No bearer token, or the token is invalid, expired or revoked. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:authentication_required",
                     *       "title": "Unauthorized",
                     *       "status": 401,
                     *       "detail": "Send a bearer token: Authorization: Bearer <accessToken>.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "authentication_required"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description The signed-in user's role may not do this. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:insufficient_role",
                     *       "title": "Forbidden",
                     *       "status": 403,
                     *       "detail": "This needs one of the roles admin, staff.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "insufficient_role"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description The resource does not exist (or belongs to someone else). */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:not_found",
                     *       "title": "Not Found",
                     *       "status": 404,
                     *       "detail": "Student 42 was not found.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "not_found"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description The request conflicts with the current state, such as a natural key already in use. */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:conflict",
                     *       "title": "Conflict",
                     *       "status": 409,
                     *       "detail": "The request conflicts with the current state.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "conflict"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description Rate limit exceeded; `Retry-After` says how many seconds to wait. */
            429: {
                headers: {
                    "Retry-After": components["headers"]["Retry-After"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:rate_limited",
                     *       "title": "Too Many Requests",
                     *       "status": 429,
                     *       "detail": "Too many requests; retry after the time given in Retry-After.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "rate_limited"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description An unexpected error; the body names the request id to quote. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:internal_error",
                     *       "title": "Internal Server Error",
                     *       "status": 500,
                     *       "detail": "An unexpected error occurred; quote the instance when reporting it.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "internal_error"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description A dependency is unavailable (`database_unavailable`: PostgreSQL, `queue_unavailable`: Redis, `rate_limit_unavailable`: sign-in's rate-limit store); `Retry-After` says how many seconds to wait. */
            503: {
                headers: {
                    "Retry-After": components["headers"]["Retry-After"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:database_unavailable",
                     *       "title": "Service Unavailable",
                     *       "status": 503,
                     *       "detail": "The database (PostgreSQL) cannot be reached; retry after the time given in Retry-After.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "database_unavailable"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
        };
    };
    exportCourses: {
        parameters: {
            query?: {
                /** @description CSV only: start with a UTF-8 byte order mark, which Excel needs to read Greek text right. */
                bom?: boolean;
                /** @description Comma-separated field names (camelCase, as in the API), in the order wanted; by default every regular field. For example `studentId,lastName,firstName,email`. */
                fields?: string;
                /** @description The file format. */
                format?: components["schemas"]["ExportFormat"];
                /** @description Admins only: also export soft-deleted rows. */
                includeDeleted?: boolean;
                /** @description Only records whose status is this value. */
                isActive?: boolean;
                /** @description Language of CSV and XLSX labels; by default from `Accept-Language`, else English. */
                lang?: components["schemas"]["ExportLanguage"];
                /** @description Only records whose semester is this value. For example `Α΄ Τετράμηνο 2026-2027`. */
                semester?: string;
            };
            header?: {
                /** @description The language of CSV and XLSX labels when `lang` is not given: `el` or `en` (else English). */
                "Accept-Language"?: string;
            };
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The file, as an attachment. */
            200: {
                headers: {
                    "Content-Disposition": components["headers"]["Content-Disposition"];
                    "X-RateLimit-Limit": components["headers"]["X-RateLimit-Limit"];
                    "X-RateLimit-Remaining": components["headers"]["X-RateLimit-Remaining"];
                    "X-RateLimit-Reset": components["headers"]["X-RateLimit-Reset"];
                    "X-Request-ID": components["headers"]["X-Request-ID"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json; charset=utf-8": components["schemas"]["CourseExportRow"][];
                    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": Blob | File;
                    "application/x-ndjson; charset=utf-8": Blob | File;
                    "text/csv; charset=utf-8": Blob | File;
                };
            };
            /** @description The request is malformed or a field is invalid (`validation_failed` lists each field in `errors`). */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:validation_failed",
                     *       "title": "Bad Request",
                     *       "status": 400,
                     *       "detail": "The request has 1 invalid field.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "validation_failed",
                     *       "errors": [
                     *         {
                     *           "field": "email",
                     *           "code": "isEmail",
                     *           "message": "email must be an email"
                     *         }
                     *       ]
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description No bearer token, or the token is invalid, expired or revoked. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:authentication_required",
                     *       "title": "Unauthorized",
                     *       "status": 401,
                     *       "detail": "Send a bearer token: Authorization: Bearer <accessToken>.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "authentication_required"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description The signed-in user's role may not do this. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:insufficient_role",
                     *       "title": "Forbidden",
                     *       "status": 403,
                     *       "detail": "This needs one of the roles admin, staff.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "insufficient_role"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description Rate limit exceeded; `Retry-After` says how many seconds to wait. */
            429: {
                headers: {
                    "Retry-After": components["headers"]["Retry-After"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:rate_limited",
                     *       "title": "Too Many Requests",
                     *       "status": 429,
                     *       "detail": "Too many requests; retry after the time given in Retry-After.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "rate_limited"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description An unexpected error; the body names the request id to quote. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:internal_error",
                     *       "title": "Internal Server Error",
                     *       "status": 500,
                     *       "detail": "An unexpected error occurred; quote the instance when reporting it.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "internal_error"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description A dependency is unavailable (`database_unavailable`: PostgreSQL, `queue_unavailable`: Redis, `rate_limit_unavailable`: sign-in's rate-limit store); `Retry-After` says how many seconds to wait. */
            503: {
                headers: {
                    "Retry-After": components["headers"]["Retry-After"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:database_unavailable",
                     *       "title": "Service Unavailable",
                     *       "status": 503,
                     *       "detail": "The database (PostgreSQL) cannot be reached; retry after the time given in Retry-After.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "database_unavailable"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
        };
    };
    exportEnrollments: {
        parameters: {
            query?: {
                /** @description Only records whose academic year is this value. For example `2026-2027`. */
                academicYear?: string;
                /** @description CSV only: start with a UTF-8 byte order mark, which Excel needs to read Greek text right. */
                bom?: boolean;
                /** @description Only records whose class division is this value. For example `A1`. */
                classDivision?: string;
                /** @description Only records whose course code is this value. For example `math101`. */
                courseCode?: string;
                /** @description Only enrollments made on or after this date. For example `2026-09-01`. */
                enrolledAtFrom?: string;
                /** @description Only enrollments made on or before this date; not before `enrolledAtFrom`. For example `2026-09-30`. */
                enrolledAtTo?: string;
                /** @description Comma-separated field names (camelCase, as in the API), in the order wanted; by default every regular field. For example `studentId,lastName,firstName,email`. */
                fields?: string;
                /** @description The file format. */
                format?: components["schemas"]["ExportFormat"];
                /** @description Admins only: also export soft-deleted rows. */
                includeDeleted?: boolean;
                /** @description Language of CSV and XLSX labels; by default from `Accept-Language`, else English. */
                lang?: components["schemas"]["ExportLanguage"];
                /** @description Only records whose semester is this value. For example `Α΄ Τετράμηνο 2026-2027`. */
                semester?: string;
                /** @description Only records whose status is this value. */
                status?: components["schemas"]["EnrollmentStatus"];
                /** @description Only records whose student id is this value. For example `ΑΒ123456`. */
                studentId?: string;
            };
            header?: {
                /** @description The language of CSV and XLSX labels when `lang` is not given: `el` or `en` (else English). */
                "Accept-Language"?: string;
            };
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The file, as an attachment. */
            200: {
                headers: {
                    "Content-Disposition": components["headers"]["Content-Disposition"];
                    "X-RateLimit-Limit": components["headers"]["X-RateLimit-Limit"];
                    "X-RateLimit-Remaining": components["headers"]["X-RateLimit-Remaining"];
                    "X-RateLimit-Reset": components["headers"]["X-RateLimit-Reset"];
                    "X-Request-ID": components["headers"]["X-Request-ID"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json; charset=utf-8": components["schemas"]["EnrollmentExportRow"][];
                    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": Blob | File;
                    "application/x-ndjson; charset=utf-8": Blob | File;
                    "text/csv; charset=utf-8": Blob | File;
                };
            };
            /** @description The request is malformed or a field is invalid (`validation_failed` lists each field in `errors`). */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:validation_failed",
                     *       "title": "Bad Request",
                     *       "status": 400,
                     *       "detail": "The request has 1 invalid field.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "validation_failed",
                     *       "errors": [
                     *         {
                     *           "field": "email",
                     *           "code": "isEmail",
                     *           "message": "email must be an email"
                     *         }
                     *       ]
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description No bearer token, or the token is invalid, expired or revoked. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:authentication_required",
                     *       "title": "Unauthorized",
                     *       "status": 401,
                     *       "detail": "Send a bearer token: Authorization: Bearer <accessToken>.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "authentication_required"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description The signed-in user's role may not do this. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:insufficient_role",
                     *       "title": "Forbidden",
                     *       "status": 403,
                     *       "detail": "This needs one of the roles admin, staff.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "insufficient_role"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description Rate limit exceeded; `Retry-After` says how many seconds to wait. */
            429: {
                headers: {
                    "Retry-After": components["headers"]["Retry-After"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:rate_limited",
                     *       "title": "Too Many Requests",
                     *       "status": 429,
                     *       "detail": "Too many requests; retry after the time given in Retry-After.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "rate_limited"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description An unexpected error; the body names the request id to quote. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:internal_error",
                     *       "title": "Internal Server Error",
                     *       "status": 500,
                     *       "detail": "An unexpected error occurred; quote the instance when reporting it.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "internal_error"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description A dependency is unavailable (`database_unavailable`: PostgreSQL, `queue_unavailable`: Redis, `rate_limit_unavailable`: sign-in's rate-limit store); `Retry-After` says how many seconds to wait. */
            503: {
                headers: {
                    "Retry-After": components["headers"]["Retry-After"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:database_unavailable",
                     *       "title": "Service Unavailable",
                     *       "status": 503,
                     *       "detail": "The database (PostgreSQL) cannot be reached; retry after the time given in Retry-After.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "database_unavailable"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
        };
    };
    exportStudents: {
        parameters: {
            query?: {
                /** @description Only records whose academic year is this value. For example `2026-2027`. */
                academicYear?: string;
                /** @description CSV only: start with a UTF-8 byte order mark, which Excel needs to read Greek text right. */
                bom?: boolean;
                /** @description Only records whose class division is this value. For example `A1`. */
                classDivision?: string;
                /** @description Enrolled on or after this day. For example `2026-09-01`. */
                enrollmentDateFrom?: string;
                /** @description Enrolled on or before this day. For example `2026-09-30`. */
                enrollmentDateTo?: string;
                /** @description Comma-separated field names (camelCase, as in the API), in the order wanted; by default every regular field. For example `studentId,lastName,firstName,email`. */
                fields?: string;
                /** @description The file format. */
                format?: components["schemas"]["ExportFormat"];
                /** @description Admins only: also export soft-deleted rows. */
                includeDeleted?: boolean;
                /** @description Only records whose status is this value. */
                isActive?: boolean;
                /** @description Language of CSV and XLSX labels; by default from `Accept-Language`, else English. */
                lang?: components["schemas"]["ExportLanguage"];
                /** @description Only records whose study year is this value. For example `1`. */
                studyYear?: number;
            };
            header?: {
                /** @description The language of CSV and XLSX labels when `lang` is not given: `el` or `en` (else English). */
                "Accept-Language"?: string;
            };
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The file, as an attachment. */
            200: {
                headers: {
                    "Content-Disposition": components["headers"]["Content-Disposition"];
                    "X-RateLimit-Limit": components["headers"]["X-RateLimit-Limit"];
                    "X-RateLimit-Remaining": components["headers"]["X-RateLimit-Remaining"];
                    "X-RateLimit-Reset": components["headers"]["X-RateLimit-Reset"];
                    "X-Request-ID": components["headers"]["X-Request-ID"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json; charset=utf-8": components["schemas"]["StudentExportRow"][];
                    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": Blob | File;
                    "application/x-ndjson; charset=utf-8": Blob | File;
                    "text/csv; charset=utf-8": Blob | File;
                };
            };
            /** @description The request is malformed or a field is invalid (`validation_failed` lists each field in `errors`). */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:validation_failed",
                     *       "title": "Bad Request",
                     *       "status": 400,
                     *       "detail": "The request has 1 invalid field.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "validation_failed",
                     *       "errors": [
                     *         {
                     *           "field": "email",
                     *           "code": "isEmail",
                     *           "message": "email must be an email"
                     *         }
                     *       ]
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description No bearer token, or the token is invalid, expired or revoked. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:authentication_required",
                     *       "title": "Unauthorized",
                     *       "status": 401,
                     *       "detail": "Send a bearer token: Authorization: Bearer <accessToken>.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "authentication_required"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description The signed-in user's role may not do this. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:insufficient_role",
                     *       "title": "Forbidden",
                     *       "status": 403,
                     *       "detail": "This needs one of the roles admin, staff.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "insufficient_role"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description Rate limit exceeded; `Retry-After` says how many seconds to wait. */
            429: {
                headers: {
                    "Retry-After": components["headers"]["Retry-After"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:rate_limited",
                     *       "title": "Too Many Requests",
                     *       "status": 429,
                     *       "detail": "Too many requests; retry after the time given in Retry-After.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "rate_limited"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description An unexpected error; the body names the request id to quote. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:internal_error",
                     *       "title": "Internal Server Error",
                     *       "status": 500,
                     *       "detail": "An unexpected error occurred; quote the instance when reporting it.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "internal_error"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description A dependency is unavailable (`database_unavailable`: PostgreSQL, `queue_unavailable`: Redis, `rate_limit_unavailable`: sign-in's rate-limit store); `Retry-After` says how many seconds to wait. */
            503: {
                headers: {
                    "Retry-After": components["headers"]["Retry-After"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:database_unavailable",
                     *       "title": "Service Unavailable",
                     *       "status": 503,
                     *       "detail": "The database (PostgreSQL) cannot be reached; retry after the time given in Retry-After.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "database_unavailable"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
        };
    };
    getLiveness: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    "X-Request-ID": components["headers"]["X-Request-ID"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["LivenessDto"];
                };
            };
            /** @description An unexpected error; the body names the request id to quote. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:internal_error",
                     *       "title": "Internal Server Error",
                     *       "status": 500,
                     *       "detail": "An unexpected error occurred; quote the instance when reporting it.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "internal_error"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
        };
    };
    getReadiness: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    "X-Request-ID": components["headers"]["X-Request-ID"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ReadinessDto"];
                };
            };
            /** @description An unexpected error; the body names the request id to quote. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:internal_error",
                     *       "title": "Internal Server Error",
                     *       "status": 500,
                     *       "detail": "An unexpected error occurred; quote the instance when reporting it.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "internal_error"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description A dependency is unavailable (`database_unavailable`: PostgreSQL, `queue_unavailable`: Redis, `rate_limit_unavailable`: sign-in's rate-limit store); `Retry-After` says how many seconds to wait. */
            503: {
                headers: {
                    "Retry-After": components["headers"]["Retry-After"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:database_unavailable",
                     *       "title": "Service Unavailable",
                     *       "status": 503,
                     *       "detail": "The database (PostgreSQL) cannot be reached; retry after the time given in Retry-After.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "database_unavailable"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
        };
    };
    importCourseDirectory: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: {
            content: {
                "application/json": components["schemas"]["ImportBehaviourDto"];
            };
        };
        responses: {
            /** @description The job it started, as it stands now; `Location` is the job, to read again for its progress and result. */
            202: {
                headers: {
                    /** @description The URL of the job. */
                    Location?: string;
                    "X-RateLimit-Limit": components["headers"]["X-RateLimit-Limit"];
                    "X-RateLimit-Remaining": components["headers"]["X-RateLimit-Remaining"];
                    "X-RateLimit-Reset": components["headers"]["X-RateLimit-Reset"];
                    "X-Request-ID": components["headers"]["X-Request-ID"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["JobDto"];
                };
            };
            /** @description The request is malformed or a field is invalid (`validation_failed` lists each field in `errors`). */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:validation_failed",
                     *       "title": "Bad Request",
                     *       "status": 400,
                     *       "detail": "The request has 1 invalid field.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "validation_failed",
                     *       "errors": [
                     *         {
                     *           "field": "email",
                     *           "code": "isEmail",
                     *           "message": "email must be an email"
                     *         }
                     *       ]
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description No bearer token, or the token is invalid, expired or revoked. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:authentication_required",
                     *       "title": "Unauthorized",
                     *       "status": 401,
                     *       "detail": "Send a bearer token: Authorization: Bearer <accessToken>.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "authentication_required"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description The signed-in user's role may not do this. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:insufficient_role",
                     *       "title": "Forbidden",
                     *       "status": 403,
                     *       "detail": "This needs one of the roles admin, staff.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "insufficient_role"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description The request body is larger than the route accepts. */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:payload_too_large",
                     *       "title": "Payload Too Large",
                     *       "status": 413,
                     *       "detail": "The request body is larger than this route accepts.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "payload_too_large"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description The request body has a content type the route does not accept. */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:unsupported_media_type",
                     *       "title": "Unsupported Media Type",
                     *       "status": 415,
                     *       "detail": "This route does not accept a body of that content type.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "unsupported_media_type"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description The request is well-formed but breaks a rule of the domain. */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:unprocessable_content",
                     *       "title": "Unprocessable Entity",
                     *       "status": 422,
                     *       "detail": "The request breaks a rule of the domain.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "unprocessable_content"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description Rate limit exceeded; `Retry-After` says how many seconds to wait. */
            429: {
                headers: {
                    "Retry-After": components["headers"]["Retry-After"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:rate_limited",
                     *       "title": "Too Many Requests",
                     *       "status": 429,
                     *       "detail": "Too many requests; retry after the time given in Retry-After.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "rate_limited"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description An unexpected error; the body names the request id to quote. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:internal_error",
                     *       "title": "Internal Server Error",
                     *       "status": 500,
                     *       "detail": "An unexpected error occurred; quote the instance when reporting it.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "internal_error"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description A dependency is unavailable (`database_unavailable`: PostgreSQL, `queue_unavailable`: Redis, `rate_limit_unavailable`: sign-in's rate-limit store); `Retry-After` says how many seconds to wait. */
            503: {
                headers: {
                    "Retry-After": components["headers"]["Retry-After"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:database_unavailable",
                     *       "title": "Service Unavailable",
                     *       "status": 503,
                     *       "detail": "The database (PostgreSQL) cannot be reached; retry after the time given in Retry-After.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "database_unavailable"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
        };
    };
    listImportConflicts: {
        parameters: {
            query?: {
                /** @description How many items to return (1..500). */
                limit?: number;
                /** @description How many items to skip. */
                offset?: number;
            };
            header?: never;
            path: {
                /** @description The bulk_import job that committed the import. */
                jobId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    "X-RateLimit-Limit": components["headers"]["X-RateLimit-Limit"];
                    "X-RateLimit-Remaining": components["headers"]["X-RateLimit-Remaining"];
                    "X-RateLimit-Reset": components["headers"]["X-RateLimit-Reset"];
                    "X-Request-ID": components["headers"]["X-Request-ID"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ImportRecordPage"];
                };
            };
            /** @description The request is malformed or a field is invalid (`validation_failed` lists each field in `errors`). */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:validation_failed",
                     *       "title": "Bad Request",
                     *       "status": 400,
                     *       "detail": "The request has 1 invalid field.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "validation_failed",
                     *       "errors": [
                     *         {
                     *           "field": "email",
                     *           "code": "isEmail",
                     *           "message": "email must be an email"
                     *         }
                     *       ]
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description No bearer token, or the token is invalid, expired or revoked. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:authentication_required",
                     *       "title": "Unauthorized",
                     *       "status": 401,
                     *       "detail": "Send a bearer token: Authorization: Bearer <accessToken>.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "authentication_required"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description The signed-in user's role may not do this. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:insufficient_role",
                     *       "title": "Forbidden",
                     *       "status": 403,
                     *       "detail": "This needs one of the roles admin, staff.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "insufficient_role"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description The resource does not exist (or belongs to someone else). */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:not_found",
                     *       "title": "Not Found",
                     *       "status": 404,
                     *       "detail": "Student 42 was not found.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "not_found"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description Rate limit exceeded; `Retry-After` says how many seconds to wait. */
            429: {
                headers: {
                    "Retry-After": components["headers"]["Retry-After"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:rate_limited",
                     *       "title": "Too Many Requests",
                     *       "status": 429,
                     *       "detail": "Too many requests; retry after the time given in Retry-After.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "rate_limited"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description An unexpected error; the body names the request id to quote. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:internal_error",
                     *       "title": "Internal Server Error",
                     *       "status": 500,
                     *       "detail": "An unexpected error occurred; quote the instance when reporting it.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "internal_error"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description A dependency is unavailable (`database_unavailable`: PostgreSQL, `queue_unavailable`: Redis, `rate_limit_unavailable`: sign-in's rate-limit store); `Retry-After` says how many seconds to wait. */
            503: {
                headers: {
                    "Retry-After": components["headers"]["Retry-After"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:database_unavailable",
                     *       "title": "Service Unavailable",
                     *       "status": 503,
                     *       "detail": "The database (PostgreSQL) cannot be reached; retry after the time given in Retry-After.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "database_unavailable"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
        };
    };
    downloadImportConflicts: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The bulk_import job that committed the import. */
                jobId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The conflicts as CSV. */
            200: {
                headers: {
                    "X-RateLimit-Limit": components["headers"]["X-RateLimit-Limit"];
                    "X-RateLimit-Remaining": components["headers"]["X-RateLimit-Remaining"];
                    "X-RateLimit-Reset": components["headers"]["X-RateLimit-Reset"];
                    "X-Request-ID": components["headers"]["X-Request-ID"];
                    [name: string]: unknown;
                };
                content: {
                    "text/csv; charset=utf-8": string;
                };
            };
            /** @description The request is malformed or a field is invalid (`validation_failed` lists each field in `errors`). */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:validation_failed",
                     *       "title": "Bad Request",
                     *       "status": 400,
                     *       "detail": "The request has 1 invalid field.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "validation_failed",
                     *       "errors": [
                     *         {
                     *           "field": "email",
                     *           "code": "isEmail",
                     *           "message": "email must be an email"
                     *         }
                     *       ]
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description No bearer token, or the token is invalid, expired or revoked. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:authentication_required",
                     *       "title": "Unauthorized",
                     *       "status": 401,
                     *       "detail": "Send a bearer token: Authorization: Bearer <accessToken>.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "authentication_required"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description The signed-in user's role may not do this. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:insufficient_role",
                     *       "title": "Forbidden",
                     *       "status": 403,
                     *       "detail": "This needs one of the roles admin, staff.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "insufficient_role"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description The resource does not exist (or belongs to someone else). */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:not_found",
                     *       "title": "Not Found",
                     *       "status": 404,
                     *       "detail": "Student 42 was not found.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "not_found"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description Rate limit exceeded; `Retry-After` says how many seconds to wait. */
            429: {
                headers: {
                    "Retry-After": components["headers"]["Retry-After"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:rate_limited",
                     *       "title": "Too Many Requests",
                     *       "status": 429,
                     *       "detail": "Too many requests; retry after the time given in Retry-After.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "rate_limited"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description An unexpected error; the body names the request id to quote. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:internal_error",
                     *       "title": "Internal Server Error",
                     *       "status": 500,
                     *       "detail": "An unexpected error occurred; quote the instance when reporting it.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "internal_error"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description A dependency is unavailable (`database_unavailable`: PostgreSQL, `queue_unavailable`: Redis, `rate_limit_unavailable`: sign-in's rate-limit store); `Retry-After` says how many seconds to wait. */
            503: {
                headers: {
                    "Retry-After": components["headers"]["Retry-After"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:database_unavailable",
                     *       "title": "Service Unavailable",
                     *       "status": 503,
                     *       "detail": "The database (PostgreSQL) cannot be reached; retry after the time given in Retry-After.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "database_unavailable"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
        };
    };
    listImportRecords: {
        parameters: {
            query?: {
                /** @description How many items to return (1..500). */
                limit?: number;
                /** @description How many items to skip. */
                offset?: number;
                /** @description Only the records with this outcome. */
                outcome?: components["schemas"]["ImportRecordOutcome"];
            };
            header?: never;
            path: {
                /** @description The bulk_import job that committed the import. */
                jobId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    "X-RateLimit-Limit": components["headers"]["X-RateLimit-Limit"];
                    "X-RateLimit-Remaining": components["headers"]["X-RateLimit-Remaining"];
                    "X-RateLimit-Reset": components["headers"]["X-RateLimit-Reset"];
                    "X-Request-ID": components["headers"]["X-Request-ID"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ImportRecordPage"];
                };
            };
            /** @description The request is malformed or a field is invalid (`validation_failed` lists each field in `errors`). */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:validation_failed",
                     *       "title": "Bad Request",
                     *       "status": 400,
                     *       "detail": "The request has 1 invalid field.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "validation_failed",
                     *       "errors": [
                     *         {
                     *           "field": "email",
                     *           "code": "isEmail",
                     *           "message": "email must be an email"
                     *         }
                     *       ]
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description No bearer token, or the token is invalid, expired or revoked. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:authentication_required",
                     *       "title": "Unauthorized",
                     *       "status": 401,
                     *       "detail": "Send a bearer token: Authorization: Bearer <accessToken>.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "authentication_required"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description The signed-in user's role may not do this. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:insufficient_role",
                     *       "title": "Forbidden",
                     *       "status": 403,
                     *       "detail": "This needs one of the roles admin, staff.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "insufficient_role"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description The resource does not exist (or belongs to someone else). */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:not_found",
                     *       "title": "Not Found",
                     *       "status": 404,
                     *       "detail": "Student 42 was not found.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "not_found"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description Rate limit exceeded; `Retry-After` says how many seconds to wait. */
            429: {
                headers: {
                    "Retry-After": components["headers"]["Retry-After"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:rate_limited",
                     *       "title": "Too Many Requests",
                     *       "status": 429,
                     *       "detail": "Too many requests; retry after the time given in Retry-After.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "rate_limited"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description An unexpected error; the body names the request id to quote. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:internal_error",
                     *       "title": "Internal Server Error",
                     *       "status": 500,
                     *       "detail": "An unexpected error occurred; quote the instance when reporting it.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "internal_error"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description A dependency is unavailable (`database_unavailable`: PostgreSQL, `queue_unavailable`: Redis, `rate_limit_unavailable`: sign-in's rate-limit store); `Retry-After` says how many seconds to wait. */
            503: {
                headers: {
                    "Retry-After": components["headers"]["Retry-After"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:database_unavailable",
                     *       "title": "Service Unavailable",
                     *       "status": 503,
                     *       "detail": "The database (PostgreSQL) cannot be reached; retry after the time given in Retry-After.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "database_unavailable"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
        };
    };
    undoImport: {
        parameters: {
            query?: {
                /** @description Answer the counts and the conflicts, write nothing. */
                dryRun?: boolean;
                /** @description refuse: undo nothing while a record was changed after the import (409 undo_conflict); skip: undo the others. */
                onConflict?: components["schemas"]["UndoConflictPolicy"];
            };
            header?: never;
            path: {
                /** @description The bulk_import job that committed the import. */
                jobId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description dryRun=true: what the undo would do. */
            200: {
                headers: {
                    "X-RateLimit-Limit": components["headers"]["X-RateLimit-Limit"];
                    "X-RateLimit-Remaining": components["headers"]["X-RateLimit-Remaining"];
                    "X-RateLimit-Reset": components["headers"]["X-RateLimit-Reset"];
                    "X-Request-ID": components["headers"]["X-Request-ID"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ImportUndoPreviewDto"];
                };
            };
            /** @description The job it started, as it stands now; `Location` is the job, to read again for its progress and result. */
            202: {
                headers: {
                    /** @description The URL of the job. */
                    Location?: string;
                    "X-RateLimit-Limit": components["headers"]["X-RateLimit-Limit"];
                    "X-RateLimit-Remaining": components["headers"]["X-RateLimit-Remaining"];
                    "X-RateLimit-Reset": components["headers"]["X-RateLimit-Reset"];
                    "X-Request-ID": components["headers"]["X-Request-ID"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["JobDto"];
                };
            };
            /** @description The request is malformed or a field is invalid (`validation_failed` lists each field in `errors`). */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:validation_failed",
                     *       "title": "Bad Request",
                     *       "status": 400,
                     *       "detail": "The request has 1 invalid field.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "validation_failed",
                     *       "errors": [
                     *         {
                     *           "field": "email",
                     *           "code": "isEmail",
                     *           "message": "email must be an email"
                     *         }
                     *       ]
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description No bearer token, or the token is invalid, expired or revoked. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:authentication_required",
                     *       "title": "Unauthorized",
                     *       "status": 401,
                     *       "detail": "Send a bearer token: Authorization: Bearer <accessToken>.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "authentication_required"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description The signed-in user's role may not do this. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:insufficient_role",
                     *       "title": "Forbidden",
                     *       "status": 403,
                     *       "detail": "This needs one of the roles admin, staff.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "insufficient_role"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description The resource does not exist (or belongs to someone else). */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:not_found",
                     *       "title": "Not Found",
                     *       "status": 404,
                     *       "detail": "Student 42 was not found.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "not_found"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description The request conflicts with the current state, such as a natural key already in use. */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:conflict",
                     *       "title": "Conflict",
                     *       "status": 409,
                     *       "detail": "The request conflicts with the current state.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "conflict"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description Rate limit exceeded; `Retry-After` says how many seconds to wait. */
            429: {
                headers: {
                    "Retry-After": components["headers"]["Retry-After"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:rate_limited",
                     *       "title": "Too Many Requests",
                     *       "status": 429,
                     *       "detail": "Too many requests; retry after the time given in Retry-After.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "rate_limited"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description An unexpected error; the body names the request id to quote. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:internal_error",
                     *       "title": "Internal Server Error",
                     *       "status": 500,
                     *       "detail": "An unexpected error occurred; quote the instance when reporting it.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "internal_error"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description A dependency is unavailable (`database_unavailable`: PostgreSQL, `queue_unavailable`: Redis, `rate_limit_unavailable`: sign-in's rate-limit store); `Retry-After` says how many seconds to wait. */
            503: {
                headers: {
                    "Retry-After": components["headers"]["Retry-After"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:database_unavailable",
                     *       "title": "Service Unavailable",
                     *       "status": 503,
                     *       "detail": "The database (PostgreSQL) cannot be reached; retry after the time given in Retry-After.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "database_unavailable"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
        };
    };
    previewImport: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "multipart/form-data": components["schemas"]["ImportUploadBodyDto"];
            };
        };
        responses: {
            /** @description Created */
            201: {
                headers: {
                    "X-RateLimit-Limit": components["headers"]["X-RateLimit-Limit"];
                    "X-RateLimit-Remaining": components["headers"]["X-RateLimit-Remaining"];
                    "X-RateLimit-Reset": components["headers"]["X-RateLimit-Reset"];
                    "X-Request-ID": components["headers"]["X-Request-ID"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ImportPreviewDto"];
                };
            };
            /** @description The request is malformed or a field is invalid (`validation_failed` lists each field in `errors`). */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:validation_failed",
                     *       "title": "Bad Request",
                     *       "status": 400,
                     *       "detail": "The request has 1 invalid field.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "validation_failed",
                     *       "errors": [
                     *         {
                     *           "field": "email",
                     *           "code": "isEmail",
                     *           "message": "email must be an email"
                     *         }
                     *       ]
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description No bearer token, or the token is invalid, expired or revoked. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:authentication_required",
                     *       "title": "Unauthorized",
                     *       "status": 401,
                     *       "detail": "Send a bearer token: Authorization: Bearer <accessToken>.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "authentication_required"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description The signed-in user's role may not do this. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:insufficient_role",
                     *       "title": "Forbidden",
                     *       "status": 403,
                     *       "detail": "This needs one of the roles admin, staff.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "insufficient_role"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description The request body is too large. */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:payload_too_large",
                     *       "title": "Payload Too Large",
                     *       "status": 413,
                     *       "detail": "The request body is larger than this route accepts.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "payload_too_large"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description The request body has an unsupported content type. */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:unsupported_media_type",
                     *       "title": "Unsupported Media Type",
                     *       "status": 415,
                     *       "detail": "This route does not accept a body of that content type.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "unsupported_media_type"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description The request is well-formed but breaks a rule of the domain. */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:unprocessable_content",
                     *       "title": "Unprocessable Entity",
                     *       "status": 422,
                     *       "detail": "The request breaks a rule of the domain.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "unprocessable_content"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description Rate limit exceeded; `Retry-After` says how many seconds to wait. */
            429: {
                headers: {
                    "Retry-After": components["headers"]["Retry-After"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:rate_limited",
                     *       "title": "Too Many Requests",
                     *       "status": 429,
                     *       "detail": "Too many requests; retry after the time given in Retry-After.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "rate_limited"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description An unexpected error; the body names the request id to quote. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:internal_error",
                     *       "title": "Internal Server Error",
                     *       "status": 500,
                     *       "detail": "An unexpected error occurred; quote the instance when reporting it.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "internal_error"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description A dependency is unavailable (`database_unavailable`: PostgreSQL, `queue_unavailable`: Redis, `rate_limit_unavailable`: sign-in's rate-limit store); `Retry-After` says how many seconds to wait. */
            503: {
                headers: {
                    "Retry-After": components["headers"]["Retry-After"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:database_unavailable",
                     *       "title": "Service Unavailable",
                     *       "status": 503,
                     *       "detail": "The database (PostgreSQL) cannot be reached; retry after the time given in Retry-After.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "database_unavailable"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
        };
    };
    getImportPreview: {
        parameters: {
            query?: {
                /** @description Only issues with this code (docs/imports.md lists them). For example `invalid_email`. */
                code?: string;
                /** @description How many items to return (1..500). */
                limit?: number;
                /** @description How many items to skip. */
                offset?: number;
                /** @description Only issues of this severity. */
                severity?: components["schemas"]["IssueSeverity"];
            };
            header?: never;
            path: {
                /** @description The preview's id (from `POST /imports/preview`). */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    "X-RateLimit-Limit": components["headers"]["X-RateLimit-Limit"];
                    "X-RateLimit-Remaining": components["headers"]["X-RateLimit-Remaining"];
                    "X-RateLimit-Reset": components["headers"]["X-RateLimit-Reset"];
                    "X-Request-ID": components["headers"]["X-Request-ID"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ImportPreviewDto"];
                };
            };
            /** @description The request is malformed or a field is invalid (`validation_failed` lists each field in `errors`). */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:validation_failed",
                     *       "title": "Bad Request",
                     *       "status": 400,
                     *       "detail": "The request has 1 invalid field.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "validation_failed",
                     *       "errors": [
                     *         {
                     *           "field": "email",
                     *           "code": "isEmail",
                     *           "message": "email must be an email"
                     *         }
                     *       ]
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description No bearer token, or the token is invalid, expired or revoked. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:authentication_required",
                     *       "title": "Unauthorized",
                     *       "status": 401,
                     *       "detail": "Send a bearer token: Authorization: Bearer <accessToken>.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "authentication_required"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description The signed-in user's role may not do this. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:insufficient_role",
                     *       "title": "Forbidden",
                     *       "status": 403,
                     *       "detail": "This needs one of the roles admin, staff.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "insufficient_role"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description The resource does not exist (or belongs to someone else). */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:not_found",
                     *       "title": "Not Found",
                     *       "status": 404,
                     *       "detail": "Student 42 was not found.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "not_found"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description Rate limit exceeded; `Retry-After` says how many seconds to wait. */
            429: {
                headers: {
                    "Retry-After": components["headers"]["Retry-After"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:rate_limited",
                     *       "title": "Too Many Requests",
                     *       "status": 429,
                     *       "detail": "Too many requests; retry after the time given in Retry-After.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "rate_limited"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description An unexpected error; the body names the request id to quote. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:internal_error",
                     *       "title": "Internal Server Error",
                     *       "status": 500,
                     *       "detail": "An unexpected error occurred; quote the instance when reporting it.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "internal_error"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description A dependency is unavailable (`database_unavailable`: PostgreSQL, `queue_unavailable`: Redis, `rate_limit_unavailable`: sign-in's rate-limit store); `Retry-After` says how many seconds to wait. */
            503: {
                headers: {
                    "Retry-After": components["headers"]["Retry-After"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:database_unavailable",
                     *       "title": "Service Unavailable",
                     *       "status": 503,
                     *       "detail": "The database (PostgreSQL) cannot be reached; retry after the time given in Retry-After.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "database_unavailable"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
        };
    };
    commitImportPreview: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The preview's id (from `POST /imports/preview`). */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: {
            content: {
                "application/json": components["schemas"]["ImportCommitDto"];
            };
        };
        responses: {
            /** @description The job it started, as it stands now; `Location` is the job, to read again for its progress and result. */
            202: {
                headers: {
                    /** @description The URL of the job. */
                    Location?: string;
                    "X-RateLimit-Limit": components["headers"]["X-RateLimit-Limit"];
                    "X-RateLimit-Remaining": components["headers"]["X-RateLimit-Remaining"];
                    "X-RateLimit-Reset": components["headers"]["X-RateLimit-Reset"];
                    "X-Request-ID": components["headers"]["X-Request-ID"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["JobDto"];
                };
            };
            /** @description The request is malformed or a field is invalid (`validation_failed` lists each field in `errors`). */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:validation_failed",
                     *       "title": "Bad Request",
                     *       "status": 400,
                     *       "detail": "The request has 1 invalid field.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "validation_failed",
                     *       "errors": [
                     *         {
                     *           "field": "email",
                     *           "code": "isEmail",
                     *           "message": "email must be an email"
                     *         }
                     *       ]
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description No bearer token, or the token is invalid, expired or revoked. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:authentication_required",
                     *       "title": "Unauthorized",
                     *       "status": 401,
                     *       "detail": "Send a bearer token: Authorization: Bearer <accessToken>.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "authentication_required"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description The signed-in user's role may not do this. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:insufficient_role",
                     *       "title": "Forbidden",
                     *       "status": 403,
                     *       "detail": "This needs one of the roles admin, staff.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "insufficient_role"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description The resource does not exist (or belongs to someone else). */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:not_found",
                     *       "title": "Not Found",
                     *       "status": 404,
                     *       "detail": "Student 42 was not found.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "not_found"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description The request conflicts with the current state, such as a natural key already in use. */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:conflict",
                     *       "title": "Conflict",
                     *       "status": 409,
                     *       "detail": "The request conflicts with the current state.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "conflict"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description The request body is larger than the route accepts. */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:payload_too_large",
                     *       "title": "Payload Too Large",
                     *       "status": 413,
                     *       "detail": "The request body is larger than this route accepts.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "payload_too_large"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description The request body has a content type the route does not accept. */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:unsupported_media_type",
                     *       "title": "Unsupported Media Type",
                     *       "status": 415,
                     *       "detail": "This route does not accept a body of that content type.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "unsupported_media_type"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description The request is well-formed but breaks a rule of the domain. */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:unprocessable_content",
                     *       "title": "Unprocessable Entity",
                     *       "status": 422,
                     *       "detail": "The request breaks a rule of the domain.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "unprocessable_content"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description Rate limit exceeded; `Retry-After` says how many seconds to wait. */
            429: {
                headers: {
                    "Retry-After": components["headers"]["Retry-After"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:rate_limited",
                     *       "title": "Too Many Requests",
                     *       "status": 429,
                     *       "detail": "Too many requests; retry after the time given in Retry-After.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "rate_limited"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description An unexpected error; the body names the request id to quote. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:internal_error",
                     *       "title": "Internal Server Error",
                     *       "status": 500,
                     *       "detail": "An unexpected error occurred; quote the instance when reporting it.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "internal_error"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description A dependency is unavailable (`database_unavailable`: PostgreSQL, `queue_unavailable`: Redis, `rate_limit_unavailable`: sign-in's rate-limit store); `Retry-After` says how many seconds to wait. */
            503: {
                headers: {
                    "Retry-After": components["headers"]["Retry-After"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:database_unavailable",
                     *       "title": "Service Unavailable",
                     *       "status": 503,
                     *       "detail": "The database (PostgreSQL) cannot be reached; retry after the time given in Retry-After.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "database_unavailable"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
        };
    };
    downloadRejectedRows: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The preview's id (from `POST /imports/preview`). */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description UTF-8 CSV with a byte-order mark, so spreadsheets open Greek text correctly. */
            200: {
                headers: {
                    "Content-Disposition": components["headers"]["Content-Disposition"];
                    "X-RateLimit-Limit": components["headers"]["X-RateLimit-Limit"];
                    "X-RateLimit-Remaining": components["headers"]["X-RateLimit-Remaining"];
                    "X-RateLimit-Reset": components["headers"]["X-RateLimit-Reset"];
                    "X-Request-ID": components["headers"]["X-Request-ID"];
                    [name: string]: unknown;
                };
                content: {
                    "text/csv; charset=utf-8": Blob | File;
                };
            };
            /** @description The request is malformed or a field is invalid (`validation_failed` lists each field in `errors`). */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:validation_failed",
                     *       "title": "Bad Request",
                     *       "status": 400,
                     *       "detail": "The request has 1 invalid field.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "validation_failed",
                     *       "errors": [
                     *         {
                     *           "field": "email",
                     *           "code": "isEmail",
                     *           "message": "email must be an email"
                     *         }
                     *       ]
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description No bearer token, or the token is invalid, expired or revoked. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:authentication_required",
                     *       "title": "Unauthorized",
                     *       "status": 401,
                     *       "detail": "Send a bearer token: Authorization: Bearer <accessToken>.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "authentication_required"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description The signed-in user's role may not do this. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:insufficient_role",
                     *       "title": "Forbidden",
                     *       "status": 403,
                     *       "detail": "This needs one of the roles admin, staff.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "insufficient_role"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description The resource does not exist (or belongs to someone else). */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:not_found",
                     *       "title": "Not Found",
                     *       "status": 404,
                     *       "detail": "Student 42 was not found.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "not_found"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description Rate limit exceeded; `Retry-After` says how many seconds to wait. */
            429: {
                headers: {
                    "Retry-After": components["headers"]["Retry-After"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:rate_limited",
                     *       "title": "Too Many Requests",
                     *       "status": 429,
                     *       "detail": "Too many requests; retry after the time given in Retry-After.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "rate_limited"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description An unexpected error; the body names the request id to quote. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:internal_error",
                     *       "title": "Internal Server Error",
                     *       "status": 500,
                     *       "detail": "An unexpected error occurred; quote the instance when reporting it.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "internal_error"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description A dependency is unavailable (`database_unavailable`: PostgreSQL, `queue_unavailable`: Redis, `rate_limit_unavailable`: sign-in's rate-limit store); `Retry-After` says how many seconds to wait. */
            503: {
                headers: {
                    "Retry-After": components["headers"]["Retry-After"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:database_unavailable",
                     *       "title": "Service Unavailable",
                     *       "status": 503,
                     *       "detail": "The database (PostgreSQL) cannot be reached; retry after the time given in Retry-After.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "database_unavailable"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
        };
    };
    importStudentDirectory: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: {
            content: {
                "application/json": components["schemas"]["ImportBehaviourDto"];
            };
        };
        responses: {
            /** @description The job it started, as it stands now; `Location` is the job, to read again for its progress and result. */
            202: {
                headers: {
                    /** @description The URL of the job. */
                    Location?: string;
                    "X-RateLimit-Limit": components["headers"]["X-RateLimit-Limit"];
                    "X-RateLimit-Remaining": components["headers"]["X-RateLimit-Remaining"];
                    "X-RateLimit-Reset": components["headers"]["X-RateLimit-Reset"];
                    "X-Request-ID": components["headers"]["X-Request-ID"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["JobDto"];
                };
            };
            /** @description The request is malformed or a field is invalid (`validation_failed` lists each field in `errors`). */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:validation_failed",
                     *       "title": "Bad Request",
                     *       "status": 400,
                     *       "detail": "The request has 1 invalid field.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "validation_failed",
                     *       "errors": [
                     *         {
                     *           "field": "email",
                     *           "code": "isEmail",
                     *           "message": "email must be an email"
                     *         }
                     *       ]
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description No bearer token, or the token is invalid, expired or revoked. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:authentication_required",
                     *       "title": "Unauthorized",
                     *       "status": 401,
                     *       "detail": "Send a bearer token: Authorization: Bearer <accessToken>.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "authentication_required"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description The signed-in user's role may not do this. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:insufficient_role",
                     *       "title": "Forbidden",
                     *       "status": 403,
                     *       "detail": "This needs one of the roles admin, staff.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "insufficient_role"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description The request body is larger than the route accepts. */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:payload_too_large",
                     *       "title": "Payload Too Large",
                     *       "status": 413,
                     *       "detail": "The request body is larger than this route accepts.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "payload_too_large"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description The request body has a content type the route does not accept. */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:unsupported_media_type",
                     *       "title": "Unsupported Media Type",
                     *       "status": 415,
                     *       "detail": "This route does not accept a body of that content type.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "unsupported_media_type"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description The request is well-formed but breaks a rule of the domain. */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:unprocessable_content",
                     *       "title": "Unprocessable Entity",
                     *       "status": 422,
                     *       "detail": "The request breaks a rule of the domain.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "unprocessable_content"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description Rate limit exceeded; `Retry-After` says how many seconds to wait. */
            429: {
                headers: {
                    "Retry-After": components["headers"]["Retry-After"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:rate_limited",
                     *       "title": "Too Many Requests",
                     *       "status": 429,
                     *       "detail": "Too many requests; retry after the time given in Retry-After.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "rate_limited"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description An unexpected error; the body names the request id to quote. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:internal_error",
                     *       "title": "Internal Server Error",
                     *       "status": 500,
                     *       "detail": "An unexpected error occurred; quote the instance when reporting it.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "internal_error"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description A dependency is unavailable (`database_unavailable`: PostgreSQL, `queue_unavailable`: Redis, `rate_limit_unavailable`: sign-in's rate-limit store); `Retry-After` says how many seconds to wait. */
            503: {
                headers: {
                    "Retry-After": components["headers"]["Retry-After"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:database_unavailable",
                     *       "title": "Service Unavailable",
                     *       "status": 503,
                     *       "detail": "The database (PostgreSQL) cannot be reached; retry after the time given in Retry-After.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "database_unavailable"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
        };
    };
    uploadImport: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "multipart/form-data": components["schemas"]["ImportUploadBodyDto"];
            };
        };
        responses: {
            /** @description The job it started, as it stands now; `Location` is the job, to read again for its progress and result. */
            202: {
                headers: {
                    /** @description The URL of the job. */
                    Location?: string;
                    "X-RateLimit-Limit": components["headers"]["X-RateLimit-Limit"];
                    "X-RateLimit-Remaining": components["headers"]["X-RateLimit-Remaining"];
                    "X-RateLimit-Reset": components["headers"]["X-RateLimit-Reset"];
                    "X-Request-ID": components["headers"]["X-Request-ID"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["JobDto"];
                };
            };
            /** @description The request is malformed or a field is invalid (`validation_failed` lists each field in `errors`). */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:validation_failed",
                     *       "title": "Bad Request",
                     *       "status": 400,
                     *       "detail": "The request has 1 invalid field.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "validation_failed",
                     *       "errors": [
                     *         {
                     *           "field": "email",
                     *           "code": "isEmail",
                     *           "message": "email must be an email"
                     *         }
                     *       ]
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description No bearer token, or the token is invalid, expired or revoked. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:authentication_required",
                     *       "title": "Unauthorized",
                     *       "status": 401,
                     *       "detail": "Send a bearer token: Authorization: Bearer <accessToken>.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "authentication_required"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description The signed-in user's role may not do this. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:insufficient_role",
                     *       "title": "Forbidden",
                     *       "status": 403,
                     *       "detail": "This needs one of the roles admin, staff.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "insufficient_role"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description The request body is too large. */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:payload_too_large",
                     *       "title": "Payload Too Large",
                     *       "status": 413,
                     *       "detail": "The request body is larger than this route accepts.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "payload_too_large"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description The request body has an unsupported content type. */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:unsupported_media_type",
                     *       "title": "Unsupported Media Type",
                     *       "status": 415,
                     *       "detail": "This route does not accept a body of that content type.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "unsupported_media_type"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description The request is well-formed but breaks a rule of the domain. */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:unprocessable_content",
                     *       "title": "Unprocessable Entity",
                     *       "status": 422,
                     *       "detail": "The request breaks a rule of the domain.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "unprocessable_content"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description Rate limit exceeded; `Retry-After` says how many seconds to wait. */
            429: {
                headers: {
                    "Retry-After": components["headers"]["Retry-After"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:rate_limited",
                     *       "title": "Too Many Requests",
                     *       "status": 429,
                     *       "detail": "Too many requests; retry after the time given in Retry-After.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "rate_limited"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description An unexpected error; the body names the request id to quote. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:internal_error",
                     *       "title": "Internal Server Error",
                     *       "status": 500,
                     *       "detail": "An unexpected error occurred; quote the instance when reporting it.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "internal_error"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description A dependency is unavailable (`database_unavailable`: PostgreSQL, `queue_unavailable`: Redis, `rate_limit_unavailable`: sign-in's rate-limit store); `Retry-After` says how many seconds to wait. */
            503: {
                headers: {
                    "Retry-After": components["headers"]["Retry-After"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:database_unavailable",
                     *       "title": "Service Unavailable",
                     *       "status": 503,
                     *       "detail": "The database (PostgreSQL) cannot be reached; retry after the time given in Retry-After.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "database_unavailable"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
        };
    };
    listJobs: {
        parameters: {
            query?: {
                /** @description How many items to return (1..500). */
                limit?: number;
                /** @description How many items to skip. */
                offset?: number;
                /** @description Only jobs in this state. */
                status?: components["schemas"]["JobStatus"];
                /** @description Only jobs of this type. */
                type?: components["schemas"]["JobType"];
                /** @description Admins only: the jobs of this user (others always see their own). */
                userId?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    "X-RateLimit-Limit": components["headers"]["X-RateLimit-Limit"];
                    "X-RateLimit-Remaining": components["headers"]["X-RateLimit-Remaining"];
                    "X-RateLimit-Reset": components["headers"]["X-RateLimit-Reset"];
                    "X-Request-ID": components["headers"]["X-Request-ID"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["JobPage"];
                };
            };
            /** @description The request is malformed or a field is invalid (`validation_failed` lists each field in `errors`). */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:validation_failed",
                     *       "title": "Bad Request",
                     *       "status": 400,
                     *       "detail": "The request has 1 invalid field.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "validation_failed",
                     *       "errors": [
                     *         {
                     *           "field": "email",
                     *           "code": "isEmail",
                     *           "message": "email must be an email"
                     *         }
                     *       ]
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description No bearer token, or the token is invalid, expired or revoked. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:authentication_required",
                     *       "title": "Unauthorized",
                     *       "status": 401,
                     *       "detail": "Send a bearer token: Authorization: Bearer <accessToken>.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "authentication_required"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description The signed-in user's role may not do this. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:insufficient_role",
                     *       "title": "Forbidden",
                     *       "status": 403,
                     *       "detail": "This needs one of the roles admin, staff.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "insufficient_role"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description Rate limit exceeded; `Retry-After` says how many seconds to wait. */
            429: {
                headers: {
                    "Retry-After": components["headers"]["Retry-After"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:rate_limited",
                     *       "title": "Too Many Requests",
                     *       "status": 429,
                     *       "detail": "Too many requests; retry after the time given in Retry-After.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "rate_limited"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description An unexpected error; the body names the request id to quote. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:internal_error",
                     *       "title": "Internal Server Error",
                     *       "status": 500,
                     *       "detail": "An unexpected error occurred; quote the instance when reporting it.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "internal_error"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description A dependency is unavailable (`database_unavailable`: PostgreSQL, `queue_unavailable`: Redis, `rate_limit_unavailable`: sign-in's rate-limit store); `Retry-After` says how many seconds to wait. */
            503: {
                headers: {
                    "Retry-After": components["headers"]["Retry-After"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:database_unavailable",
                     *       "title": "Service Unavailable",
                     *       "status": 503,
                     *       "detail": "The database (PostgreSQL) cannot be reached; retry after the time given in Retry-After.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "database_unavailable"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
        };
    };
    createJob: {
        parameters: {
            query?: never;
            header?: {
                /** @description Any 1..255 visible ASCII characters, unique per intended job: a repeat with the same body answers the job it created. */
                "Idempotency-Key"?: components["parameters"]["Idempotency-Key"];
            };
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["CreateJobDto"];
            };
        };
        responses: {
            /** @description The job it started, as it stands now; `Location` is the job, to read again for its progress and result. */
            202: {
                headers: {
                    "Idempotency-Replayed": components["headers"]["Idempotency-Replayed"];
                    /** @description The URL of the job. */
                    Location?: string;
                    "X-RateLimit-Limit": components["headers"]["X-RateLimit-Limit"];
                    "X-RateLimit-Remaining": components["headers"]["X-RateLimit-Remaining"];
                    "X-RateLimit-Reset": components["headers"]["X-RateLimit-Reset"];
                    "X-Request-ID": components["headers"]["X-Request-ID"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["JobDto"];
                };
            };
            /** @description The request is malformed or a field is invalid (`validation_failed` lists each field in `errors`). */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:validation_failed",
                     *       "title": "Bad Request",
                     *       "status": 400,
                     *       "detail": "The request has 1 invalid field.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "validation_failed",
                     *       "errors": [
                     *         {
                     *           "field": "email",
                     *           "code": "isEmail",
                     *           "message": "email must be an email"
                     *         }
                     *       ]
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description No bearer token, or the token is invalid, expired or revoked. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:authentication_required",
                     *       "title": "Unauthorized",
                     *       "status": 401,
                     *       "detail": "Send a bearer token: Authorization: Bearer <accessToken>.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "authentication_required"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description The request body is larger than the route accepts. */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:payload_too_large",
                     *       "title": "Payload Too Large",
                     *       "status": 413,
                     *       "detail": "The request body is larger than this route accepts.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "payload_too_large"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description The request body has a content type the route does not accept. */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:unsupported_media_type",
                     *       "title": "Unsupported Media Type",
                     *       "status": 415,
                     *       "detail": "This route does not accept a body of that content type.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "unsupported_media_type"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description The request is well-formed but breaks a rule of the domain. */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:unprocessable_content",
                     *       "title": "Unprocessable Entity",
                     *       "status": 422,
                     *       "detail": "The request breaks a rule of the domain.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "unprocessable_content"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description Rate limit exceeded; `Retry-After` says how many seconds to wait. */
            429: {
                headers: {
                    "Retry-After": components["headers"]["Retry-After"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:rate_limited",
                     *       "title": "Too Many Requests",
                     *       "status": 429,
                     *       "detail": "Too many requests; retry after the time given in Retry-After.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "rate_limited"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description An unexpected error; the body names the request id to quote. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:internal_error",
                     *       "title": "Internal Server Error",
                     *       "status": 500,
                     *       "detail": "An unexpected error occurred; quote the instance when reporting it.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "internal_error"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description A dependency is unavailable (`database_unavailable`: PostgreSQL, `queue_unavailable`: Redis, `rate_limit_unavailable`: sign-in's rate-limit store); `Retry-After` says how many seconds to wait. */
            503: {
                headers: {
                    "Retry-After": components["headers"]["Retry-After"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:database_unavailable",
                     *       "title": "Service Unavailable",
                     *       "status": 503,
                     *       "detail": "The database (PostgreSQL) cannot be reached; retry after the time given in Retry-After.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "database_unavailable"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
        };
    };
    getJob: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The job's id. */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    "X-RateLimit-Limit": components["headers"]["X-RateLimit-Limit"];
                    "X-RateLimit-Remaining": components["headers"]["X-RateLimit-Remaining"];
                    "X-RateLimit-Reset": components["headers"]["X-RateLimit-Reset"];
                    "X-Request-ID": components["headers"]["X-Request-ID"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["JobDto"];
                };
            };
            /** @description The request is malformed or a field is invalid (`validation_failed` lists each field in `errors`). */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:validation_failed",
                     *       "title": "Bad Request",
                     *       "status": 400,
                     *       "detail": "The request has 1 invalid field.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "validation_failed",
                     *       "errors": [
                     *         {
                     *           "field": "email",
                     *           "code": "isEmail",
                     *           "message": "email must be an email"
                     *         }
                     *       ]
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description No bearer token, or the token is invalid, expired or revoked. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:authentication_required",
                     *       "title": "Unauthorized",
                     *       "status": 401,
                     *       "detail": "Send a bearer token: Authorization: Bearer <accessToken>.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "authentication_required"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description The resource does not exist (or belongs to someone else). */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:not_found",
                     *       "title": "Not Found",
                     *       "status": 404,
                     *       "detail": "Student 42 was not found.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "not_found"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description Rate limit exceeded; `Retry-After` says how many seconds to wait. */
            429: {
                headers: {
                    "Retry-After": components["headers"]["Retry-After"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:rate_limited",
                     *       "title": "Too Many Requests",
                     *       "status": 429,
                     *       "detail": "Too many requests; retry after the time given in Retry-After.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "rate_limited"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description An unexpected error; the body names the request id to quote. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:internal_error",
                     *       "title": "Internal Server Error",
                     *       "status": 500,
                     *       "detail": "An unexpected error occurred; quote the instance when reporting it.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "internal_error"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description A dependency is unavailable (`database_unavailable`: PostgreSQL, `queue_unavailable`: Redis, `rate_limit_unavailable`: sign-in's rate-limit store); `Retry-After` says how many seconds to wait. */
            503: {
                headers: {
                    "Retry-After": components["headers"]["Retry-After"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:database_unavailable",
                     *       "title": "Service Unavailable",
                     *       "status": 503,
                     *       "detail": "The database (PostgreSQL) cannot be reached; retry after the time given in Retry-After.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "database_unavailable"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
        };
    };
    cancelJob: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The job's id. */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Cancelled. */
            200: {
                headers: {
                    "X-RateLimit-Limit": components["headers"]["X-RateLimit-Limit"];
                    "X-RateLimit-Remaining": components["headers"]["X-RateLimit-Remaining"];
                    "X-RateLimit-Reset": components["headers"]["X-RateLimit-Reset"];
                    "X-Request-ID": components["headers"]["X-Request-ID"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["JobDto"];
                };
            };
            /** @description Asked to stop; `cancelRequestedAt` is set. */
            202: {
                headers: {
                    "X-RateLimit-Limit": components["headers"]["X-RateLimit-Limit"];
                    "X-RateLimit-Remaining": components["headers"]["X-RateLimit-Remaining"];
                    "X-RateLimit-Reset": components["headers"]["X-RateLimit-Reset"];
                    "X-Request-ID": components["headers"]["X-Request-ID"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["JobDto"];
                };
            };
            /** @description The request is malformed or a field is invalid (`validation_failed` lists each field in `errors`). */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:validation_failed",
                     *       "title": "Bad Request",
                     *       "status": 400,
                     *       "detail": "The request has 1 invalid field.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "validation_failed",
                     *       "errors": [
                     *         {
                     *           "field": "email",
                     *           "code": "isEmail",
                     *           "message": "email must be an email"
                     *         }
                     *       ]
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description No bearer token, or the token is invalid, expired or revoked. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:authentication_required",
                     *       "title": "Unauthorized",
                     *       "status": 401,
                     *       "detail": "Send a bearer token: Authorization: Bearer <accessToken>.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "authentication_required"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description The resource does not exist (or belongs to someone else). */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:not_found",
                     *       "title": "Not Found",
                     *       "status": 404,
                     *       "detail": "Student 42 was not found.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "not_found"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description The request conflicts with the current state, such as a natural key already in use. */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:conflict",
                     *       "title": "Conflict",
                     *       "status": 409,
                     *       "detail": "The request conflicts with the current state.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "conflict"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description Rate limit exceeded; `Retry-After` says how many seconds to wait. */
            429: {
                headers: {
                    "Retry-After": components["headers"]["Retry-After"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:rate_limited",
                     *       "title": "Too Many Requests",
                     *       "status": 429,
                     *       "detail": "Too many requests; retry after the time given in Retry-After.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "rate_limited"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description An unexpected error; the body names the request id to quote. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:internal_error",
                     *       "title": "Internal Server Error",
                     *       "status": 500,
                     *       "detail": "An unexpected error occurred; quote the instance when reporting it.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "internal_error"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description A dependency is unavailable (`database_unavailable`: PostgreSQL, `queue_unavailable`: Redis, `rate_limit_unavailable`: sign-in's rate-limit store); `Retry-After` says how many seconds to wait. */
            503: {
                headers: {
                    "Retry-After": components["headers"]["Retry-After"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:database_unavailable",
                     *       "title": "Service Unavailable",
                     *       "status": 503,
                     *       "detail": "The database (PostgreSQL) cannot be reached; retry after the time given in Retry-After.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "database_unavailable"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
        };
    };
    completeJob: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The job's id. */
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["CompleteJobDto"];
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    "X-RateLimit-Limit": components["headers"]["X-RateLimit-Limit"];
                    "X-RateLimit-Remaining": components["headers"]["X-RateLimit-Remaining"];
                    "X-RateLimit-Reset": components["headers"]["X-RateLimit-Reset"];
                    "X-Request-ID": components["headers"]["X-Request-ID"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["JobDto"];
                };
            };
            /** @description The request is malformed or a field is invalid (`validation_failed` lists each field in `errors`). */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:validation_failed",
                     *       "title": "Bad Request",
                     *       "status": 400,
                     *       "detail": "The request has 1 invalid field.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "validation_failed",
                     *       "errors": [
                     *         {
                     *           "field": "email",
                     *           "code": "isEmail",
                     *           "message": "email must be an email"
                     *         }
                     *       ]
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description No bearer token, or the token is invalid, expired or revoked. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:authentication_required",
                     *       "title": "Unauthorized",
                     *       "status": 401,
                     *       "detail": "Send a bearer token: Authorization: Bearer <accessToken>.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "authentication_required"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description The resource does not exist (or belongs to someone else). */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:not_found",
                     *       "title": "Not Found",
                     *       "status": 404,
                     *       "detail": "Student 42 was not found.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "not_found"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description The request conflicts with the current state, such as a natural key already in use. */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:conflict",
                     *       "title": "Conflict",
                     *       "status": 409,
                     *       "detail": "The request conflicts with the current state.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "conflict"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description The request body is larger than the route accepts. */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:payload_too_large",
                     *       "title": "Payload Too Large",
                     *       "status": 413,
                     *       "detail": "The request body is larger than this route accepts.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "payload_too_large"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description The request body has a content type the route does not accept. */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:unsupported_media_type",
                     *       "title": "Unsupported Media Type",
                     *       "status": 415,
                     *       "detail": "This route does not accept a body of that content type.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "unsupported_media_type"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description Rate limit exceeded; `Retry-After` says how many seconds to wait. */
            429: {
                headers: {
                    "Retry-After": components["headers"]["Retry-After"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:rate_limited",
                     *       "title": "Too Many Requests",
                     *       "status": 429,
                     *       "detail": "Too many requests; retry after the time given in Retry-After.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "rate_limited"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description An unexpected error; the body names the request id to quote. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:internal_error",
                     *       "title": "Internal Server Error",
                     *       "status": 500,
                     *       "detail": "An unexpected error occurred; quote the instance when reporting it.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "internal_error"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description A dependency is unavailable (`database_unavailable`: PostgreSQL, `queue_unavailable`: Redis, `rate_limit_unavailable`: sign-in's rate-limit store); `Retry-After` says how many seconds to wait. */
            503: {
                headers: {
                    "Retry-After": components["headers"]["Retry-After"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:database_unavailable",
                     *       "title": "Service Unavailable",
                     *       "status": 503,
                     *       "detail": "The database (PostgreSQL) cannot be reached; retry after the time given in Retry-After.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "database_unavailable"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
        };
    };
    streamJobEvents: {
        parameters: {
            query?: never;
            header?: {
                /** @description The id of the last event received. */
                "Last-Event-ID"?: string;
            };
            path: {
                /** @description The job's id. */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description A `text/event-stream` of events `id: <id>` / `data: <JobEvent as JSON>`, the job after each change; the stream ends after the final state. */
            200: {
                headers: {
                    "X-RateLimit-Limit": components["headers"]["X-RateLimit-Limit"];
                    "X-RateLimit-Remaining": components["headers"]["X-RateLimit-Remaining"];
                    "X-RateLimit-Reset": components["headers"]["X-RateLimit-Reset"];
                    "X-Request-ID": components["headers"]["X-Request-ID"];
                    [name: string]: unknown;
                };
                content: {
                    "text/event-stream": components["schemas"]["JobEvent"];
                };
            };
            /** @description The request is malformed or a field is invalid (`validation_failed` lists each field in `errors`). */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:validation_failed",
                     *       "title": "Bad Request",
                     *       "status": 400,
                     *       "detail": "The request has 1 invalid field.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "validation_failed",
                     *       "errors": [
                     *         {
                     *           "field": "email",
                     *           "code": "isEmail",
                     *           "message": "email must be an email"
                     *         }
                     *       ]
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description No bearer token, or the token is invalid, expired or revoked. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:authentication_required",
                     *       "title": "Unauthorized",
                     *       "status": 401,
                     *       "detail": "Send a bearer token: Authorization: Bearer <accessToken>.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "authentication_required"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description The resource does not exist (or belongs to someone else). */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:not_found",
                     *       "title": "Not Found",
                     *       "status": 404,
                     *       "detail": "Student 42 was not found.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "not_found"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description Rate limit exceeded; `Retry-After` says how many seconds to wait. */
            429: {
                headers: {
                    "Retry-After": components["headers"]["Retry-After"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:rate_limited",
                     *       "title": "Too Many Requests",
                     *       "status": 429,
                     *       "detail": "Too many requests; retry after the time given in Retry-After.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "rate_limited"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description An unexpected error; the body names the request id to quote. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:internal_error",
                     *       "title": "Internal Server Error",
                     *       "status": 500,
                     *       "detail": "An unexpected error occurred; quote the instance when reporting it.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "internal_error"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description A dependency is unavailable (`database_unavailable`: PostgreSQL, `queue_unavailable`: Redis, `rate_limit_unavailable`: sign-in's rate-limit store); `Retry-After` says how many seconds to wait. */
            503: {
                headers: {
                    "Retry-After": components["headers"]["Retry-After"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:database_unavailable",
                     *       "title": "Service Unavailable",
                     *       "status": 503,
                     *       "detail": "The database (PostgreSQL) cannot be reached; retry after the time given in Retry-After.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "database_unavailable"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
        };
    };
    failJob: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The job's id. */
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["FailJobDto"];
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    "X-RateLimit-Limit": components["headers"]["X-RateLimit-Limit"];
                    "X-RateLimit-Remaining": components["headers"]["X-RateLimit-Remaining"];
                    "X-RateLimit-Reset": components["headers"]["X-RateLimit-Reset"];
                    "X-Request-ID": components["headers"]["X-Request-ID"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["JobDto"];
                };
            };
            /** @description The request is malformed or a field is invalid (`validation_failed` lists each field in `errors`). */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:validation_failed",
                     *       "title": "Bad Request",
                     *       "status": 400,
                     *       "detail": "The request has 1 invalid field.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "validation_failed",
                     *       "errors": [
                     *         {
                     *           "field": "email",
                     *           "code": "isEmail",
                     *           "message": "email must be an email"
                     *         }
                     *       ]
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description No bearer token, or the token is invalid, expired or revoked. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:authentication_required",
                     *       "title": "Unauthorized",
                     *       "status": 401,
                     *       "detail": "Send a bearer token: Authorization: Bearer <accessToken>.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "authentication_required"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description The resource does not exist (or belongs to someone else). */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:not_found",
                     *       "title": "Not Found",
                     *       "status": 404,
                     *       "detail": "Student 42 was not found.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "not_found"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description The request conflicts with the current state, such as a natural key already in use. */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:conflict",
                     *       "title": "Conflict",
                     *       "status": 409,
                     *       "detail": "The request conflicts with the current state.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "conflict"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description The request body is larger than the route accepts. */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:payload_too_large",
                     *       "title": "Payload Too Large",
                     *       "status": 413,
                     *       "detail": "The request body is larger than this route accepts.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "payload_too_large"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description The request body has a content type the route does not accept. */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:unsupported_media_type",
                     *       "title": "Unsupported Media Type",
                     *       "status": 415,
                     *       "detail": "This route does not accept a body of that content type.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "unsupported_media_type"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description Rate limit exceeded; `Retry-After` says how many seconds to wait. */
            429: {
                headers: {
                    "Retry-After": components["headers"]["Retry-After"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:rate_limited",
                     *       "title": "Too Many Requests",
                     *       "status": 429,
                     *       "detail": "Too many requests; retry after the time given in Retry-After.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "rate_limited"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description An unexpected error; the body names the request id to quote. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:internal_error",
                     *       "title": "Internal Server Error",
                     *       "status": 500,
                     *       "detail": "An unexpected error occurred; quote the instance when reporting it.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "internal_error"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description A dependency is unavailable (`database_unavailable`: PostgreSQL, `queue_unavailable`: Redis, `rate_limit_unavailable`: sign-in's rate-limit store); `Retry-After` says how many seconds to wait. */
            503: {
                headers: {
                    "Retry-After": components["headers"]["Retry-After"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:database_unavailable",
                     *       "title": "Service Unavailable",
                     *       "status": 503,
                     *       "detail": "The database (PostgreSQL) cannot be reached; retry after the time given in Retry-After.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "database_unavailable"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
        };
    };
    reportJobProgress: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The job's id. */
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["JobProgressUpdateDto"];
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    "X-RateLimit-Limit": components["headers"]["X-RateLimit-Limit"];
                    "X-RateLimit-Remaining": components["headers"]["X-RateLimit-Remaining"];
                    "X-RateLimit-Reset": components["headers"]["X-RateLimit-Reset"];
                    "X-Request-ID": components["headers"]["X-Request-ID"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["JobDto"];
                };
            };
            /** @description The request is malformed or a field is invalid (`validation_failed` lists each field in `errors`). */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:validation_failed",
                     *       "title": "Bad Request",
                     *       "status": 400,
                     *       "detail": "The request has 1 invalid field.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "validation_failed",
                     *       "errors": [
                     *         {
                     *           "field": "email",
                     *           "code": "isEmail",
                     *           "message": "email must be an email"
                     *         }
                     *       ]
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description No bearer token, or the token is invalid, expired or revoked. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:authentication_required",
                     *       "title": "Unauthorized",
                     *       "status": 401,
                     *       "detail": "Send a bearer token: Authorization: Bearer <accessToken>.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "authentication_required"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description The resource does not exist (or belongs to someone else). */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:not_found",
                     *       "title": "Not Found",
                     *       "status": 404,
                     *       "detail": "Student 42 was not found.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "not_found"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description The request conflicts with the current state, such as a natural key already in use. */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:conflict",
                     *       "title": "Conflict",
                     *       "status": 409,
                     *       "detail": "The request conflicts with the current state.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "conflict"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description The request body is larger than the route accepts. */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:payload_too_large",
                     *       "title": "Payload Too Large",
                     *       "status": 413,
                     *       "detail": "The request body is larger than this route accepts.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "payload_too_large"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description The request body has a content type the route does not accept. */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:unsupported_media_type",
                     *       "title": "Unsupported Media Type",
                     *       "status": 415,
                     *       "detail": "This route does not accept a body of that content type.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "unsupported_media_type"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description Rate limit exceeded; `Retry-After` says how many seconds to wait. */
            429: {
                headers: {
                    "Retry-After": components["headers"]["Retry-After"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:rate_limited",
                     *       "title": "Too Many Requests",
                     *       "status": 429,
                     *       "detail": "Too many requests; retry after the time given in Retry-After.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "rate_limited"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description An unexpected error; the body names the request id to quote. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:internal_error",
                     *       "title": "Internal Server Error",
                     *       "status": 500,
                     *       "detail": "An unexpected error occurred; quote the instance when reporting it.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "internal_error"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description A dependency is unavailable (`database_unavailable`: PostgreSQL, `queue_unavailable`: Redis, `rate_limit_unavailable`: sign-in's rate-limit store); `Retry-After` says how many seconds to wait. */
            503: {
                headers: {
                    "Retry-After": components["headers"]["Retry-After"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:database_unavailable",
                     *       "title": "Service Unavailable",
                     *       "status": 503,
                     *       "detail": "The database (PostgreSQL) cannot be reached; retry after the time given in Retry-After.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "database_unavailable"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
        };
    };
    listStudents: {
        parameters: {
            query?: {
                /** @description Only records whose academic year is this value. For example `2026-2027`. */
                academicYear?: string;
                /** @description Only records whose class division is this value. For example `A1`. */
                classDivision?: string;
                /** @description Admins only: also list soft-deleted students. */
                includeDeleted?: boolean;
                /** @description Only records whose status is this value. */
                isActive?: boolean;
                /** @description How many items to return (1..500). */
                limit?: number;
                /** @description How many items to skip. */
                offset?: number;
                /** @description Part of the student id, name or email, case-insensitive. For example `papad`. */
                search?: string;
                /** @description A field to sort by; a leading `-` sorts descending. */
                sort?: components["schemas"]["StudentSort"];
                /** @description Only records whose study year is this value. For example `1`. */
                studyYear?: number;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    "X-RateLimit-Limit": components["headers"]["X-RateLimit-Limit"];
                    "X-RateLimit-Remaining": components["headers"]["X-RateLimit-Remaining"];
                    "X-RateLimit-Reset": components["headers"]["X-RateLimit-Reset"];
                    "X-Request-ID": components["headers"]["X-Request-ID"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["StudentPage"];
                };
            };
            /** @description The request is malformed or a field is invalid (`validation_failed` lists each field in `errors`). */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:validation_failed",
                     *       "title": "Bad Request",
                     *       "status": 400,
                     *       "detail": "The request has 1 invalid field.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "validation_failed",
                     *       "errors": [
                     *         {
                     *           "field": "email",
                     *           "code": "isEmail",
                     *           "message": "email must be an email"
                     *         }
                     *       ]
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description No bearer token, or the token is invalid, expired or revoked. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:authentication_required",
                     *       "title": "Unauthorized",
                     *       "status": 401,
                     *       "detail": "Send a bearer token: Authorization: Bearer <accessToken>.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "authentication_required"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description The signed-in user's role may not do this. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:insufficient_role",
                     *       "title": "Forbidden",
                     *       "status": 403,
                     *       "detail": "This needs one of the roles admin, staff.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "insufficient_role"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description Rate limit exceeded; `Retry-After` says how many seconds to wait. */
            429: {
                headers: {
                    "Retry-After": components["headers"]["Retry-After"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:rate_limited",
                     *       "title": "Too Many Requests",
                     *       "status": 429,
                     *       "detail": "Too many requests; retry after the time given in Retry-After.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "rate_limited"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description An unexpected error; the body names the request id to quote. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:internal_error",
                     *       "title": "Internal Server Error",
                     *       "status": 500,
                     *       "detail": "An unexpected error occurred; quote the instance when reporting it.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "internal_error"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description A dependency is unavailable (`database_unavailable`: PostgreSQL, `queue_unavailable`: Redis, `rate_limit_unavailable`: sign-in's rate-limit store); `Retry-After` says how many seconds to wait. */
            503: {
                headers: {
                    "Retry-After": components["headers"]["Retry-After"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:database_unavailable",
                     *       "title": "Service Unavailable",
                     *       "status": 503,
                     *       "detail": "The database (PostgreSQL) cannot be reached; retry after the time given in Retry-After.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "database_unavailable"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
        };
    };
    createStudent: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["CreateStudentDto"];
            };
        };
        responses: {
            /** @description Created */
            201: {
                headers: {
                    "X-RateLimit-Limit": components["headers"]["X-RateLimit-Limit"];
                    "X-RateLimit-Remaining": components["headers"]["X-RateLimit-Remaining"];
                    "X-RateLimit-Reset": components["headers"]["X-RateLimit-Reset"];
                    "X-Request-ID": components["headers"]["X-Request-ID"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["StudentDto"];
                };
            };
            /** @description The request is malformed or a field is invalid (`validation_failed` lists each field in `errors`). */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:validation_failed",
                     *       "title": "Bad Request",
                     *       "status": 400,
                     *       "detail": "The request has 1 invalid field.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "validation_failed",
                     *       "errors": [
                     *         {
                     *           "field": "email",
                     *           "code": "isEmail",
                     *           "message": "email must be an email"
                     *         }
                     *       ]
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description No bearer token, or the token is invalid, expired or revoked. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:authentication_required",
                     *       "title": "Unauthorized",
                     *       "status": 401,
                     *       "detail": "Send a bearer token: Authorization: Bearer <accessToken>.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "authentication_required"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description The signed-in user's role may not do this. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:insufficient_role",
                     *       "title": "Forbidden",
                     *       "status": 403,
                     *       "detail": "This needs one of the roles admin, staff.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "insufficient_role"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description The request conflicts with the current state, such as a natural key already in use. */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:conflict",
                     *       "title": "Conflict",
                     *       "status": 409,
                     *       "detail": "The request conflicts with the current state.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "conflict"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description The request body is larger than the route accepts. */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:payload_too_large",
                     *       "title": "Payload Too Large",
                     *       "status": 413,
                     *       "detail": "The request body is larger than this route accepts.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "payload_too_large"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description The request body has a content type the route does not accept. */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:unsupported_media_type",
                     *       "title": "Unsupported Media Type",
                     *       "status": 415,
                     *       "detail": "This route does not accept a body of that content type.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "unsupported_media_type"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description Rate limit exceeded; `Retry-After` says how many seconds to wait. */
            429: {
                headers: {
                    "Retry-After": components["headers"]["Retry-After"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:rate_limited",
                     *       "title": "Too Many Requests",
                     *       "status": 429,
                     *       "detail": "Too many requests; retry after the time given in Retry-After.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "rate_limited"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description An unexpected error; the body names the request id to quote. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:internal_error",
                     *       "title": "Internal Server Error",
                     *       "status": 500,
                     *       "detail": "An unexpected error occurred; quote the instance when reporting it.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "internal_error"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description A dependency is unavailable (`database_unavailable`: PostgreSQL, `queue_unavailable`: Redis, `rate_limit_unavailable`: sign-in's rate-limit store); `Retry-After` says how many seconds to wait. */
            503: {
                headers: {
                    "Retry-After": components["headers"]["Retry-After"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:database_unavailable",
                     *       "title": "Service Unavailable",
                     *       "status": 503,
                     *       "detail": "The database (PostgreSQL) cannot be reached; retry after the time given in Retry-After.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "database_unavailable"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
        };
    };
    getStudent: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The student's id (the `id` of its record). */
                id: number;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    "X-RateLimit-Limit": components["headers"]["X-RateLimit-Limit"];
                    "X-RateLimit-Remaining": components["headers"]["X-RateLimit-Remaining"];
                    "X-RateLimit-Reset": components["headers"]["X-RateLimit-Reset"];
                    "X-Request-ID": components["headers"]["X-Request-ID"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["StudentDto"];
                };
            };
            /** @description The request is malformed or a field is invalid (`validation_failed` lists each field in `errors`). */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:validation_failed",
                     *       "title": "Bad Request",
                     *       "status": 400,
                     *       "detail": "The request has 1 invalid field.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "validation_failed",
                     *       "errors": [
                     *         {
                     *           "field": "email",
                     *           "code": "isEmail",
                     *           "message": "email must be an email"
                     *         }
                     *       ]
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description No bearer token, or the token is invalid, expired or revoked. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:authentication_required",
                     *       "title": "Unauthorized",
                     *       "status": 401,
                     *       "detail": "Send a bearer token: Authorization: Bearer <accessToken>.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "authentication_required"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description The signed-in user's role may not do this. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:insufficient_role",
                     *       "title": "Forbidden",
                     *       "status": 403,
                     *       "detail": "This needs one of the roles admin, staff.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "insufficient_role"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description The resource does not exist (or belongs to someone else). */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:not_found",
                     *       "title": "Not Found",
                     *       "status": 404,
                     *       "detail": "Student 42 was not found.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "not_found"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description Rate limit exceeded; `Retry-After` says how many seconds to wait. */
            429: {
                headers: {
                    "Retry-After": components["headers"]["Retry-After"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:rate_limited",
                     *       "title": "Too Many Requests",
                     *       "status": 429,
                     *       "detail": "Too many requests; retry after the time given in Retry-After.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "rate_limited"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description An unexpected error; the body names the request id to quote. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:internal_error",
                     *       "title": "Internal Server Error",
                     *       "status": 500,
                     *       "detail": "An unexpected error occurred; quote the instance when reporting it.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "internal_error"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description A dependency is unavailable (`database_unavailable`: PostgreSQL, `queue_unavailable`: Redis, `rate_limit_unavailable`: sign-in's rate-limit store); `Retry-After` says how many seconds to wait. */
            503: {
                headers: {
                    "Retry-After": components["headers"]["Retry-After"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:database_unavailable",
                     *       "title": "Service Unavailable",
                     *       "status": 503,
                     *       "detail": "The database (PostgreSQL) cannot be reached; retry after the time given in Retry-After.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "database_unavailable"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
        };
    };
    deleteStudent: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The student's id (the `id` of its record). */
                id: number;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Deleted. */
            204: {
                headers: {
                    "X-RateLimit-Limit": components["headers"]["X-RateLimit-Limit"];
                    "X-RateLimit-Remaining": components["headers"]["X-RateLimit-Remaining"];
                    "X-RateLimit-Reset": components["headers"]["X-RateLimit-Reset"];
                    "X-Request-ID": components["headers"]["X-Request-ID"];
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description The request is malformed or a field is invalid (`validation_failed` lists each field in `errors`). */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:validation_failed",
                     *       "title": "Bad Request",
                     *       "status": 400,
                     *       "detail": "The request has 1 invalid field.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "validation_failed",
                     *       "errors": [
                     *         {
                     *           "field": "email",
                     *           "code": "isEmail",
                     *           "message": "email must be an email"
                     *         }
                     *       ]
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description No bearer token, or the token is invalid, expired or revoked. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:authentication_required",
                     *       "title": "Unauthorized",
                     *       "status": 401,
                     *       "detail": "Send a bearer token: Authorization: Bearer <accessToken>.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "authentication_required"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description The signed-in user's role may not do this. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:insufficient_role",
                     *       "title": "Forbidden",
                     *       "status": 403,
                     *       "detail": "This needs one of the roles admin, staff.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "insufficient_role"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description The resource does not exist (or belongs to someone else). */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:not_found",
                     *       "title": "Not Found",
                     *       "status": 404,
                     *       "detail": "Student 42 was not found.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "not_found"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description Rate limit exceeded; `Retry-After` says how many seconds to wait. */
            429: {
                headers: {
                    "Retry-After": components["headers"]["Retry-After"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:rate_limited",
                     *       "title": "Too Many Requests",
                     *       "status": 429,
                     *       "detail": "Too many requests; retry after the time given in Retry-After.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "rate_limited"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description An unexpected error; the body names the request id to quote. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:internal_error",
                     *       "title": "Internal Server Error",
                     *       "status": 500,
                     *       "detail": "An unexpected error occurred; quote the instance when reporting it.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "internal_error"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description A dependency is unavailable (`database_unavailable`: PostgreSQL, `queue_unavailable`: Redis, `rate_limit_unavailable`: sign-in's rate-limit store); `Retry-After` says how many seconds to wait. */
            503: {
                headers: {
                    "Retry-After": components["headers"]["Retry-After"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:database_unavailable",
                     *       "title": "Service Unavailable",
                     *       "status": 503,
                     *       "detail": "The database (PostgreSQL) cannot be reached; retry after the time given in Retry-After.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "database_unavailable"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
        };
    };
    updateStudent: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The student's id (the `id` of its record). */
                id: number;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["UpdateStudentDto"];
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    "X-RateLimit-Limit": components["headers"]["X-RateLimit-Limit"];
                    "X-RateLimit-Remaining": components["headers"]["X-RateLimit-Remaining"];
                    "X-RateLimit-Reset": components["headers"]["X-RateLimit-Reset"];
                    "X-Request-ID": components["headers"]["X-Request-ID"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["StudentDto"];
                };
            };
            /** @description The request is malformed or a field is invalid (`validation_failed` lists each field in `errors`). */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:validation_failed",
                     *       "title": "Bad Request",
                     *       "status": 400,
                     *       "detail": "The request has 1 invalid field.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "validation_failed",
                     *       "errors": [
                     *         {
                     *           "field": "email",
                     *           "code": "isEmail",
                     *           "message": "email must be an email"
                     *         }
                     *       ]
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description No bearer token, or the token is invalid, expired or revoked. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:authentication_required",
                     *       "title": "Unauthorized",
                     *       "status": 401,
                     *       "detail": "Send a bearer token: Authorization: Bearer <accessToken>.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "authentication_required"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description The signed-in user's role may not do this. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:insufficient_role",
                     *       "title": "Forbidden",
                     *       "status": 403,
                     *       "detail": "This needs one of the roles admin, staff.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "insufficient_role"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description The resource does not exist (or belongs to someone else). */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:not_found",
                     *       "title": "Not Found",
                     *       "status": 404,
                     *       "detail": "Student 42 was not found.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "not_found"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description The request conflicts with the current state, such as a natural key already in use. */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:conflict",
                     *       "title": "Conflict",
                     *       "status": 409,
                     *       "detail": "The request conflicts with the current state.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "conflict"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description The request body is larger than the route accepts. */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:payload_too_large",
                     *       "title": "Payload Too Large",
                     *       "status": 413,
                     *       "detail": "The request body is larger than this route accepts.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "payload_too_large"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description The request body has a content type the route does not accept. */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:unsupported_media_type",
                     *       "title": "Unsupported Media Type",
                     *       "status": 415,
                     *       "detail": "This route does not accept a body of that content type.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "unsupported_media_type"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description Rate limit exceeded; `Retry-After` says how many seconds to wait. */
            429: {
                headers: {
                    "Retry-After": components["headers"]["Retry-After"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:rate_limited",
                     *       "title": "Too Many Requests",
                     *       "status": 429,
                     *       "detail": "Too many requests; retry after the time given in Retry-After.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "rate_limited"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description An unexpected error; the body names the request id to quote. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:internal_error",
                     *       "title": "Internal Server Error",
                     *       "status": 500,
                     *       "detail": "An unexpected error occurred; quote the instance when reporting it.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "internal_error"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description A dependency is unavailable (`database_unavailable`: PostgreSQL, `queue_unavailable`: Redis, `rate_limit_unavailable`: sign-in's rate-limit store); `Retry-After` says how many seconds to wait. */
            503: {
                headers: {
                    "Retry-After": components["headers"]["Retry-After"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:database_unavailable",
                     *       "title": "Service Unavailable",
                     *       "status": 503,
                     *       "detail": "The database (PostgreSQL) cannot be reached; retry after the time given in Retry-After.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "database_unavailable"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
        };
    };
    restoreStudent: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The student's id (the `id` of its record). */
                id: number;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    "X-RateLimit-Limit": components["headers"]["X-RateLimit-Limit"];
                    "X-RateLimit-Remaining": components["headers"]["X-RateLimit-Remaining"];
                    "X-RateLimit-Reset": components["headers"]["X-RateLimit-Reset"];
                    "X-Request-ID": components["headers"]["X-Request-ID"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["StudentDto"];
                };
            };
            /** @description The request is malformed or a field is invalid (`validation_failed` lists each field in `errors`). */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:validation_failed",
                     *       "title": "Bad Request",
                     *       "status": 400,
                     *       "detail": "The request has 1 invalid field.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "validation_failed",
                     *       "errors": [
                     *         {
                     *           "field": "email",
                     *           "code": "isEmail",
                     *           "message": "email must be an email"
                     *         }
                     *       ]
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description No bearer token, or the token is invalid, expired or revoked. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:authentication_required",
                     *       "title": "Unauthorized",
                     *       "status": 401,
                     *       "detail": "Send a bearer token: Authorization: Bearer <accessToken>.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "authentication_required"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description The signed-in user's role may not do this. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:insufficient_role",
                     *       "title": "Forbidden",
                     *       "status": 403,
                     *       "detail": "This needs one of the roles admin, staff.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "insufficient_role"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description The resource does not exist (or belongs to someone else). */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:not_found",
                     *       "title": "Not Found",
                     *       "status": 404,
                     *       "detail": "Student 42 was not found.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "not_found"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description The request conflicts with the current state, such as a natural key already in use. */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:conflict",
                     *       "title": "Conflict",
                     *       "status": 409,
                     *       "detail": "The request conflicts with the current state.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "conflict"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description Rate limit exceeded; `Retry-After` says how many seconds to wait. */
            429: {
                headers: {
                    "Retry-After": components["headers"]["Retry-After"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:rate_limited",
                     *       "title": "Too Many Requests",
                     *       "status": 429,
                     *       "detail": "Too many requests; retry after the time given in Retry-After.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "rate_limited"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description An unexpected error; the body names the request id to quote. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:internal_error",
                     *       "title": "Internal Server Error",
                     *       "status": 500,
                     *       "detail": "An unexpected error occurred; quote the instance when reporting it.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "internal_error"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description A dependency is unavailable (`database_unavailable`: PostgreSQL, `queue_unavailable`: Redis, `rate_limit_unavailable`: sign-in's rate-limit store); `Retry-After` says how many seconds to wait. */
            503: {
                headers: {
                    "Retry-After": components["headers"]["Retry-After"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:database_unavailable",
                     *       "title": "Service Unavailable",
                     *       "status": 503,
                     *       "detail": "The database (PostgreSQL) cannot be reached; retry after the time given in Retry-After.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "database_unavailable"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
        };
    };
    listUsers: {
        parameters: {
            query?: {
                /** @description true: only active users; false: only deactivated ones. */
                isActive?: boolean;
                /** @description How many items to return (1..500). */
                limit?: number;
                /** @description How many items to skip. */
                offset?: number;
                /** @description Only users with this role. */
                role?: components["schemas"]["Role"];
                /** @description Part of the email address, case-insensitive. */
                search?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    "X-RateLimit-Limit": components["headers"]["X-RateLimit-Limit"];
                    "X-RateLimit-Remaining": components["headers"]["X-RateLimit-Remaining"];
                    "X-RateLimit-Reset": components["headers"]["X-RateLimit-Reset"];
                    "X-Request-ID": components["headers"]["X-Request-ID"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["UserPage"];
                };
            };
            /** @description The request is malformed or a field is invalid (`validation_failed` lists each field in `errors`). */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:validation_failed",
                     *       "title": "Bad Request",
                     *       "status": 400,
                     *       "detail": "The request has 1 invalid field.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "validation_failed",
                     *       "errors": [
                     *         {
                     *           "field": "email",
                     *           "code": "isEmail",
                     *           "message": "email must be an email"
                     *         }
                     *       ]
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description No bearer token, or the token is invalid, expired or revoked. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:authentication_required",
                     *       "title": "Unauthorized",
                     *       "status": 401,
                     *       "detail": "Send a bearer token: Authorization: Bearer <accessToken>.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "authentication_required"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description The signed-in user's role may not do this. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:insufficient_role",
                     *       "title": "Forbidden",
                     *       "status": 403,
                     *       "detail": "This needs one of the roles admin, staff.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "insufficient_role"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description Rate limit exceeded; `Retry-After` says how many seconds to wait. */
            429: {
                headers: {
                    "Retry-After": components["headers"]["Retry-After"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:rate_limited",
                     *       "title": "Too Many Requests",
                     *       "status": 429,
                     *       "detail": "Too many requests; retry after the time given in Retry-After.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "rate_limited"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description An unexpected error; the body names the request id to quote. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:internal_error",
                     *       "title": "Internal Server Error",
                     *       "status": 500,
                     *       "detail": "An unexpected error occurred; quote the instance when reporting it.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "internal_error"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description A dependency is unavailable (`database_unavailable`: PostgreSQL, `queue_unavailable`: Redis, `rate_limit_unavailable`: sign-in's rate-limit store); `Retry-After` says how many seconds to wait. */
            503: {
                headers: {
                    "Retry-After": components["headers"]["Retry-After"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:database_unavailable",
                     *       "title": "Service Unavailable",
                     *       "status": 503,
                     *       "detail": "The database (PostgreSQL) cannot be reached; retry after the time given in Retry-After.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "database_unavailable"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
        };
    };
    createUser: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["CreateUserDto"];
            };
        };
        responses: {
            /** @description Created */
            201: {
                headers: {
                    "X-RateLimit-Limit": components["headers"]["X-RateLimit-Limit"];
                    "X-RateLimit-Remaining": components["headers"]["X-RateLimit-Remaining"];
                    "X-RateLimit-Reset": components["headers"]["X-RateLimit-Reset"];
                    "X-Request-ID": components["headers"]["X-Request-ID"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["UserDto"];
                };
            };
            /** @description The request is malformed or a field is invalid (`validation_failed` lists each field in `errors`). */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:validation_failed",
                     *       "title": "Bad Request",
                     *       "status": 400,
                     *       "detail": "The request has 1 invalid field.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "validation_failed",
                     *       "errors": [
                     *         {
                     *           "field": "email",
                     *           "code": "isEmail",
                     *           "message": "email must be an email"
                     *         }
                     *       ]
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description No bearer token, or the token is invalid, expired or revoked. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:authentication_required",
                     *       "title": "Unauthorized",
                     *       "status": 401,
                     *       "detail": "Send a bearer token: Authorization: Bearer <accessToken>.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "authentication_required"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description The signed-in user's role may not do this. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:insufficient_role",
                     *       "title": "Forbidden",
                     *       "status": 403,
                     *       "detail": "This needs one of the roles admin, staff.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "insufficient_role"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description The request conflicts with the current state, such as a natural key already in use. */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:conflict",
                     *       "title": "Conflict",
                     *       "status": 409,
                     *       "detail": "The request conflicts with the current state.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "conflict"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description The request body is larger than the route accepts. */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:payload_too_large",
                     *       "title": "Payload Too Large",
                     *       "status": 413,
                     *       "detail": "The request body is larger than this route accepts.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "payload_too_large"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description The request body has a content type the route does not accept. */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:unsupported_media_type",
                     *       "title": "Unsupported Media Type",
                     *       "status": 415,
                     *       "detail": "This route does not accept a body of that content type.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "unsupported_media_type"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description Rate limit exceeded; `Retry-After` says how many seconds to wait. */
            429: {
                headers: {
                    "Retry-After": components["headers"]["Retry-After"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:rate_limited",
                     *       "title": "Too Many Requests",
                     *       "status": 429,
                     *       "detail": "Too many requests; retry after the time given in Retry-After.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "rate_limited"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description An unexpected error; the body names the request id to quote. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:internal_error",
                     *       "title": "Internal Server Error",
                     *       "status": 500,
                     *       "detail": "An unexpected error occurred; quote the instance when reporting it.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "internal_error"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description A dependency is unavailable (`database_unavailable`: PostgreSQL, `queue_unavailable`: Redis, `rate_limit_unavailable`: sign-in's rate-limit store); `Retry-After` says how many seconds to wait. */
            503: {
                headers: {
                    "Retry-After": components["headers"]["Retry-After"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:database_unavailable",
                     *       "title": "Service Unavailable",
                     *       "status": 503,
                     *       "detail": "The database (PostgreSQL) cannot be reached; retry after the time given in Retry-After.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "database_unavailable"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
        };
    };
    getUser: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The user's id. */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    "X-RateLimit-Limit": components["headers"]["X-RateLimit-Limit"];
                    "X-RateLimit-Remaining": components["headers"]["X-RateLimit-Remaining"];
                    "X-RateLimit-Reset": components["headers"]["X-RateLimit-Reset"];
                    "X-Request-ID": components["headers"]["X-Request-ID"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["UserDto"];
                };
            };
            /** @description The request is malformed or a field is invalid (`validation_failed` lists each field in `errors`). */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:validation_failed",
                     *       "title": "Bad Request",
                     *       "status": 400,
                     *       "detail": "The request has 1 invalid field.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "validation_failed",
                     *       "errors": [
                     *         {
                     *           "field": "email",
                     *           "code": "isEmail",
                     *           "message": "email must be an email"
                     *         }
                     *       ]
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description No bearer token, or the token is invalid, expired or revoked. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:authentication_required",
                     *       "title": "Unauthorized",
                     *       "status": 401,
                     *       "detail": "Send a bearer token: Authorization: Bearer <accessToken>.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "authentication_required"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description The signed-in user's role may not do this. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:insufficient_role",
                     *       "title": "Forbidden",
                     *       "status": 403,
                     *       "detail": "This needs one of the roles admin, staff.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "insufficient_role"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description The resource does not exist (or belongs to someone else). */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:not_found",
                     *       "title": "Not Found",
                     *       "status": 404,
                     *       "detail": "Student 42 was not found.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "not_found"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description Rate limit exceeded; `Retry-After` says how many seconds to wait. */
            429: {
                headers: {
                    "Retry-After": components["headers"]["Retry-After"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:rate_limited",
                     *       "title": "Too Many Requests",
                     *       "status": 429,
                     *       "detail": "Too many requests; retry after the time given in Retry-After.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "rate_limited"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description An unexpected error; the body names the request id to quote. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:internal_error",
                     *       "title": "Internal Server Error",
                     *       "status": 500,
                     *       "detail": "An unexpected error occurred; quote the instance when reporting it.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "internal_error"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description A dependency is unavailable (`database_unavailable`: PostgreSQL, `queue_unavailable`: Redis, `rate_limit_unavailable`: sign-in's rate-limit store); `Retry-After` says how many seconds to wait. */
            503: {
                headers: {
                    "Retry-After": components["headers"]["Retry-After"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:database_unavailable",
                     *       "title": "Service Unavailable",
                     *       "status": 503,
                     *       "detail": "The database (PostgreSQL) cannot be reached; retry after the time given in Retry-After.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "database_unavailable"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
        };
    };
    updateUser: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The user's id. */
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["UpdateUserDto"];
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    "X-RateLimit-Limit": components["headers"]["X-RateLimit-Limit"];
                    "X-RateLimit-Remaining": components["headers"]["X-RateLimit-Remaining"];
                    "X-RateLimit-Reset": components["headers"]["X-RateLimit-Reset"];
                    "X-Request-ID": components["headers"]["X-Request-ID"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["UserDto"];
                };
            };
            /** @description The request is malformed or a field is invalid (`validation_failed` lists each field in `errors`). */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:validation_failed",
                     *       "title": "Bad Request",
                     *       "status": 400,
                     *       "detail": "The request has 1 invalid field.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "validation_failed",
                     *       "errors": [
                     *         {
                     *           "field": "email",
                     *           "code": "isEmail",
                     *           "message": "email must be an email"
                     *         }
                     *       ]
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description No bearer token, or the token is invalid, expired or revoked. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:authentication_required",
                     *       "title": "Unauthorized",
                     *       "status": 401,
                     *       "detail": "Send a bearer token: Authorization: Bearer <accessToken>.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "authentication_required"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description The signed-in user's role may not do this. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:insufficient_role",
                     *       "title": "Forbidden",
                     *       "status": 403,
                     *       "detail": "This needs one of the roles admin, staff.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "insufficient_role"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description The resource does not exist (or belongs to someone else). */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:not_found",
                     *       "title": "Not Found",
                     *       "status": 404,
                     *       "detail": "Student 42 was not found.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "not_found"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description The request conflicts with the current state, such as a natural key already in use. */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:conflict",
                     *       "title": "Conflict",
                     *       "status": 409,
                     *       "detail": "The request conflicts with the current state.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "conflict"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description The request body is larger than the route accepts. */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:payload_too_large",
                     *       "title": "Payload Too Large",
                     *       "status": 413,
                     *       "detail": "The request body is larger than this route accepts.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "payload_too_large"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description The request body has a content type the route does not accept. */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:unsupported_media_type",
                     *       "title": "Unsupported Media Type",
                     *       "status": 415,
                     *       "detail": "This route does not accept a body of that content type.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "unsupported_media_type"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description Rate limit exceeded; `Retry-After` says how many seconds to wait. */
            429: {
                headers: {
                    "Retry-After": components["headers"]["Retry-After"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:rate_limited",
                     *       "title": "Too Many Requests",
                     *       "status": 429,
                     *       "detail": "Too many requests; retry after the time given in Retry-After.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "rate_limited"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description An unexpected error; the body names the request id to quote. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:internal_error",
                     *       "title": "Internal Server Error",
                     *       "status": 500,
                     *       "detail": "An unexpected error occurred; quote the instance when reporting it.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "internal_error"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description A dependency is unavailable (`database_unavailable`: PostgreSQL, `queue_unavailable`: Redis, `rate_limit_unavailable`: sign-in's rate-limit store); `Retry-After` says how many seconds to wait. */
            503: {
                headers: {
                    "Retry-After": components["headers"]["Retry-After"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:problem:sms:database_unavailable",
                     *       "title": "Service Unavailable",
                     *       "status": 503,
                     *       "detail": "The database (PostgreSQL) cannot be reached; retry after the time given in Retry-After.",
                     *       "instance": "urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e",
                     *       "code": "database_unavailable"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
        };
    };
}
