import { Migration } from '@mikro-orm/migrations';

export class Migration20261127084438_audit_logs extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table "audit_logs" ("id" bigserial primary key, "timestamp" timestamptz(3) not null default now(), "user_id" uuid null, "email" varchar(254) null, "action" text check ("action" in ('login', 'logout', 'password_change', 'create', 'update', 'delete', 'restore', 'bulk_import', 'bulk_export', 'role_change', 'permission_grant', 'permission_revoke', 'backup_create', 'backup_restore', 'config_change', 'retention_purge', 'cancel')) not null, "resource" text check ("resource" in ('user', 'student', 'course', 'grade', 'attendance', 'enrollment', 'performance', 'highlight', 'report', 'session', 'system', 'audit_log', 'job')) not null, "resource_id" varchar(100) null, "ip_address" varchar(45) null, "peer_address" varchar(45) null, "user_agent" varchar(512) null, "request_id" varchar(64) null, "success" boolean not null, "status_code" smallint null, "error_code" varchar(64) null, "details" jsonb null);`);
    this.addSql(`create index "audit_logs_request_id_index" on "audit_logs" ("request_id");`);
    this.addSql(`create index "audit_logs_timestamp_action_index" on "audit_logs" ("timestamp", "action");`);
    this.addSql(`create index "audit_logs_resource_action_timestamp_index" on "audit_logs" ("resource", "action", "timestamp");`);
    this.addSql(`create index "audit_logs_user_action_timestamp_index" on "audit_logs" ("user_id", "action", "timestamp");`);

    // Append-only, enforced by the database: UPDATE, DELETE and TRUNCATE are refused. The one
    // exception is the retention purge, which declares its retention period in the transaction
    // (set local sms.audit_retention_days) and may then delete only rows older than that.
    this.addSql(`create function "audit_logs_append_only"() returns trigger language plpgsql as $$
declare
  retention_days integer := nullif(current_setting('sms.audit_retention_days', true), '')::integer;
begin
  if TG_OP = 'DELETE' and retention_days >= 1 and OLD."timestamp" < now() - make_interval(days => retention_days) then
    return OLD;
  end if;
  raise exception 'audit_logs is append-only: % is not allowed', TG_OP
    using errcode = 'insufficient_privilege',
          hint = 'Rows leave only through the retention purge, once older than the retention period.';
end
$$;`);
    this.addSql(`create trigger "audit_logs_append_only_rows" before update or delete on "audit_logs" for each row execute function "audit_logs_append_only"();`);
    this.addSql(`create trigger "audit_logs_append_only_truncate" before truncate on "audit_logs" for each statement execute function "audit_logs_append_only"();`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "audit_logs" cascade;`);
    this.addSql(`drop function if exists "audit_logs_append_only"();`);
  }

}
