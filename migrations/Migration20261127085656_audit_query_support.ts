import { Migration } from '@mikro-orm/migrations';

export class Migration20261127085656_audit_query_support extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table "audit_log_total" ("id" boolean not null default true, "total" bigint not null, constraint "audit_log_total_pkey" primary key ("id"));`);

    this.addSql(`alter table "audit_log_total" add constraint "audit_log_total_single_row" check ("id" = true);`);
    // Start from the rows already there, then keep the count with one update per statement.
    this.addSql(`insert into "audit_log_total" ("id", "total") select true, count(*) from "audit_logs";`);
    this.addSql(`create function "audit_logs_keep_total"() returns trigger language plpgsql as $$
begin
  if TG_OP = 'INSERT' then
    update "audit_log_total" set "total" = "total" + (select count(*) from inserted_rows);
  else
    update "audit_log_total" set "total" = "total" - (select count(*) from deleted_rows);
  end if;
  return null;
end
$$;`);
    this.addSql(`create trigger "audit_logs_total_on_insert" after insert on "audit_logs" referencing new table as inserted_rows for each statement execute function "audit_logs_keep_total"();`);
    this.addSql(`create trigger "audit_logs_total_on_delete" after delete on "audit_logs" referencing old table as deleted_rows for each statement execute function "audit_logs_keep_total"();`);

    this.addSql(`create index "audit_logs_failures_action_timestamp_index" on "audit_logs" ("action", "timestamp") where success = false;`);
    this.addSql(`create index "audit_logs_resource_resource_id_timestamp_index" on "audit_logs" ("resource", "resource_id", "timestamp");`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop trigger if exists "audit_logs_total_on_insert" on "audit_logs";`);
    this.addSql(`drop trigger if exists "audit_logs_total_on_delete" on "audit_logs";`);
    this.addSql(`drop function if exists "audit_logs_keep_total"();`);
    this.addSql(`drop table if exists "audit_log_total" cascade;`);

    this.addSql(`drop index "audit_logs_failures_action_timestamp_index";`);
    this.addSql(`drop index "audit_logs_resource_resource_id_timestamp_index";`);
  }

}
