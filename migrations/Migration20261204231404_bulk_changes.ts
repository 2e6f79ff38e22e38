import { Migration } from '@mikro-orm/migrations';

/** Replaces `from` with `to` in the audit action check, whatever else the list holds (other migrations add actions too). */
function rewriteAuditActions(from: string, to: string): string {
  return `do $$ declare definition text; begin
      select pg_get_constraintdef(oid) into definition from pg_constraint where conrelid = 'audit_logs'::regclass and conname = 'audit_logs_action_check';
      alter table "audit_logs" drop constraint "audit_logs_action_check";
      execute 'alter table "audit_logs" add constraint "audit_logs_action_check" ' || replace(definition, '${from.replace(/'/g, "''")}', '${to.replace(/'/g, "''")}');
    end $$;`;
}

export class Migration20261204231404_bulk_changes extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table "bulk_previews" ("id" uuid not null, "created_by" uuid not null, "entity" text check ("entity" in ('students', 'courses', 'enrollments')) not null, "operation" text check ("operation" in ('update', 'delete')) not null, "filter" jsonb not null, "change" jsonb not null, "findings" jsonb not null, "match_digest" varchar(32) not null, "status" text check ("status" in ('ready', 'committing', 'committed', 'failed')) not null, "job_id" uuid null, "created_at" timestamptz not null default now(), "expires_at" timestamptz not null, constraint "bulk_previews_pkey" primary key ("id"));`);
    this.addSql(`create index "bulk_previews_expires_at_index" on "bulk_previews" ("expires_at");`);
    this.addSql(`create index "bulk_previews_created_by_created_at_index" on "bulk_previews" ("created_by", "created_at");`);

    this.addSql(rewriteAuditActions(`'bulk_import_undo'::text`, `'bulk_import_undo'::text, 'bulk_update'::text, 'bulk_delete'::text`));

    this.addSql(`alter table "import_commits" add column "kind" text check ("kind" in ('bulk_import', 'bulk_update', 'bulk_delete')) not null default 'bulk_import', add column "deleted" int not null default 0;`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "bulk_previews" cascade;`);

    this.addSql(rewriteAuditActions(`, 'bulk_update'::text, 'bulk_delete'::text`, ''));

    this.addSql(`alter table "import_commits" drop column "kind", drop column "deleted";`);
  }

}
