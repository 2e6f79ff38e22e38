import { FilterQuery } from '@mikro-orm/core';
import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { violatedUniqueConstraint } from '../common/database-errors';
import { containsPattern } from '../common/like-pattern';
import { Page } from '../common/pagination/page.dto';
import { ProblemException } from '../common/problem/problem.exception';
import { AuthService } from './auth.service';
import { CreateUserDto, UpdateUserDto, UserDto, UserListQueryDto } from './dto/user.dto';
import { hashPassword } from './password-hasher';
import { Role } from './role.enum';
import { User } from './user.entity';
import { AuditRequestContext } from '../audit/audit-context';
import { AuditAction, AuditResource } from '../audit/audit.enums';
import { AuditService } from '../audit/audit.service';
import { AuditRoleChangeDetails } from '../audit/dto/audit-details.dto';

const emailTaken = (email: string): ProblemException =>
  ProblemException.conflict('email_taken', `A user with the email ${email} already exists.`);

@Injectable()
export class UsersService {
  constructor(
    private readonly em: EntityManager,
    private readonly auth: AuthService,
    private readonly audit: AuditService,
  ) {}

  async list(query: UserListQueryDto): Promise<Page<UserDto>> {
    const where: FilterQuery<User> = {};
    if (query.role !== undefined) where.role = query.role;
    if (query.isActive !== undefined) where.isActive = query.isActive;
    if (query.search !== undefined) where.email = { $ilike: containsPattern(query.search.toLowerCase()) };
    const [users, total] = await this.em.findAndCount(User, where, {
      orderBy: { email: 'ASC' },
      limit: query.limit,
      offset: query.offset,
    });
    return { items: users.map(UserDto.from), total, limit: query.limit, offset: query.offset };
  }

  async get(id: string): Promise<UserDto> {
    return UserDto.from(await this.find(id));
  }

  async create(input: CreateUserDto): Promise<UserDto> {
    const user = this.em.create(User, {
      email: input.email,
      passwordHash: await hashPassword(input.password),
      role: input.role,
      isActive: true,
    });
    try {
      await this.em.persistAndFlush(user);
    } catch (error) {
      if (violatedUniqueConstraint(error) !== undefined) throw emailTaken(input.email);
      throw error;
    }
    return UserDto.from(user);
  }

  async update(id: string, input: UpdateUserDto, auditContext: AuditRequestContext): Promise<UserDto> {
    let previousRole: Role | undefined;
    const updated = await this.em.transactional(async (em) => {
      // Locked so that two admins demoting each other cannot leave the service without an admin.
      const user = await em.findOne(User, { id }, { lockMode: 4 /* PESSIMISTIC_WRITE */ });
      if (user === null) throw ProblemException.notFound(`User ${id}`);
      const losesAdmin =
        user.role === Role.Admin && user.isActive && ((input.role !== undefined && input.role !== Role.Admin) || input.isActive === false);
      if (losesAdmin && (await em.count(User, { role: Role.Admin, isActive: true, id: { $ne: id } })) === 0) {
        throw ProblemException.conflict('last_admin', 'The last active admin cannot be demoted or disabled.');
      }
      previousRole = user.role;
      if (input.role !== undefined) user.role = input.role;
      if (input.isActive !== undefined) user.isActive = input.isActive;
      if (input.password !== undefined) user.passwordHash = await hashPassword(input.password);
      await em.flush();
      if (input.password !== undefined || input.isActive === false) await this.auth.revokeSessions(em, id);
      return UserDto.from(user);
    });
    if (input.role !== undefined || input.isActive !== undefined || input.password !== undefined) await this.auth.forgetUser(id);
    // Recorded once the change is committed, with what a reviewer of privileges needs to see.
    if (previousRole !== undefined && previousRole !== updated.role) {
      await this.audit.log({
        ...auditContext,
        action: AuditAction.RoleChange,
        resource: AuditResource.User,
        resourceId: id,
        success: true,
        details: { email: updated.email, previousRole, newRole: updated.role } satisfies AuditRoleChangeDetails,
      });
    }
    return updated;
  }

  /** Creates the admin when no user has that email; an existing account is left as it is. */
  async ensureAdmin(email: string, password: string): Promise<boolean> {
    const normalized = email.trim().toLowerCase();
    const inserted = await this.em
      .createQueryBuilder(User)
      .insert({ email: normalized, passwordHash: await hashPassword(password), role: Role.Admin, isActive: true })
      .onConflict('email')
      .ignore()
      .execute('run');
    return (inserted as { affectedRows?: number }).affectedRows === 1;
  }

  private async find(id: string): Promise<User> {
    const user = await this.em.findOne(User, { id });
    if (user === null) throw ProblemException.notFound(`User ${id}`);
    return user;
  }
}
