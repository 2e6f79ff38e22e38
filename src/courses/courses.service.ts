import { FilterQuery } from '@mikro-orm/core';
import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { AuthenticatedUser } from '../auth/authenticated-user';
import { Role } from '../auth/role.enum';
import { containsPattern } from '../common/like-pattern';
import { Page } from '../common/pagination/page.dto';
import { SoftDeletion } from '../common/soft-deletion';
import { normalizeCourseCode } from './course-code';
import { Course } from './course.entity';
import { CourseDto, CourseListQueryDto, CreateCourseDto, UpdateCourseDto } from './dto/course.dto';

@Injectable()
export class CoursesService {
  private readonly deletion: SoftDeletion<Course>;

  constructor(private readonly em: EntityManager) {
    this.deletion = new SoftDeletion(em, Course, 'Course');
  }

  async list(query: CourseListQueryDto, user: AuthenticatedUser): Promise<Page<CourseDto>> {
    if (query.includeDeleted === true && user.role !== Role.Admin) throw this.deletion.deletedRowsForbidden();
    const where: FilterQuery<Course> = query.includeDeleted === true ? {} : { deletedAt: null };
    if (query.semester !== undefined) where.semester = query.semester;
    if (query.isActive !== undefined) where.isActive = query.isActive;
    if (query.search !== undefined && query.search !== '') {
      const pattern = containsPattern(query.search);
      where.$or = [{ courseCode: { $ilike: pattern } }, { courseName: { $ilike: pattern } }];
    }
    return this.deletion.page(where, query, CourseDto.from);
  }

  async get(id: number, user: AuthenticatedUser): Promise<CourseDto> {
    return CourseDto.from(await this.deletion.find(id, user.role === Role.Admin));
  }

  async create(input: CreateCourseDto): Promise<CourseDto> {
    const course = this.em.create(Course, { ...input, credits: input.credits ?? 3, isActive: input.isActive ?? true });
    await this.flushOrConflict(course);
    return CourseDto.from(course);
  }

  async update(id: number, input: UpdateCourseDto): Promise<CourseDto> {
    const course = await this.deletion.find(id, false);
    this.em.assign(course, input);
    await this.flushOrConflict(course);
    return CourseDto.from(course);
  }

  async remove(id: number): Promise<void> {
    await this.deletion.remove(id);
  }

  async restore(id: number): Promise<CourseDto> {
    return CourseDto.from(await this.deletion.restore(id));
  }

  /** The live (not deleted) course with this code, for modules that reference courses. */
  async findLiveByCourseCode(courseCode: string): Promise<Course | null> {
    return this.em.findOne(Course, { courseCode: normalizeCourseCode(courseCode), deletedAt: null });
  }

  private async flushOrConflict(course: Course): Promise<void> {
    await this.deletion.flushOrConflict([
      { constraint: 'courses_course_code_unique', code: 'course_code_taken', holder: { courseCode: course.courseCode }, what: `The course code ${course.courseCode}` },
    ]);
  }

}
