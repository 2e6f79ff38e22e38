import { Body, Controller, Get, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { ProblemResponses } from '../common/problem/problem-responses.decorator';
import { UuidParamPipe } from '../common/validation/id-param.pipes';
import { Authenticated } from './auth.decorators';
import { CreateUserDto, UpdateUserDto, UserDto, UserListQueryDto, UserPageDto } from './dto/user.dto';
import { Role } from './role.enum';
import { UsersService } from './users.service';

@ApiTags('users')
@Controller('users')
@Authenticated(Role.Admin)
export class UsersController {
  constructor(private readonly users: UsersService) {}

  @Get()
  @ApiOperation({ summary: 'List users' })
  @ApiOkResponse({ type: UserPageDto })
  @ProblemResponses(400)
  listUsers(@Query() query: UserListQueryDto) {
    return this.users.list(query);
  }

  @Post()
  @ApiOperation({ summary: 'Create a user' })
  @ApiCreatedResponse({ type: UserDto })
  @ProblemResponses(400, 409)
  createUser(@Body() body: CreateUserDto): Promise<UserDto> {
    return this.users.create(body);
  }

  @Get(':id')
  @ApiOperation({ summary: 'Get a user' })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOkResponse({ type: UserDto })
  @ProblemResponses(400, 404)
  getUser(@Param('id', UuidParamPipe) id: string): Promise<UserDto> {
    return this.users.get(id);
  }

  @Patch(':id')
  @ApiOperation({ summary: "Change a user's role, status or password" })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOkResponse({ type: UserDto })
  @ProblemResponses(400, 404, 409)
  updateUser(@Param('id', UuidParamPipe) id: string, @Body() body: UpdateUserDto): Promise<UserDto> {
    return this.users.update(id, body);
  }
}
