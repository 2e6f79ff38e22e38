import { FilterQuery } from '@mikro-orm/core';
import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { AuthenticatedUser } from '../auth/authenticated-user';
import { Role } from '../auth/role.enum';
import { violatedUniqueConstraint } from '../common/database-errors';
import { containsPattern } from '../common/like-pattern';
import { Page } from '../common/pagination/page.dto';
import { toOrderBy } from '../common/pagination/sort';
import { ProblemException } from '../common/problem/problem.exception';
import { CreateStudentDto, StudentDto, StudentListQueryDto, UpdateStudentDto } from './dto/student.dto';
import { normalizeStudentId } from './student-id';
import { Student } from './student.entity';

const adminOnlyDeleted = (): ProblemException =>
  new ProblemException({ status: 403, code: 'insufficient_role', title: 'Forbidden', detail: 'Only admins may see deleted students.' });

@Injectable()
export class StudentsService {
  constructor(private readonly em: EntityManager) {}

  async list(query: StudentListQueryDto, user: AuthenticatedUser): Promise<Page<StudentDto>> {
    if (query.includeDeleted === true && user.role !== Role.Admin) throw adminOnlyDeleted();
    const where: FilterQuery<Student> = query.includeDeleted === true ? {} : { deletedAt: null };
    if (query.isActive !== undefined) where.isActive = query.isActive;
    if (query.studyYear !== undefined) where.studyYear = query.studyYear;
    if (query.academicYear !== undefined) where.academicYear = query.academicYear;
    if (query.classDivision !== undefined) where.classDivision = query.classDivision;
    if (query.search !== undefined && query.search !== '') {
      const pattern = containsPattern(query.search);
      where.$or = [
        { studentId: { $like: containsPattern(normalizeStudentId(query.search)) } },
        { email: { $ilike: pattern } },
        { firstName: { $ilike: pattern } },
        { lastName: { $ilike: pattern } },
      ];
    }
    const [students, total] = await this.em.findAndCount(Student, where, {
      orderBy: toOrderBy(query.sort),
      limit: query.limit,
      offset: query.offset,
    });
    return { items: students.map(StudentDto.from), total, limit: query.limit, offset: query.offset };
  }

  async get(id: number, user: AuthenticatedUser): Promise<StudentDto> {
    return StudentDto.from(await this.find(id, user.role === Role.Admin));
  }

  async create(input: CreateStudentDto): Promise<StudentDto> {
    const student = this.em.create(Student, { ...input, isActive: input.isActive ?? true });
    await this.flushOrConflict(student);
    return StudentDto.from(student);
  }

  async update(id: number, input: UpdateStudentDto): Promise<StudentDto> {
    const student = await this.find(id, false);
    this.em.assign(student, input);
    await this.flushOrConflict(student);
    return StudentDto.from(student);
  }

  /** Soft delete: the row stays (its enrollments and audit trail still point at it) but is hidden. */
  async remove(id: number): Promise<void> {
    const student = await this.find(id, false);
    student.deletedAt = new Date();
    await this.em.flush();
  }

  async restore(id: number): Promise<StudentDto> {
    const student = await this.find(id, true);
    if (student.deletedAt == null) throw ProblemException.conflict('not_deleted', `Student ${id} is not deleted.`);
    student.deletedAt = null;
    await this.em.flush();
    return StudentDto.from(student);
  }

  private async find(id: number, includeDeleted: boolean): Promise<Student> {
    const student = await this.em.findOne(Student, includeDeleted ? { id } : { id, deletedAt: null });
    if (student === null) throw ProblemException.notFound(`Student ${id}`);
    return student;
  }

  private async flushOrConflict(student: Student): Promise<void> {
    try {
      await this.em.flush();
    } catch (error) {
      const constraint = violatedUniqueConstraint(error);
      if (constraint === undefined) throw error;
      this.em.clear();
      if (constraint === 'students_email_unique') {
        throw ProblemException.conflict('student_email_taken', await this.describeOwner({ email: student.email }, `The email ${student.email}`));
      }
      throw ProblemException.conflict('student_id_taken', await this.describeOwner({ studentId: student.studentId }, `The student id ${student.studentId}`));
    }
  }

  /** Names who holds a natural key, and whether that student is deleted (then restore is the way back). */
  private async describeOwner(where: FilterQuery<Student>, what: string): Promise<string> {
    const owner = await this.em.findOne(Student, where, { fields: ['id', 'deletedAt'] });
    if (owner === null) return `${what} is already in use.`;
    return owner.deletedAt == null
      ? `${what} belongs to student ${owner.id}.`
      : `${what} belongs to deleted student ${owner.id}; restore that student instead.`;
  }
}
