import { FilterQuery } from '@mikro-orm/core';
import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { AuthenticatedUser } from '../auth/authenticated-user';
import { Role } from '../auth/role.enum';
import { containsPattern } from '../common/like-pattern';
import { Page } from '../common/pagination/page.dto';
import { SoftDeletion } from '../common/soft-deletion';
import { CreateStudentDto, StudentDto, StudentListQueryDto, UpdateStudentDto } from './dto/student.dto';
import { normalizeStudentId } from './student-id';
import { Student } from './student.entity';

@Injectable()
export class StudentsService {
  private readonly deletion: SoftDeletion<Student>;

  constructor(private readonly em: EntityManager) {
    this.deletion = new SoftDeletion(em, Student, 'Student');
  }

  async list(query: StudentListQueryDto, user: AuthenticatedUser): Promise<Page<StudentDto>> {
    if (query.includeDeleted === true && user.role !== Role.Admin) throw this.deletion.deletedRowsForbidden();
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
    return this.deletion.page(where, query, StudentDto.from);
  }

  async get(id: number, user: AuthenticatedUser): Promise<StudentDto> {
    return StudentDto.from(await this.deletion.find(id, user.role === Role.Admin));
  }

  async create(input: CreateStudentDto): Promise<StudentDto> {
    const student = this.em.create(Student, { ...input, isActive: input.isActive ?? true });
    await this.flushOrConflict(student);
    return StudentDto.from(student);
  }

  async update(id: number, input: UpdateStudentDto): Promise<StudentDto> {
    const student = await this.deletion.find(id, false);
    this.em.assign(student, input);
    await this.flushOrConflict(student);
    return StudentDto.from(student);
  }

  async remove(id: number): Promise<void> {
    await this.deletion.remove(id);
  }

  async restore(id: number): Promise<StudentDto> {
    return StudentDto.from(await this.deletion.restore(id));
  }

  /** The live (not deleted) student with this natural key, for modules that reference students. */
  async findLiveByStudentId(studentId: string): Promise<Student | null> {
    return this.em.findOne(Student, { studentId: normalizeStudentId(studentId), deletedAt: null });
  }

  /** Both natural keys of a student: the one whose unique constraint broke names the 409. */
  private async flushOrConflict(student: Student): Promise<void> {
    await this.deletion.flushOrConflict([
      { constraint: 'students_email_unique', code: 'student_email_taken', holder: { email: student.email }, what: `The email ${student.email}` },
      { constraint: 'students_student_id_unique', code: 'student_id_taken', holder: { studentId: student.studentId }, what: `The student id ${student.studentId}` },
    ]);
  }
}
