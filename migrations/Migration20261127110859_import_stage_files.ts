import { Migration } from '@mikro-orm/migrations';

export class Migration20261127110859_import_stage_files extends Migration {

  override async up(): Promise<void> {
    this.addSql(`alter table "import_previews" add column "stage_sha256" varchar(64) null;`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "import_previews" drop column "stage_sha256";`);
  }

}
