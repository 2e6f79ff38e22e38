import { ApiProperty, ApiPropertyOptional, PartialType } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsIn, IsOptional, IsString, MaxLength } from 'class-validator';
import { CatalogueField, CatalogueFilter } from '../../common/fields/catalogue-field.decorator';
import { PageQueryDto } from '../../common/pagination/page-query.dto';
import { PageOf } from '../../common/pagination/page.dto';
import { sortValues } from '../../common/pagination/sort';
import { toBoolean, toTrimmed } from '../../common/validation/transforms';
import { STUDENT_FIELDS } from '../student-fields.catalogue';
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
  @CatalogueField(STUDENT_FIELDS.studentId)
  studentId!: string;

  @CatalogueField(STUDENT_FIELDS.email)
  email!: string;

  @CatalogueField(STUDENT_FIELDS.firstName)
  firstName!: string;

  @CatalogueField(STUDENT_FIELDS.lastName)
  lastName!: string;

  @CatalogueField(STUDENT_FIELDS.fatherName)
  fatherName?: string | null;

  @CatalogueField(STUDENT_FIELDS.mobilePhone)
  mobilePhone?: string | null;

  @CatalogueField(STUDENT_FIELDS.phone)
  phone?: string | null;

  /** Not in the future. */
  @CatalogueField(STUDENT_FIELDS.enrollmentDate)
  enrollmentDate?: string | null;

  @CatalogueField(STUDENT_FIELDS.studyYear)
  studyYear?: number | null;

  @CatalogueField(STUDENT_FIELDS.isActive)
  isActive?: boolean;

  @CatalogueField(STUDENT_FIELDS.healthIssue)
  healthIssue?: string | null;

  @CatalogueField(STUDENT_FIELDS.note)
  note?: string | null;

  @CatalogueField(STUDENT_FIELDS.academicYear)
  academicYear?: string | null;

  @CatalogueField(STUDENT_FIELDS.classDivision)
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

  @CatalogueFilter(STUDENT_FIELDS.isActive)
  isActive?: boolean;

  @CatalogueFilter(STUDENT_FIELDS.studyYear)
  studyYear?: number;

  @CatalogueFilter(STUDENT_FIELDS.academicYear)
  academicYear?: string;

  @CatalogueFilter(STUDENT_FIELDS.classDivision)
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
