import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { Authenticated, CurrentUser } from '../auth/auth.decorators';
import { AuthenticatedUser } from '../auth/authenticated-user';
import { Role } from '../auth/role.enum';
import { ProblemResponses } from '../common/problem/problem-responses.decorator';
import { IntegerIdParamPipe } from '../common/validation/id-param.pipes';
import { CoursesService } from './courses.service';
import { CourseDto, CourseListQueryDto, CoursePageDto, CreateCourseDto, UpdateCourseDto } from './dto/course.dto';
import { Audited } from '../audit/audited.decorator';
import { AuditAction, AuditResource } from '../audit/audit.enums';

@ApiTags('courses')
@Controller('courses')
@Authenticated(Role.Admin, Role.Staff)
export class CoursesController {
  constructor(private readonly courses: CoursesService) {}

  @Get()
  @ApiOperation({ summary: 'List courses', description: 'Deleted courses are hidden unless an admin asks with includeDeleted=true.' })
  @ApiOkResponse({ type: CoursePageDto })
  @ProblemResponses(400)
  listCourses(@Query() query: CourseListQueryDto, @CurrentUser() user: AuthenticatedUser) {
    return this.courses.list(query, user);
  }

  @Post()
  @Audited({ action: AuditAction.Create, resource: AuditResource.Course })
  @ApiOperation({ summary: 'Create a course', description: 'courseCode must be unique among courses, deleted ones included (409).' })
  @ApiCreatedResponse({ type: CourseDto })
  @ProblemResponses(400, 409)
  createCourse(@Body() body: CreateCourseDto): Promise<CourseDto> {
    return this.courses.create(body);
  }

  @Get(':id')
  @ApiOperation({ summary: 'Get a course', description: 'Admins also see deleted courses.' })
  @ApiParam({ name: 'id', type: 'integer', description: 'The course\'s id (the `id` of its record).' })
  @ApiOkResponse({ type: CourseDto })
  @ProblemResponses(400, 404)
  getCourse(@Param('id', IntegerIdParamPipe) id: number, @CurrentUser() user: AuthenticatedUser): Promise<CourseDto> {
    return this.courses.get(id, user);
  }

  @Patch(':id')
  @Audited({ action: AuditAction.Update, resource: AuditResource.Course })
  @ApiOperation({ summary: 'Update a course', description: 'Only the fields sent change; null clears an optional field.' })
  @ApiParam({ name: 'id', type: 'integer', description: 'The course\'s id (the `id` of its record).' })
  @ApiOkResponse({ type: CourseDto })
  @ProblemResponses(400, 404, 409)
  updateCourse(@Param('id', IntegerIdParamPipe) id: number, @Body() body: UpdateCourseDto): Promise<CourseDto> {
    return this.courses.update(id, body);
  }

  @Delete(':id')
  @Audited({ action: AuditAction.Delete, resource: AuditResource.Course })
  @HttpCode(204)
  @ApiOperation({ summary: 'Soft-delete a course', description: 'Its enrollments stay but are hidden from lists until the course is restored.' })
  @ApiParam({ name: 'id', type: 'integer', description: 'The course\'s id (the `id` of its record).' })
  @ApiNoContentResponse({ description: 'Deleted.' })
  @ProblemResponses(400, 404)
  deleteCourse(@Param('id', IntegerIdParamPipe) id: number): Promise<void> {
    return this.courses.remove(id);
  }

  @Post(':id/restore')
  @Audited({ action: AuditAction.Restore, resource: AuditResource.Course })
  @HttpCode(200)
  @Authenticated(Role.Admin)
  @ApiOperation({ summary: 'Restore a soft-deleted course', description: 'Its enrollments show in lists again. A course that is not deleted answers 409 `not_deleted`.' })
  @ApiParam({ name: 'id', type: 'integer', description: 'The course\'s id (the `id` of its record).' })
  @ApiOkResponse({ type: CourseDto })
  @ProblemResponses(400, 404, 409)
  restoreCourse(@Param('id', IntegerIdParamPipe) id: number): Promise<CourseDto> {
    return this.courses.restore(id);
  }
}
