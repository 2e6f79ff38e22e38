import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { Authenticated, CurrentUser } from '../auth/auth.decorators';
import { AuthenticatedUser } from '../auth/authenticated-user';
import { Role } from '../auth/role.enum';
import { ProblemResponses } from '../common/problem/problem-responses.decorator';
import { IntegerIdParamPipe } from '../common/validation/id-param.pipes';
import { CreateStudentDto, StudentDto, StudentListQueryDto, StudentPageDto, UpdateStudentDto } from './dto/student.dto';
import { StudentsService } from './students.service';
import { Audited } from '../audit/audited.decorator';
import { AuditAction, AuditResource } from '../audit/audit.enums';

@ApiTags('students')
@Controller('students')
@Authenticated(Role.Admin, Role.Staff)
export class StudentsController {
  constructor(private readonly students: StudentsService) {}

  @Get()
  @ApiOperation({ summary: 'List students', description: 'Deleted students are hidden unless an admin asks with includeDeleted=true.' })
  @ApiOkResponse({ type: StudentPageDto })
  @ProblemResponses(400)
  listStudents(@Query() query: StudentListQueryDto, @CurrentUser() user: AuthenticatedUser) {
    return this.students.list(query, user);
  }

  @Post()
  @Audited({ action: AuditAction.Create, resource: AuditResource.Student })
  @ApiOperation({ summary: 'Create a student', description: 'studentId and email must be unique among students, deleted ones included (409 names the holder).' })
  @ApiCreatedResponse({ type: StudentDto })
  @ProblemResponses(400, 409)
  createStudent(@Body() body: CreateStudentDto): Promise<StudentDto> {
    return this.students.create(body);
  }

  @Get(':id')
  @ApiOperation({ summary: 'Get a student', description: 'Admins also see deleted students.' })
  @ApiParam({ name: 'id', type: 'integer', description: 'The student\'s id (the `id` of its record).' })
  @ApiOkResponse({ type: StudentDto })
  @ProblemResponses(400, 404)
  getStudent(@Param('id', IntegerIdParamPipe) id: number, @CurrentUser() user: AuthenticatedUser): Promise<StudentDto> {
    return this.students.get(id, user);
  }

  @Patch(':id')
  @Audited({ action: AuditAction.Update, resource: AuditResource.Student })
  @ApiOperation({ summary: 'Update a student', description: 'Only the fields sent change; null clears an optional field.' })
  @ApiParam({ name: 'id', type: 'integer', description: 'The student\'s id (the `id` of its record).' })
  @ApiOkResponse({ type: StudentDto })
  @ProblemResponses(400, 404, 409)
  updateStudent(@Param('id', IntegerIdParamPipe) id: number, @Body() body: UpdateStudentDto): Promise<StudentDto> {
    return this.students.update(id, body);
  }

  @Delete(':id')
  @Audited({ action: AuditAction.Delete, resource: AuditResource.Student })
  @HttpCode(204)
  @ApiOperation({ summary: 'Soft-delete a student', description: 'The student is hidden from lists and exports until restored.' })
  @ApiParam({ name: 'id', type: 'integer', description: 'The student\'s id (the `id` of its record).' })
  @ApiNoContentResponse({ description: 'Deleted.' })
  @ProblemResponses(400, 404)
  deleteStudent(@Param('id', IntegerIdParamPipe) id: number): Promise<void> {
    return this.students.remove(id);
  }

  @Post(':id/restore')
  @Audited({ action: AuditAction.Restore, resource: AuditResource.Student })
  @HttpCode(200)
  @Authenticated(Role.Admin)
  @ApiOperation({ summary: 'Restore a soft-deleted student', description: 'A student that is not deleted answers 409 `not_deleted`.' })
  @ApiParam({ name: 'id', type: 'integer', description: 'The student\'s id (the `id` of its record).' })
  @ApiOkResponse({ type: StudentDto })
  @ProblemResponses(400, 404, 409)
  restoreStudent(@Param('id', IntegerIdParamPipe) id: number): Promise<StudentDto> {
    return this.students.restore(id);
  }
}
