import { Body, Controller, Get, HttpCode, Post } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { Audited } from '../audit/audited.decorator';
import { AuditAction, AuditResource } from '../audit/audit.enums';
import { ProblemResponses } from '../common/problem/problem-responses.decorator';
import { RateLimit, RateLimitPolicy } from '../common/rate-limit/rate-limit.decorator';
import { Authenticated, CurrentUser, Public } from './auth.decorators';
import { AuthService } from './auth.service';
import { AuthenticatedUser } from './authenticated-user';
import { ChangePasswordDto, LoginRequestDto, LoginResponseDto } from './dto/login.dto';
import { UserDto } from './dto/user.dto';
import { UsersService } from './users.service';

/** The email a sign-in tried, kept only when it looks like one: a password typed into the wrong field must not land in the trail. */
function emailTried(request: FastifyRequest): string | null {
  const email = (request.body as { email?: unknown } | undefined)?.email;
  if (typeof email !== 'string') return null;
  const normalized = email.trim().toLowerCase();
  return /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(normalized) ? normalized : null;
}

@ApiTags('auth')
@Controller('auth')
export class AuthController {
  constructor(
    private readonly auth: AuthService,
    private readonly users: UsersService,
  ) {}

  @Post('login')
  @HttpCode(200)
  @Public()
  @Audited<LoginResponseDto>({
    action: AuditAction.Login,
    resource: AuditResource.Session,
    resourceId: (_request, result) => result?.sessionId,
    // Without the password, whatever the outcome; a failed attempt is recorded under the email tried.
    actor: (request, result) => ({ userId: result?.user.id ?? null, email: result?.user.email ?? emailTried(request) }),
    details: () => undefined,
  })
  @RateLimit(RateLimitPolicy.Login)
  @ApiOperation({ summary: 'Sign in with email and password and receive a bearer token', description: 'Needs no token. Attempts are limited per client IP and per email address.' })
  @ApiOkResponse({ type: LoginResponseDto })
  @ProblemResponses(400, 401, 503)
  async login(@Body() body: LoginRequestDto): Promise<LoginResponseDto> {
    const issued = await this.auth.login(body.email, body.password);
    return {
      accessToken: issued.accessToken,
      tokenType: 'Bearer',
      expiresIn: issued.expiresIn,
      sessionId: issued.sessionId,
      user: UserDto.from(issued.user),
    };
  }

  @Post('logout')
  @HttpCode(204)
  @Authenticated()
  @Audited({ action: AuditAction.Logout, resource: AuditResource.Session, resourceId: (request) => request.user?.sessionId })
  @ApiOperation({ summary: 'Revoke the token of this request; it stops working at once', description: "The user's other sessions stay signed in." })
  async logout(@CurrentUser() user: AuthenticatedUser): Promise<void> {
    await this.auth.logout(user.sessionId);
  }

  @Post('password')
  @HttpCode(204)
  @Authenticated()
  @Audited({ action: AuditAction.PasswordChange, resource: AuditResource.User, resourceId: (request) => request.user?.id, details: () => undefined })
  @ApiOperation({ summary: "Change one's own password; every other session is signed out", description: 'Needs the current password; the token of this request keeps working.' })
  @ProblemResponses(400, 422)
  async changePassword(@CurrentUser() user: AuthenticatedUser, @Body() body: ChangePasswordDto): Promise<void> {
    await this.auth.changePassword(user, body.currentPassword, body.newPassword);
  }

  @Get('me')
  @Authenticated()
  @ApiOperation({ summary: 'The signed-in user', description: 'The user the token belongs to, with their role.' })
  @ApiOkResponse({ type: UserDto })
  async getCurrentUser(@CurrentUser() user: AuthenticatedUser): Promise<UserDto> {
    return this.users.get(user.id);
  }
}
