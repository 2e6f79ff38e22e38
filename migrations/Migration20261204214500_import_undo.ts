import { Migration } from '@mikro-orm/migrations';

/** Adds `replaced` after `after` in the audit action check, whatever else the list holds (other migrations add actions too). */
function rewriteAuditActions(from: string, to: string): string {
  return `do $$ declare definition text; begin
      select pg_get_constraintdef(oid) into definition from pg_constraint where conrelid = 'audit_logs'::regclass and conname = 'audit_logs_action_check';
      alter table "audit_logs" drop constraint "audit_logs_action_check";
      execute 'alter table "audit_logs" add constraint "audit_logs_action_check" ' || replace(definition, '${from.replace(/'/g, "''")}', '${to.replace(/'/g, "''")}');
    end $$;`;
}

export class Migration20261204214500_import_undo extends Migration {

  override async up(): Promise<void> {
    this.addSql(rewriteAuditActions(`'bulk_import'::text`, `'bulk_import'::text, 'bulk_import_undo'::text`));

    for (const table of ['students', 'courses', 'enrollments']) {
      this.addSql(`alter table "${table}" add column "last_import_job_id" uuid null, add column "last_import_file" varchar(255) null, add column "last_import_row" integer null;`);
    }

    this.addSql(`alter table "import_previews" add column "mass_change" jsonb null;`);

    this.addSql(`create table "import_commits" ("job_id" uuid not null, "entity" text check ("entity" in ('students', 'courses', 'enrollments')) not null, "created_by" uuid not null, "file_names" text[] not null, "written_at" timestamptz not null, "first_created_id" integer null, "last_created_id" integer null, "created" integer not null, "updated" integer not null, "restored" integer not null, "undo_until" timestamptz not null, "befores_removed_at" timestamptz null, "undo_job_id" uuid null, "undone_at" timestamptz null, "undo_counts" jsonb null, constraint "import_commits_pkey" primary key ("job_id"));`);
    this.addSql(`create index "import_commits_undo_until_index" on "import_commits" ("undo_until");`);

    // Written a million rows at a time by a commit: no primary key, and a BRIN index, nearly free
    // to keep, since the rows of one import are stored together.
    this.addSql(`create table "import_changes" ("job_id" uuid not null, "record_id" integer not null, "outcome" varchar(10) not null, "source" smallint not null, "row" integer not null,
      "deleted_at" timestamptz null, "updated_at" timestamptz not null, "last_import_job_id" uuid null, "last_import_file" varchar(255) null, "last_import_row" integer null,
      "email" text null, "first_name" text null, "last_name" text null, "father_name" text null, "mobile_phone" text null, "phone" text null, "enrollment_date" date null,
      "study_year" smallint null, "is_active" boolean null, "health_issue" text null, "note" text null, "academic_year" text null, "class_division" text null,
      "course_name" text null, "semester" text null, "credits" smallint null, "description" text null, "hours_per_week" smallint null, "periods_per_week" smallint null,
      "evaluation_rules" jsonb null, "enrolled_at" date null, "status" text null);`);
    this.addSql(`create index "import_changes_job_id_brin" on "import_changes" using brin ("job_id");`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "import_changes";`);
    this.addSql(`drop table if exists "import_commits";`);
    this.addSql(`alter table "import_previews" drop column "mass_change";`);
    for (const table of ['students', 'courses', 'enrollments']) {
      this.addSql(`alter table "${table}" drop column "last_import_job_id", drop column "last_import_file", drop column "last_import_row";`);
    }
    this.addSql(rewriteAuditActions(`, 'bulk_import_undo'::text`, ''));
  }

}
