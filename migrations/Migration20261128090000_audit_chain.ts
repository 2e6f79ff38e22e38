import { Migration } from '@mikro-orm/migrations';

/**
 * The audit hash chain (docs/audit.md, section 10). A BEFORE INSERT trigger gives each row the
 * next seq, the previous row's hash as prev_hash, and hash = SHA-256 of its canonical encoding
 * (src/audit/audit-chain.ts computes the same bytes). The chain head is one row locked from the
 * first insert of a transaction to its commit, so rows chain in commit order without gaps; within
 * a transaction the head travels in a transaction-local setting and is written back once per
 * statement, so a bulk insert does not update one row a million times.
 */
export class Migration20261128090000_audit_chain extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table "audit_chain_head" ("id" boolean not null default true, "seq" bigint not null, "hash" varchar(64) not null, constraint "audit_chain_head_pkey" primary key ("id"));`);
    this.addSql(`alter table "audit_chain_head" add constraint "audit_chain_head_single_row" check ("id" = true);`);

    this.addSql(`create table "audit_checkpoints" ("id" bigserial primary key, "created_at" timestamptz(3) not null, "kind" text check ("kind" in ('periodic', 'retention')) not null, "from_seq" bigint null, "seq" bigint not null, "row_id" bigint not null, "hash" varchar(64) not null, "public_key" varchar(64) not null, "signature" varchar(128) not null);`);
    this.addSql(`alter table "audit_checkpoints" add constraint "audit_checkpoints_kind_seq_unique" unique ("kind", "seq");`);
    this.addSql(`create function "audit_checkpoints_append_only"() returns trigger language plpgsql as $$
begin
  raise exception 'audit_checkpoints is append-only: % is not allowed', TG_OP using errcode = 'insufficient_privilege';
end
$$;`);
    this.addSql(`create trigger "audit_checkpoints_append_only_rows" before update or delete on "audit_checkpoints" for each row execute function "audit_checkpoints_append_only"();`);
    this.addSql(`create trigger "audit_checkpoints_append_only_truncate" before truncate on "audit_checkpoints" for each statement execute function "audit_checkpoints_append_only"();`);

    this.addSql(`alter table "audit_logs" add column "seq" bigint null, add column "prev_hash" varchar(64) null, add column "hash" varchar(64) null;`);
    // The canonical encoding: jsonb's text form of an array of every column, prev_hash last.
    this.addSql(`create function "audit_logs_canonical"(r "audit_logs") returns text language sql stable as $$
  select jsonb_build_array('sms-audit-1', r.seq, r.id, to_char(r."timestamp" at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
    r.user_id, r.email, r.action, r.resource, r.resource_id, r.ip_address, r.peer_address, r.user_agent, r.request_id,
    r.success, r.status_code, r.error_code, r.details, r.prev_hash)::text
$$;`);

    // Rows written before the chain existed are chained in id order, with the append-only trigger
    // set aside for this one transaction.
    this.addSql(`alter table "audit_logs" disable trigger "audit_logs_append_only_rows";`);
    this.addSql(`do $$
declare
  r "audit_logs";
  n bigint := 0;
  previous varchar(64) := repeat('0', 64);
begin
  for r in select * from "audit_logs" order by id loop
    n := n + 1;
    r.seq := n;
    r.prev_hash := previous;
    r.hash := encode(sha256(convert_to(audit_logs_canonical(r), 'UTF8')), 'hex');
    update "audit_logs" set seq = r.seq, prev_hash = r.prev_hash, hash = r.hash where id = r.id;
    previous := r.hash;
  end loop;
  insert into "audit_chain_head" ("id", "seq", "hash") values (true, n, previous);
end
$$;`);
    this.addSql(`alter table "audit_logs" enable trigger "audit_logs_append_only_rows";`);
    this.addSql(`alter table "audit_logs" alter column "seq" set not null, alter column "prev_hash" set not null, alter column "hash" set not null;`);
    this.addSql(`alter table "audit_logs" add constraint "audit_logs_seq_unique" unique ("seq");`);

    this.addSql(`create function "audit_logs_chain"() returns trigger language plpgsql as $$
declare
  head text := nullif(current_setting('sms.audit_chain_head', true), '');
  last_seq bigint;
  last_hash varchar(64);
begin
  if head is null then
    -- Held until commit: the next transaction chains onto this one's last row.
    select seq, hash into strict last_seq, last_hash from "audit_chain_head" where id for update;
  else
    last_seq := split_part(head, ':', 1)::bigint;
    last_hash := split_part(head, ':', 2);
  end if;
  NEW."timestamp" := NEW."timestamp"::timestamptz(3);
  NEW.seq := last_seq + 1;
  NEW.prev_hash := last_hash;
  NEW.hash := encode(sha256(convert_to(audit_logs_canonical(NEW), 'UTF8')), 'hex');
  perform set_config('sms.audit_chain_head', NEW.seq || ':' || NEW.hash, true);
  return NEW;
end
$$;`);
    this.addSql(`create function "audit_logs_chain_head"() returns trigger language plpgsql as $$
declare
  head text := nullif(current_setting('sms.audit_chain_head', true), '');
begin
  if head is not null then
    update "audit_chain_head" set seq = split_part(head, ':', 1)::bigint, hash = split_part(head, ':', 2) where id;
  end if;
  return null;
end
$$;`);
    this.addSql(`alter table "audit_logs" drop constraint if exists "audit_logs_action_check";`);
    this.addSql(`alter table "audit_logs" add constraint "audit_logs_action_check" check("action" in ('login', 'logout', 'password_change', 'create', 'update', 'delete', 'restore', 'bulk_import', 'bulk_export', 'role_change', 'permission_grant', 'permission_revoke', 'backup_create', 'backup_restore', 'config_change', 'retention_purge', 'cancel', 'verify'));`);

    this.addSql(`create trigger "audit_logs_chain" before insert on "audit_logs" for each row execute function "audit_logs_chain"();`);
    this.addSql(`create trigger "audit_logs_chain_head" after insert on "audit_logs" for each statement execute function "audit_logs_chain_head"();`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "audit_logs" drop constraint if exists "audit_logs_action_check";`);
    this.addSql(`alter table "audit_logs" add constraint "audit_logs_action_check" check("action" in ('login', 'logout', 'password_change', 'create', 'update', 'delete', 'restore', 'bulk_import', 'bulk_export', 'role_change', 'permission_grant', 'permission_revoke', 'backup_create', 'backup_restore', 'config_change', 'retention_purge', 'cancel'));`);
    this.addSql(`drop trigger if exists "audit_logs_chain" on "audit_logs";`);
    this.addSql(`drop trigger if exists "audit_logs_chain_head" on "audit_logs";`);
    this.addSql(`drop function if exists "audit_logs_chain"();`);
    this.addSql(`drop function if exists "audit_logs_chain_head"();`);
    this.addSql(`drop function if exists "audit_logs_canonical"("audit_logs");`);
    this.addSql(`alter table "audit_logs" drop constraint "audit_logs_seq_unique";`);
    this.addSql(`alter table "audit_logs" drop column "seq", drop column "prev_hash", drop column "hash";`);
    this.addSql(`drop table if exists "audit_checkpoints" cascade;`);
    this.addSql(`drop function if exists "audit_checkpoints_append_only"();`);
    this.addSql(`drop table if exists "audit_chain_head" cascade;`);
  }

}
