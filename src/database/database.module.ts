import { MikroOrmModule } from '@mikro-orm/nestjs';
import { PostgreSqlDriver } from '@mikro-orm/postgresql';
import { Module } from '@nestjs/common';
import { APP_CONFIG } from '../config/app-config.module';
import { AppConfig } from '../config/environment';
import { ensureDatabaseExists } from './ensure-database';
import { mikroOrmOptions } from './mikro-orm.options';
import { SchemaMigrationService } from './schema-migration.service';

@Module({
  imports: [
    MikroOrmModule.forRootAsync({
      driver: PostgreSqlDriver,
      inject: [APP_CONFIG],
      useFactory: async (config: AppConfig) => {
        await ensureDatabaseExists(config.databaseUrl);
        return { ...mikroOrmOptions(config.databaseUrl), autoLoadEntities: true, registerRequestContext: true, forRoutesPath: '{*path}' };
      },
    }),
  ],
  providers: [SchemaMigrationService],
})
export class DatabaseModule {}
