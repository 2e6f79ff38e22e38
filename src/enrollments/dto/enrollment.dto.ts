import { ApiProperty, ApiPropertyOptional, PartialType, PickType } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsIn, IsOptional } from 'class-validator';
import { catalogueDtoClass } from '../../common/fields/catalogue-dto.factory';
import { CatalogueFilter } from '../../common/fields/catalogue-field.decorator';
import { LastImportDto } from '../../common/last-import.dto';
import { PageQueryDto } from '../../common/pagination/page-query.dto';
import { PageOf } from '../../common/pagination/page.dto';
import { sortValues } from '../../common/pagination/sort';
import { SoftDeletableDto } from '../../common/soft-deletable-dto.mixin';
import { toBoolean } from '../../common/validation/transforms';
import { EnrollmentStatus } from '../enrollment-status.enum';
import { ENROLLMENT_FIELDS } from '../enrollment-fields.catalogue';
import { Enrollment } from '../enrollment.entity';

/** Expects the student and course to be loaded. */
export class EnrollmentDto extends SoftDeletableDto(
  catalogueDtoClass(ENROLLMENT_FIELDS, {
    mode: 'response',
    idExample: 128,
    descriptions: { studentId: "The student's natural key.", courseCode: "The course's natural key." },
    read: {
      studentId: (enrollment: Enrollment) => enrollment.student.studentId,
      courseCode: (enrollment: Enrollment) => enrollment.course.courseCode,
    },
  }),
  '2026-09-11T08:00:00.000Z',
) {
  /** The committed import that last wrote this enrollment; null if none has. */
  @ApiProperty({ type: LastImportDto, nullable: true })
  lastImport!: LastImportDto | null;

  static override from(enrollment: Enrollment): EnrollmentDto {
    return { ...super.from(enrollment), lastImport: LastImportDto.of(enrollment.lastImport) };
  }
}

export const EnrollmentPageDto = PageOf(EnrollmentDto, 'EnrollmentPage');

export class CreateEnrollmentDto extends catalogueDtoClass(ENROLLMENT_FIELDS, {
  mode: 'create',
  asks: ['enrolledAt'],
  descriptions: {
    studentId: "The student's id as on the identity card; Greek or Latin keyboard, any case.",
    courseCode: 'Any case; matched uppercase.',
  },
}) {}

/** The student and course of an enrollment never change; enroll anew instead. */
export class UpdateEnrollmentDto extends PartialType(PickType(CreateEnrollmentDto, ['enrolledAt', 'status'] as const), {
  skipNullProperties: false,
}) {}

export const ENROLLMENT_SORT_FIELDS = ['id', 'enrolledAt', 'status', 'createdAt'] as const;
export const ENROLLMENT_SORTS = sortValues(ENROLLMENT_SORT_FIELDS);

export class EnrollmentListQueryDto extends PageQueryDto {
  @CatalogueFilter(ENROLLMENT_FIELDS.studentId)
  studentId?: string;

  @CatalogueFilter(ENROLLMENT_FIELDS.courseCode)
  courseCode?: string;

  @CatalogueFilter(ENROLLMENT_FIELDS.status)
  status?: EnrollmentStatus;

  /** Admins only: also list soft-deleted enrollments and those of deleted students or courses. */
  @ApiPropertyOptional({ type: Boolean, default: false })
  @IsOptional()
  @Transform(toBoolean)
  @IsBoolean()
  includeDeleted?: boolean;

  /** A field to sort by; a leading `-` sorts descending. */
  @ApiPropertyOptional({ enum: ENROLLMENT_SORTS, enumName: 'EnrollmentSort', default: '-enrolledAt' })
  @IsOptional()
  @IsIn(ENROLLMENT_SORTS)
  sort: (typeof ENROLLMENT_SORTS)[number] = '-enrolledAt';
}
