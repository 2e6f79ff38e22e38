import { ApiProperty, ApiPropertyOptional, PartialType } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsIn, IsOptional, IsString, MaxLength } from 'class-validator';
import { catalogueDtoClass } from '../../common/fields/catalogue-dto.factory';
import { CatalogueFilter } from '../../common/fields/catalogue-field.decorator';
import { LastImportDto } from '../../common/last-import.dto';
import { PageQueryDto } from '../../common/pagination/page-query.dto';
import { PageOf } from '../../common/pagination/page.dto';
import { sortValues } from '../../common/pagination/sort';
import { SoftDeletableDto } from '../../common/soft-deletable-dto.mixin';
import { toBoolean, toTrimmed } from '../../common/validation/transforms';
import { STUDENT_FIELDS } from '../student-fields.catalogue';
import { Student } from '../student.entity';

export class StudentDto extends SoftDeletableDto(
  catalogueDtoClass(STUDENT_FIELDS, {
    mode: 'response',
    idExample: 42,
    descriptions: { studentId: 'Natural key: uppercase, Greek look-alike capitals folded to Latin.' },
  }),
) {
  /** The committed import that last wrote this student; null if none has. */
  @ApiProperty({ type: LastImportDto, nullable: true })
  lastImport!: LastImportDto | null;

  static override from(student: Student): StudentDto {
    return { ...super.from(student), lastImport: LastImportDto.of(student.lastImport) };
  }
}

export const StudentPageDto = PageOf(StudentDto, 'StudentPage');

export class CreateStudentDto extends catalogueDtoClass(STUDENT_FIELDS, {
  mode: 'create',
  descriptions: { studentId: 'Letters of any script, digits, `_` and `-`; stored uppercase with Greek look-alikes folded to Latin.' },
}) {}

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
