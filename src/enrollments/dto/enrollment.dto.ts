import { ApiProperty, ApiPropertyOptional, PartialType, PickType } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsIn, IsOptional } from 'class-validator';
import { CatalogueField, CatalogueFilter } from '../../common/fields/catalogue-field.decorator';
import { PageQueryDto } from '../../common/pagination/page-query.dto';
import { PageOf } from '../../common/pagination/page.dto';
import { sortValues } from '../../common/pagination/sort';
import { IsCalendarDate, IsNotFutureDate } from '../../common/validation/date.validators';
import { toBoolean } from '../../common/validation/transforms';
import { EnrollmentStatus } from '../enrollment-status.enum';
import { ENROLLMENT_FIELDS } from '../enrollment-fields.catalogue';
import { Enrollment } from '../enrollment.entity';

export class EnrollmentDto {
  @ApiProperty({ type: 'integer', example: 128 })
  id!: number;

  /** The student's natural key. */
  @ApiProperty({ example: 'AB123456' })
  studentId!: string;

  /** The course's natural key. */
  @ApiProperty({ example: 'MATH101' })
  courseCode!: string;

  @ApiProperty({ type: String, format: 'date', example: '2026-09-11' })
  enrolledAt!: string;

  @ApiProperty({ enum: EnrollmentStatus, enumName: 'EnrollmentStatus', example: EnrollmentStatus.Active })
  status!: EnrollmentStatus;

  @ApiProperty({ type: Date, nullable: true, example: null })
  deletedAt!: Date | null;

  @ApiProperty({ example: '2026-09-11T08:00:00.000Z' })
  createdAt!: Date;

  @ApiProperty({ example: '2026-09-11T08:00:00.000Z' })
  updatedAt!: Date;

  /** Expects the student and course to be loaded. */
  static from(enrollment: Enrollment): EnrollmentDto {
    return {
      id: enrollment.id,
      studentId: enrollment.student.studentId,
      courseCode: enrollment.course.courseCode,
      enrolledAt: enrollment.enrolledAt,
      status: enrollment.status,
      deletedAt: enrollment.deletedAt ?? null,
      createdAt: enrollment.createdAt,
      updatedAt: enrollment.updatedAt,
    };
  }
}

export const EnrollmentPageDto = PageOf(EnrollmentDto, 'EnrollmentPage');

export class CreateEnrollmentDto {
  /** The student's id as on the identity card; Greek or Latin keyboard, any case. */
  @CatalogueField(ENROLLMENT_FIELDS.studentId)
  studentId!: string;

  /** Any case; matched uppercase. */
  @CatalogueField(ENROLLMENT_FIELDS.courseCode)
  courseCode!: string;

  /** Not in the future. */
  @ApiProperty({ type: String, format: 'date', example: '2026-09-11' })
  @IsCalendarDate()
  @IsNotFutureDate()
  enrolledAt!: string;

  @CatalogueField(ENROLLMENT_FIELDS.status)
  status?: EnrollmentStatus;
}

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
