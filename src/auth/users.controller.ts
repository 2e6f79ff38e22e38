import { Body, Controller, Get, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { ProblemResponses } from '../common/problem/problem-responses.decorator';
import { UuidParamPipe } from '../common/validation/id-param.pipes';
import { Authenticated } from './auth.decorators';
import { CreateUserDto, UpdateUserDto, UserDto, UserListQueryDto, UserPageDto } from './dto/user.dto';
import { Role } from './role.enum';
import { UsersService } from './users.service';
import { AuditRequestContext } from '../audit/audit-context';
import { Audited, RequestAuditContext } from '../audit/audited.decorator';
import { AuditAction, AuditResource } from '../audit/audit.enums';
import { AuditUserCreateDetails } from '../audit/dto/audit-details.dto';

@ApiTags('users')
@Controller('users')
@Authenticated(Role.Admin)
export class UsersController {
  constructor(private readonly users: UsersService) {}

  @Get()
  @ApiOperation({ summary: 'List users', description: 'Admins only.' })
  @ApiOkResponse({ type: UserPageDto })
  @ProblemResponses(400)
  listUsers(@Query() query: UserListQueryDto) {
    return this.users.list(query);
  }

  @Post()
  @Audited<UserDto>({ action: AuditAction.Create, resource: AuditResource.User, details: (_request, result) => result && ({ email: result.email, role: result.role } satisfies AuditUserCreateDetails) })
  @ApiOperation({ summary: 'Create a user', description: 'Admins only. The email must be unique (409).' })
  @ApiCreatedResponse({ type: UserDto })
  @ProblemResponses(400, 409)
  createUser(@Body() body: CreateUserDto): Promise<UserDto> {
    return this.users.create(body);
  }

  @Get(':id')
  @ApiOperation({ summary: 'Get a user', description: 'Admins only.' })
  @ApiParam({ name: 'id', format: 'uuid', description: "The user's id." })
  @ApiOkResponse({ type: UserDto })
  @ProblemResponses(400, 404)
  getUser(@Param('id', UuidParamPipe) id: string): Promise<UserDto> {
    return this.users.get(id);
  }

  @Patch(':id')
  @Audited({ action: AuditAction.Update, resource: AuditResource.User })
  @ApiOperation({ summary: "Change a user's role, status or password", description: 'A role change is also recorded as `role_change`.' })
  @ApiParam({ name: 'id', format: 'uuid', description: "The user's id." })
  @ApiOkResponse({ type: UserDto })
  @ProblemResponses(400, 404, 409)
  updateUser(
    @Param('id', UuidParamPipe) id: string,
    @Body() body: UpdateUserDto,
    @RequestAuditContext() auditContext: AuditRequestContext,
  ): Promise<UserDto> {
    return this.users.update(id, body, auditContext);
  }
}
