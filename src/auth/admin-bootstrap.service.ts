import { MikroORM, RequestContext } from '@mikro-orm/core';
import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { APP_CONFIG } from '../config/app-config.module';
import { AppConfig } from '../config/environment';
import { UsersService } from './users.service';

/** Creates the first admin from ADMIN_EMAIL / ADMIN_PASSWORD when that account does not exist yet. */
@Injectable()
export class AdminBootstrapService implements OnApplicationBootstrap {
  private readonly logger = new Logger(AdminBootstrapService.name);

  constructor(
    private readonly orm: MikroORM,
    private readonly users: UsersService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const { adminEmail, adminPassword } = this.config;
    if (adminEmail === undefined || adminPassword === undefined) return;
    const created = await RequestContext.create(this.orm.em, () => this.users.ensureAdmin(adminEmail, adminPassword));
    if (created) this.logger.log(`Created the first admin ${adminEmail}`);
  }
}
