import { Migration } from '@mikro-orm/migrations';

export class Migration20261127103203_imports extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table "import_previews" ("id" uuid not null, "created_by" uuid not null, "entity" text check ("entity" in ('students', 'courses', 'enrollments')) not null, "mode" text check ("mode" in ('upsert', 'create', 'update')) not null, "on_invalid" text check ("on_invalid" in ('abort', 'skip')) not null, "file_name" varchar(255) not null, "file_size" bigint not null, "sha256" varchar(64) not null, "sheet" varchar(100) null, "detected" jsonb null, "summary" jsonb null, "can_commit" boolean not null default false, "status" text check ("status" in ('ready', 'committing', 'committed', 'failed')) not null, "job_id" uuid null, "created_at" timestamptz not null default now(), "expires_at" timestamptz not null, constraint "import_previews_pkey" primary key ("id"));`);
    this.addSql(`create index "import_previews_expires_at_index" on "import_previews" ("expires_at");`);
    this.addSql(`create index "import_previews_created_by_created_at_index" on "import_previews" ("created_by", "created_at");`);

    this.addSql(`create table "import_issues" ("id" bigserial primary key, "preview_id" uuid not null, "row" int not null, "column" text null, "field" varchar(50) null, "severity" varchar(10) not null, "code" varchar(50) not null, "message" text not null, "value" text null);`);
    this.addSql(`create index "import_issues_preview_id_row_id_index" on "import_issues" ("preview_id", "row", "id");`);

    this.addSql(`alter table "import_issues" add constraint "import_issues_preview_id_foreign" foreign key ("preview_id") references "import_previews" ("id") on update cascade on delete cascade;`);

    this.addSql(`alter table "audit_logs" drop constraint if exists "audit_logs_resource_check";`);

    this.addSql(`alter table "audit_logs" add constraint "audit_logs_resource_check" check("resource" in ('user', 'student', 'course', 'grade', 'attendance', 'enrollment', 'performance', 'highlight', 'report', 'session', 'system', 'audit_log', 'job', 'import'));`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "import_issues" drop constraint "import_issues_preview_id_foreign";`);

    this.addSql(`drop table if exists "import_previews" cascade;`);

    this.addSql(`drop table if exists "import_issues" cascade;`);

    this.addSql(`alter table "audit_logs" drop constraint if exists "audit_logs_resource_check";`);

    this.addSql(`alter table "audit_logs" add constraint "audit_logs_resource_check" check("resource" in ('user', 'student', 'course', 'grade', 'attendance', 'enrollment', 'performance', 'highlight', 'report', 'session', 'system', 'audit_log', 'job'));`);
  }

}
