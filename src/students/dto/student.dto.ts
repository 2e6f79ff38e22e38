import { ApiProperty, ApiPropertyOptional, PartialType } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsEmail, IsIn, IsInt, IsNotEmpty, IsOptional, IsString, Matches, Max, MaxLength, Min } from 'class-validator';
import { IsOmittable } from '../../common/validation/omittable.decorator';
import { PageQueryDto } from '../../common/pagination/page-query.dto';
import { PageOf } from '../../common/pagination/page.dto';
import { sortValues } from '../../common/pagination/sort';
import { IsCalendarDate, IsNotFutureDate } from '../../common/validation/date.validators';
import { toBoolean, toInteger, toTrimmed, toTrimmedLowercase, toTrimmedOrNull } from '../../common/validation/transforms';
import { STUDENT_ID_MAX_LENGTH, STUDENT_ID_PATTERN, toStudentId } from '../student-id';
import { Student } from '../student.entity';

export class StudentDto {
  @ApiProperty({ type: 'integer', example: 42 })
  id!: number;

  /** Natural key: uppercase, Greek look-alike capitals folded to Latin. */
  @ApiProperty({ example: 'AB123456' })
  studentId!: string;

  @ApiProperty({ example: 'maria.papadopoulou@school.example' })
  email!: string;

  @ApiProperty({ example: 'Μαρία' })
  firstName!: string;

  @ApiProperty({ example: 'Παπαδοπούλου' })
  lastName!: string;

  @ApiProperty({ type: String, nullable: true, example: 'Γεώργιος' })
  fatherName!: string | null;

  @ApiProperty({ type: String, nullable: true, example: '+30 690 1234567' })
  mobilePhone!: string | null;

  @ApiProperty({ type: String, nullable: true, example: '+30 210 1234567' })
  phone!: string | null;

  @ApiProperty({ type: String, format: 'date', nullable: true, example: '2026-09-01' })
  enrollmentDate!: string | null;

  @ApiProperty({ type: 'integer', nullable: true, minimum: 1, maximum: 6, example: 1 })
  studyYear!: number | null;

  @ApiProperty({ example: true })
  isActive!: boolean;

  @ApiProperty({ type: String, nullable: true, example: null })
  healthIssue!: string | null;

  @ApiProperty({ type: String, nullable: true, example: null })
  note!: string | null;

  @ApiProperty({ type: String, nullable: true, example: '2026-2027' })
  academicYear!: string | null;

  @ApiProperty({ type: String, nullable: true, example: 'A1' })
  classDivision!: string | null;

  @ApiProperty({ type: Date, nullable: true, example: null })
  deletedAt!: Date | null;

  @ApiProperty({ example: '2026-09-01T08:00:00.000Z' })
  createdAt!: Date;

  @ApiProperty({ example: '2026-09-01T08:00:00.000Z' })
  updatedAt!: Date;

  static from(student: Student): StudentDto {
    return {
      id: student.id,
      studentId: student.studentId,
      email: student.email,
      firstName: student.firstName,
      lastName: student.lastName,
      fatherName: student.fatherName ?? null,
      mobilePhone: student.mobilePhone ?? null,
      phone: student.phone ?? null,
      enrollmentDate: student.enrollmentDate ?? null,
      studyYear: student.studyYear ?? null,
      isActive: student.isActive,
      healthIssue: student.healthIssue ?? null,
      note: student.note ?? null,
      academicYear: student.academicYear ?? null,
      classDivision: student.classDivision ?? null,
      deletedAt: student.deletedAt ?? null,
      createdAt: student.createdAt,
      updatedAt: student.updatedAt,
    };
  }
}

export const StudentPageDto = PageOf(StudentDto, 'StudentPage');

export class CreateStudentDto {
  /** Letters of any script, digits, `_` and `-`; stored uppercase with Greek look-alikes folded to Latin. */
  @ApiProperty({ maxLength: STUDENT_ID_MAX_LENGTH, example: 'ΑΒ123456' })
  @Transform(toStudentId)
  @IsString()
  @IsNotEmpty()
  @MaxLength(STUDENT_ID_MAX_LENGTH)
  @Matches(STUDENT_ID_PATTERN, { message: 'studentId may contain only letters, digits, "_" and "-"' })
  studentId!: string;

  @ApiProperty({ maxLength: 254, example: 'maria.papadopoulou@school.example' })
  @Transform(toTrimmedLowercase)
  @IsEmail()
  @MaxLength(254)
  email!: string;

  @ApiProperty({ maxLength: 100, example: 'Μαρία' })
  @Transform(toTrimmed)
  @IsString()
  @IsNotEmpty()
  @MaxLength(100)
  firstName!: string;

  @ApiProperty({ maxLength: 100, example: 'Παπαδοπούλου' })
  @Transform(toTrimmed)
  @IsString()
  @IsNotEmpty()
  @MaxLength(100)
  lastName!: string;

  @ApiPropertyOptional({ type: String, nullable: true, maxLength: 100, example: 'Γεώργιος' })
  @Transform(toTrimmedOrNull)
  @IsOptional()
  @IsString()
  @MaxLength(100)
  fatherName?: string | null;

  @ApiPropertyOptional({ type: String, nullable: true, maxLength: 30, example: '+30 690 1234567' })
  @Transform(toTrimmedOrNull)
  @IsOptional()
  @IsString()
  @MaxLength(30)
  mobilePhone?: string | null;

  @ApiPropertyOptional({ type: String, nullable: true, maxLength: 30, example: '+30 210 1234567' })
  @Transform(toTrimmedOrNull)
  @IsOptional()
  @IsString()
  @MaxLength(30)
  phone?: string | null;

  /** Not in the future. */
  @ApiPropertyOptional({ type: String, format: 'date', nullable: true, example: '2026-09-01' })
  @IsOptional()
  @IsCalendarDate()
  @IsNotFutureDate()
  enrollmentDate?: string | null;

  @ApiPropertyOptional({ type: 'integer', nullable: true, minimum: 1, maximum: 6, example: 1 })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(6)
  studyYear?: number | null;

  @ApiPropertyOptional({ default: true })
  @IsOmittable()
  @IsBoolean()
  isActive?: boolean;

  @ApiPropertyOptional({ type: String, nullable: true, maxLength: 2000 })
  @Transform(toTrimmedOrNull)
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  healthIssue?: string | null;

  @ApiPropertyOptional({ type: String, nullable: true, maxLength: 2000 })
  @Transform(toTrimmedOrNull)
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  note?: string | null;

  @ApiPropertyOptional({ type: String, nullable: true, maxLength: 20, example: '2026-2027' })
  @Transform(toTrimmedOrNull)
  @IsOptional()
  @IsString()
  @MaxLength(20)
  academicYear?: string | null;

  @ApiPropertyOptional({ type: String, nullable: true, maxLength: 20, example: 'A1' })
  @Transform(toTrimmedOrNull)
  @IsOptional()
  @IsString()
  @MaxLength(20)
  classDivision?: string | null;
}

/** Only the fields sent change; `null` clears an optional field. */
export class UpdateStudentDto extends PartialType(CreateStudentDto, { skipNullProperties: false }) {}

export const STUDENT_SORT_FIELDS = ['id', 'studentId', 'lastName', 'firstName', 'email', 'studyYear', 'enrollmentDate', 'createdAt', 'updatedAt'] as const;
export const STUDENT_SORTS = sortValues(STUDENT_SORT_FIELDS);

export class StudentListQueryDto extends PageQueryDto {
  /** Part of the student id, name or email, case-insensitive. */
  @ApiPropertyOptional({ maxLength: 100, example: 'papad' })
  @Transform(toTrimmed)
  @IsOptional()
  @IsString()
  @MaxLength(100)
  search?: string;

  @ApiPropertyOptional({ type: Boolean })
  @IsOptional()
  @Transform(toBoolean)
  @IsBoolean()
  isActive?: boolean;

  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: 6 })
  @IsOptional()
  @Transform(toInteger)
  @IsInt()
  @Min(1)
  @Max(6)
  studyYear?: number;

  @ApiPropertyOptional({ maxLength: 20, example: '2026-2027' })
  @IsOptional()
  @IsString()
  @MaxLength(20)
  academicYear?: string;

  @ApiPropertyOptional({ maxLength: 20, example: 'A1' })
  @IsOptional()
  @IsString()
  @MaxLength(20)
  classDivision?: string;

  /** Admins only: also list soft-deleted students. */
  @ApiPropertyOptional({ type: Boolean, default: false })
  @IsOptional()
  @Transform(toBoolean)
  @IsBoolean()
  includeDeleted?: boolean;

  /** A field to sort by; a leading `-` sorts descending. */
  @ApiPropertyOptional({ enum: STUDENT_SORTS, enumName: 'StudentSort', default: 'lastName' })
  @IsOptional()
  @IsIn(STUDENT_SORTS)
  sort: (typeof STUDENT_SORTS)[number] = 'lastName';
}
