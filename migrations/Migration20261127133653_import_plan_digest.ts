import { Migration } from '@mikro-orm/migrations';

export class Migration20261127133653_import_plan_digest extends Migration {

  override async up(): Promise<void> {
    this.addSql(`alter table "import_previews" add column "plan_digest" varchar(40) null;`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "import_previews" drop column "plan_digest";`);
  }

}
