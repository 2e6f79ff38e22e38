import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { Authenticated, CurrentUser } from '../auth/auth.decorators';
import { AuthenticatedUser } from '../auth/authenticated-user';
import { Role } from '../auth/role.enum';
import { ProblemResponses } from '../common/problem/problem-responses.decorator';
import { IntegerIdParamPipe } from '../common/validation/id-param.pipes';
import { CreateEnrollmentDto, EnrollmentDto, EnrollmentListQueryDto, EnrollmentPageDto, UpdateEnrollmentDto } from './dto/enrollment.dto';
import { EnrollmentsService } from './enrollments.service';
import { Audited } from '../audit/audited.decorator';
import { AuditAction, AuditResource } from '../audit/audit.enums';

@ApiTags('enrollments')
@Controller('enrollments')
@Authenticated(Role.Admin, Role.Staff)
export class EnrollmentsController {
  constructor(private readonly enrollments: EnrollmentsService) {}

  @Get()
  @ApiOperation({
    summary: 'List enrollments',
    description:
      'Deleted enrollments, and those of deleted students or courses, are hidden unless an admin asks with includeDeleted=true.',
  })
  @ApiOkResponse({ type: EnrollmentPageDto })
  @ProblemResponses(400)
  listEnrollments(@Query() query: EnrollmentListQueryDto, @CurrentUser() user: AuthenticatedUser) {
    return this.enrollments.list(query, user);
  }

  @Post()
  @Audited({ action: AuditAction.Create, resource: AuditResource.Enrollment })
  @ApiOperation({
    summary: 'Enroll a student in a course',
    description: 'The student and course are named by their natural keys; a deleted one counts as unknown (422).',
  })
  @ApiCreatedResponse({ type: EnrollmentDto })
  @ProblemResponses(400, 409, 422)
  createEnrollment(@Body() body: CreateEnrollmentDto): Promise<EnrollmentDto> {
    return this.enrollments.create(body);
  }

  @Get(':id')
  @ApiOperation({ summary: 'Get an enrollment', description: 'Admins also see deleted enrollments.' })
  @ApiParam({ name: 'id', type: 'integer', description: 'The enrollment\'s id (the `id` of its record).' })
  @ApiOkResponse({ type: EnrollmentDto })
  @ProblemResponses(400, 404)
  getEnrollment(@Param('id', IntegerIdParamPipe) id: number, @CurrentUser() user: AuthenticatedUser): Promise<EnrollmentDto> {
    return this.enrollments.get(id, user);
  }

  @Patch(':id')
  @Audited({ action: AuditAction.Update, resource: AuditResource.Enrollment })
  @ApiOperation({ summary: 'Update an enrollment', description: 'Only the date and status change; the student and course are fixed.' })
  @ApiParam({ name: 'id', type: 'integer', description: 'The enrollment\'s id (the `id` of its record).' })
  @ApiOkResponse({ type: EnrollmentDto })
  @ProblemResponses(400, 404)
  updateEnrollment(@Param('id', IntegerIdParamPipe) id: number, @Body() body: UpdateEnrollmentDto): Promise<EnrollmentDto> {
    return this.enrollments.update(id, body);
  }

  @Delete(':id')
  @Audited({ action: AuditAction.Delete, resource: AuditResource.Enrollment })
  @HttpCode(204)
  @ApiOperation({ summary: 'Soft-delete an enrollment', description: 'The enrollment is hidden from lists and exports until restored.' })
  @ApiParam({ name: 'id', type: 'integer', description: 'The enrollment\'s id (the `id` of its record).' })
  @ApiNoContentResponse({ description: 'Deleted.' })
  @ProblemResponses(400, 404)
  deleteEnrollment(@Param('id', IntegerIdParamPipe) id: number): Promise<void> {
    return this.enrollments.remove(id);
  }

  @Post(':id/restore')
  @Audited({ action: AuditAction.Restore, resource: AuditResource.Enrollment })
  @HttpCode(200)
  @Authenticated(Role.Admin)
  @ApiOperation({ summary: 'Restore a soft-deleted enrollment', description: 'An enrollment that is not deleted answers 409 `not_deleted`.' })
  @ApiParam({ name: 'id', type: 'integer', description: 'The enrollment\'s id (the `id` of its record).' })
  @ApiOkResponse({ type: EnrollmentDto })
  @ProblemResponses(400, 404, 409)
  restoreEnrollment(@Param('id', IntegerIdParamPipe) id: number): Promise<EnrollmentDto> {
    return this.enrollments.restore(id);
  }
}
