import { Migration } from '@mikro-orm/migrations';

export class Migration20261127081845_initial extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table "courses" ("id" serial primary key, "course_code" varchar(20) not null, "course_name" varchar(200) not null, "semester" varchar(50) not null, "credits" smallint not null default 3, "description" text null, "hours_per_week" smallint null, "periods_per_week" smallint null, "evaluation_rules" jsonb null, "is_active" boolean not null default true, "deleted_at" timestamptz null, "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now(), constraint courses_periods_per_week_check check (periods_per_week >= 0 and periods_per_week <= 60), constraint courses_hours_per_week_check check (hours_per_week >= 0 and hours_per_week <= 60), constraint courses_credits_check check (credits >= 0 and credits <= 60));`);
    this.addSql(`alter table "courses" add constraint "courses_course_code_unique" unique ("course_code");`);

    this.addSql(`create table "students" ("id" serial primary key, "student_id" varchar(50) not null, "email" varchar(254) not null, "first_name" varchar(100) not null, "last_name" varchar(100) not null, "father_name" varchar(100) null, "mobile_phone" varchar(30) null, "phone" varchar(30) null, "enrollment_date" date null, "study_year" smallint null, "is_active" boolean not null default true, "health_issue" text null, "note" text null, "academic_year" varchar(20) null, "class_division" varchar(20) null, "deleted_at" timestamptz null, "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now(), constraint students_study_year_check check (study_year >= 1 and study_year <= 6));`);
    this.addSql(`alter table "students" add constraint "students_student_id_unique" unique ("student_id");`);
    this.addSql(`alter table "students" add constraint "students_email_unique" unique ("email");`);
    this.addSql(`create index "students_last_name_first_name_index" on "students" ("last_name", "first_name");`);

    this.addSql(`create table "enrollments" ("id" serial primary key, "student_id" int not null, "course_id" int not null, "enrolled_at" date not null, "status" text check ("status" in ('active', 'completed', 'dropped')) not null default 'active', "deleted_at" timestamptz null, "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now());`);
    this.addSql(`create index "enrollments_course_id_index" on "enrollments" ("course_id");`);
    this.addSql(`alter table "enrollments" add constraint "enrollments_student_id_course_id_unique" unique ("student_id", "course_id");`);

    this.addSql(`create table "users" ("id" uuid not null default gen_random_uuid(), "email" varchar(254) not null, "password_hash" text not null, "role" text check ("role" in ('admin', 'staff', 'auditor')) not null, "is_active" boolean not null default true, "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now(), constraint "users_pkey" primary key ("id"));`);
    this.addSql(`alter table "users" add constraint "users_email_unique" unique ("email");`);

    this.addSql(`create table "sessions" ("id" uuid not null, "user_id" uuid not null, "created_at" timestamptz not null default now(), "expires_at" timestamptz not null, "revoked_at" timestamptz null, constraint "sessions_pkey" primary key ("id"));`);
    this.addSql(`create index "sessions_user_id_index" on "sessions" ("user_id");`);

    this.addSql(`alter table "enrollments" add constraint "enrollments_student_id_foreign" foreign key ("student_id") references "students" ("id") on update cascade on delete restrict;`);
    this.addSql(`alter table "enrollments" add constraint "enrollments_course_id_foreign" foreign key ("course_id") references "courses" ("id") on update cascade on delete restrict;`);

    this.addSql(`alter table "sessions" add constraint "sessions_user_id_foreign" foreign key ("user_id") references "users" ("id") on update cascade on delete cascade;`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "enrollments" drop constraint "enrollments_course_id_foreign";`);

    this.addSql(`alter table "enrollments" drop constraint "enrollments_student_id_foreign";`);

    this.addSql(`alter table "sessions" drop constraint "sessions_user_id_foreign";`);

    this.addSql(`drop table if exists "courses" cascade;`);

    this.addSql(`drop table if exists "students" cascade;`);

    this.addSql(`drop table if exists "enrollments" cascade;`);

    this.addSql(`drop table if exists "users" cascade;`);

    this.addSql(`drop table if exists "sessions" cascade;`);
  }

}
