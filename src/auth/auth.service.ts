import { EntityManager } from '@mikro-orm/postgresql';
import { Inject, Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { randomUUID } from 'node:crypto';
import { APP_CONFIG } from '../config/app-config.module';
import { AppConfig } from '../config/environment';
import { ProblemException } from '../common/problem/problem.exception';
import { AuthenticatedUser } from './authenticated-user';
import { hashPassword, verifyPassword } from './password-hasher';
import { Role } from './role.enum';
import { SessionCache } from './session-cache.service';
import { Session } from './session.entity';
import { User } from './user.entity';

interface AccessTokenClaims {
  sub: string;
  jti: string;
  exp: number;
}

export interface IssuedToken {
  accessToken: string;
  expiresIn: number;
  sessionId: string;
  user: User;
}

const SESSION_LOOKUP = `select u.id, u.email, u.role, u.is_active from sessions s join users u on u.id = s.user_id
  where s.id = ? and s.user_id = ? and s.revoked_at is null and s.expires_at > now()`;

const invalidToken = (detail: string): ProblemException =>
  new ProblemException({ status: 401, code: 'invalid_token', title: 'Unauthorized', detail });

@Injectable()
export class AuthService {
  /** Verified against when the email is unknown, so that both failures take the same time. */
  private readonly decoyHash: Promise<string> = hashPassword(randomUUID());

  constructor(
    private readonly em: EntityManager,
    private readonly jwt: JwtService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly sessions: SessionCache,
  ) {}

  async login(email: string, password: string): Promise<IssuedToken> {
    const user = await this.em.findOne(User, { email: email.trim().toLowerCase() }, { populate: ['passwordHash'] });
    const passwordMatches = await verifyPassword(user?.passwordHash ?? (await this.decoyHash), password);
    if (user === null || !passwordMatches || !user.isActive) {
      throw new ProblemException({
        status: 401,
        code: 'invalid_credentials',
        title: 'Unauthorized',
        detail: 'The email or password is wrong, or the account is disabled.',
      });
    }
    const ttlSeconds = this.config.accessTokenTtlSeconds;
    const session = this.em.create(Session, {
      id: randomUUID(),
      user,
      expiresAt: new Date(Date.now() + ttlSeconds * 1000),
    });
    await this.em.persistAndFlush(session);
    const claims = { sub: user.id, jti: session.id };
    const accessToken = await this.jwt.signAsync(claims, { expiresIn: ttlSeconds });
    return { accessToken, expiresIn: ttlSeconds, sessionId: session.id, user };
  }

  /** Resolves a bearer token to its user; a token whose session was revoked or whose user was disabled fails. */
  async authenticate(token: string): Promise<AuthenticatedUser> {
    let claims: AccessTokenClaims;
    try {
      claims = await this.jwt.verifyAsync<AccessTokenClaims>(token);
    } catch {
      throw invalidToken('The access token is malformed, expired or not signed by this service.');
    }
    const cached = this.sessions.get(claims.jti);
    if (cached !== undefined && cached.id === claims.sub) return cached;
    const revocationsBeforeLookup = this.sessions.revocationCount();
    // One indexed join, without the ORM's hydration, when the session is not cached.
    const [row] = await this.em.getKnex().raw<{ rows: { id: string; email: string; role: Role; is_active: boolean }[] }>(SESSION_LOOKUP, [claims.jti, claims.sub]).then((result) => result.rows);
    if (row === undefined) throw invalidToken('The access token has been revoked or has expired.');
    if (!row.is_active) throw invalidToken('The account of this token is disabled.');
    const user = { id: row.id, email: row.email, role: row.role, sessionId: claims.jti };
    this.sessions.remember(user, claims.exp * 1000, revocationsBeforeLookup);
    return user;
  }

  async logout(sessionId: string): Promise<void> {
    await this.em.nativeUpdate(Session, { id: sessionId, revokedAt: null }, { revokedAt: new Date() });
    await this.sessions.forgetSession(sessionId);
  }

  /** After a change to a user's role, status or password: no process may keep trusting what it knew. */
  forgetUser(userId: string): Promise<void> {
    return this.sessions.forgetUser(userId);
  }

  /** Changes one's own password and signs out every other session of the user. */
  async changePassword(user: AuthenticatedUser, currentPassword: string, newPassword: string): Promise<void> {
    const stored = await this.em.findOneOrFail(User, { id: user.id }, { populate: ['passwordHash'] });
    if (!(await verifyPassword(stored.passwordHash, currentPassword))) {
      throw new ProblemException({
        status: 422,
        code: 'current_password_incorrect',
        title: 'Unprocessable Content',
        detail: 'The current password is wrong.',
        errors: [{ field: 'currentPassword', code: 'incorrect', message: 'currentPassword is wrong' }],
      });
    }
    stored.passwordHash = await hashPassword(newPassword);
    await this.em.transactional(async (em) => {
      await em.persistAndFlush(stored);
      await this.revokeSessions(em, user.id, user.sessionId);
    });
    await this.sessions.forgetUser(user.id);
  }

  /** Revokes every open session of a user, except the one named (when given). */
  async revokeSessions(em: EntityManager, userId: string, exceptSessionId?: string): Promise<void> {
    await em.nativeUpdate(
      Session,
      { user: userId, revokedAt: null, ...(exceptSessionId === undefined ? {} : { id: { $ne: exceptSessionId } }) },
      { revokedAt: new Date() },
    );
  }
}
