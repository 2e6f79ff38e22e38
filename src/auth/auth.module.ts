import { MikroOrmModule } from '@mikro-orm/nestjs';
import { Module } from '@nestjs/common';
import { createSecretKey } from 'node:crypto';
import { JwtModule } from '@nestjs/jwt';
import { AuditModule } from '../audit/audit.module';
import { APP_CONFIG } from '../config/app-config.module';
import { AppConfig } from '../config/environment';
import { AdminBootstrapService } from './admin-bootstrap.service';
import { AuthController } from './auth.controller';
import { AuthGuard } from './auth.guard';
import { AuthService } from './auth.service';
import { SessionCache } from './session-cache.service';
import { Session } from './session.entity';
import { User } from './user.entity';
import { UsersController } from './users.controller';
import { UsersService } from './users.service';

@Module({
  imports: [
    AuditModule,
    MikroOrmModule.forFeature([User, Session]),
    JwtModule.registerAsync({
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => {
        // One KeyObject for the process: handed a string, jsonwebtoken rebuilds a key on every
        // verification, the largest single cost of an authenticated request.
        const key = createSecretKey(Buffer.from(config.jwtSecret, 'utf8'));
        return { secretOrKeyProvider: () => key, signOptions: { algorithm: 'HS256' }, verifyOptions: { algorithms: ['HS256'] } };
      },
    }),
  ],
  controllers: [AuthController, UsersController],
  providers: [AuthService, UsersService, AuthGuard, AdminBootstrapService, SessionCache],
  exports: [AuthGuard, UsersService, SessionCache],
})
export class AuthModule {}
