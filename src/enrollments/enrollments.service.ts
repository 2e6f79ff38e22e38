import { FilterQuery } from '@mikro-orm/core';
import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { AuthenticatedUser } from '../auth/authenticated-user';
import { Role } from '../auth/role.enum';
import { Page } from '../common/pagination/page.dto';
import { FieldProblem, ProblemException } from '../common/problem/problem.exception';
import { SoftDeletion } from '../common/soft-deletion';
import { CoursesService } from '../courses/courses.service';
import { StudentsService } from '../students/students.service';
import { CreateEnrollmentDto, EnrollmentDto, EnrollmentListQueryDto, UpdateEnrollmentDto } from './dto/enrollment.dto';
import { EnrollmentStatus } from './enrollment-status.enum';
import { Enrollment } from './enrollment.entity';

/** An enrollment is hidden when it, its student or its course is soft-deleted. */
const visible = (): FilterQuery<Enrollment> => ({ deletedAt: null, student: { deletedAt: null }, course: { deletedAt: null } });

@Injectable()
export class EnrollmentsService {
  private readonly deletion: SoftDeletion<Enrollment>;

  constructor(
    private readonly em: EntityManager,
    private readonly students: StudentsService,
    private readonly courses: CoursesService,
  ) {
    this.deletion = new SoftDeletion(em, Enrollment, 'Enrollment', visible(), { populate: ['student', 'course'] as never });
  }

  async list(query: EnrollmentListQueryDto, user: AuthenticatedUser): Promise<Page<EnrollmentDto>> {
    if (query.includeDeleted === true && user.role !== Role.Admin) throw this.deletion.deletedRowsForbidden();
    const filters: FilterQuery<Enrollment>[] = query.includeDeleted === true ? [] : [visible()];
    if (query.studentId !== undefined) filters.push({ student: { studentId: query.studentId } });
    if (query.courseCode !== undefined) filters.push({ course: { courseCode: query.courseCode } });
    if (query.status !== undefined) filters.push({ status: query.status });
    return this.deletion.page({ $and: filters }, query, EnrollmentDto.from, ['student', 'course']);
  }

  async get(id: number, user: AuthenticatedUser): Promise<EnrollmentDto> {
    return EnrollmentDto.from(await this.deletion.find(id, user.role === Role.Admin));
  }

  async create(input: CreateEnrollmentDto): Promise<EnrollmentDto> {
    const student = await this.students.findLiveByStudentId(input.studentId);
    const course = await this.courses.findLiveByCourseCode(input.courseCode);
    if (student === null || course === null) throw unknownReferences(input, student === null, course === null);
    const enrollment = this.em.create(Enrollment, {
      student,
      course,
      enrolledAt: input.enrolledAt,
      status: input.status ?? EnrollmentStatus.Active,
    });
    await this.deletion.flushOrConflict([
      {
        constraint: 'enrollments_student_id_course_id_unique',
        code: 'enrollment_exists',
        holder: { student: student.id, course: course.id },
        what: `The pair of student ${student.studentId} and course ${course.courseCode}`,
      },
    ]);
    return EnrollmentDto.from(enrollment);
  }

  async update(id: number, input: UpdateEnrollmentDto): Promise<EnrollmentDto> {
    const enrollment = await this.deletion.find(id, false);
    this.em.assign(enrollment, input);
    await this.em.flush();
    return EnrollmentDto.from(enrollment);
  }

  async remove(id: number): Promise<void> {
    await this.deletion.remove(id);
  }

  async restore(id: number): Promise<EnrollmentDto> {
    return EnrollmentDto.from(await this.deletion.restore(id));
  }
}

/** A 422 naming every reference that is missing or deleted; `code` names the first, for clients that switch on it. */
function unknownReferences(input: CreateEnrollmentDto, studentMissing: boolean, courseMissing: boolean): ProblemException {
  const errors: FieldProblem[] = [];
  if (studentMissing) {
    errors.push({ field: 'studentId', code: 'unknown_student', message: `No student has the id ${input.studentId}.` });
  }
  if (courseMissing) {
    errors.push({ field: 'courseCode', code: 'unknown_course', message: `No course has the code ${input.courseCode}.` });
  }
  return new ProblemException({
    status: 422,
    code: studentMissing ? 'unknown_student' : 'unknown_course',
    title: 'Unprocessable Content',
    detail: errors.map((error) => error.message).join(' '),
    errors,
  });
}
