import { ApiProperty, ApiPropertyOptional, IntersectionType } from '@nestjs/swagger';
import { Transform, TransformFnParams } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsBoolean, IsEnum, IsInt, IsObject, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { COURSE_CODE_MAX_LENGTH, toCourseCode } from '../../courses/course-code';
import { SEMESTER_MAX_LENGTH } from '../../courses/course-fields.catalogue';
import { EnrollmentStatus } from '../../enrollments/enrollment-status.enum';
import { STUDENT_ID_MAX_LENGTH, toStudentId } from '../../students/student-id';
import { IsCalendarDate, IsNotBefore } from '../../common/validation/date.validators';
import { toBoolean, toInteger, toTrimmed } from '../../common/validation/transforms';
import { ExportEntity, ExportFormat, ExportLanguage } from '../export.enums';

/** `fields=studentId, lastName` → `['studentId', 'lastName']`. */
const toFieldList = ({ value }: TransformFnParams): unknown =>
  typeof value === 'string' ? value.split(',').map((field) => field.trim()).filter((field) => field !== '') : value;

const MAX_FIELDS = 50;

/** Filters every export takes. */
class DeletedRowsFilterDto {
  /** Admins only: also export soft-deleted rows. */
  @ApiPropertyOptional({ type: Boolean, default: false })
  @IsOptional()
  @Transform(toBoolean)
  @IsBoolean()
  includeDeleted?: boolean;
}

export class StudentExportFiltersDto extends DeletedRowsFilterDto {
  @ApiPropertyOptional({ type: Boolean })
  @IsOptional()
  @Transform(toBoolean)
  @IsBoolean()
  isActive?: boolean;

  @ApiPropertyOptional({ maxLength: 20, example: '2026-2027' })
  @Transform(toTrimmed)
  @IsOptional()
  @IsString()
  @MaxLength(20)
  academicYear?: string;

  @ApiPropertyOptional({ maxLength: 20, example: 'A1' })
  @Transform(toTrimmed)
  @IsOptional()
  @IsString()
  @MaxLength(20)
  classDivision?: string;

  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: 6 })
  @IsOptional()
  @Transform(toInteger)
  @IsInt()
  @Min(1)
  @Max(6)
  studyYear?: number;

  /** Enrolled on or after this day. */
  @ApiPropertyOptional({ type: String, format: 'date', example: '2026-09-01' })
  @IsOptional()
  @IsCalendarDate()
  enrollmentDateFrom?: string;

  /** Enrolled on or before this day. */
  @ApiPropertyOptional({ type: String, format: 'date', example: '2026-09-30' })
  @IsOptional()
  @IsCalendarDate()
  @IsNotBefore('enrollmentDateFrom')
  enrollmentDateTo?: string;
}

export class CourseExportFiltersDto extends DeletedRowsFilterDto {
  @ApiPropertyOptional({ type: Boolean })
  @IsOptional()
  @Transform(toBoolean)
  @IsBoolean()
  isActive?: boolean;

  @ApiPropertyOptional({ maxLength: SEMESTER_MAX_LENGTH, example: 'Α΄ Τετράμηνο 2026-2027' })
  @Transform(toTrimmed)
  @IsOptional()
  @IsString()
  @MaxLength(SEMESTER_MAX_LENGTH)
  semester?: string;
}

export class EnrollmentExportFiltersDto extends DeletedRowsFilterDto {
  @ApiPropertyOptional({ maxLength: STUDENT_ID_MAX_LENGTH, example: 'AB123456' })
  @Transform(toStudentId)
  @IsOptional()
  @IsString()
  @MaxLength(STUDENT_ID_MAX_LENGTH)
  studentId?: string;

  /** The course. */
  @ApiPropertyOptional({ maxLength: COURSE_CODE_MAX_LENGTH, example: 'MATH101' })
  @Transform(toCourseCode)
  @IsOptional()
  @IsString()
  @MaxLength(COURSE_CODE_MAX_LENGTH)
  courseCode?: string;

  @ApiPropertyOptional({ enum: EnrollmentStatus, enumName: 'EnrollmentStatus' })
  @IsOptional()
  @IsEnum(EnrollmentStatus)
  status?: EnrollmentStatus;

  /** The course's semester. */
  @ApiPropertyOptional({ maxLength: SEMESTER_MAX_LENGTH, example: 'Α΄ Τετράμηνο 2026-2027' })
  @Transform(toTrimmed)
  @IsOptional()
  @IsString()
  @MaxLength(SEMESTER_MAX_LENGTH)
  semester?: string;

  /** The student's academic year. */
  @ApiPropertyOptional({ maxLength: 20, example: '2026-2027' })
  @Transform(toTrimmed)
  @IsOptional()
  @IsString()
  @MaxLength(20)
  academicYear?: string;

  /** The student's class division. */
  @ApiPropertyOptional({ maxLength: 20, example: 'A1' })
  @Transform(toTrimmed)
  @IsOptional()
  @IsString()
  @MaxLength(20)
  classDivision?: string;

  @ApiPropertyOptional({ type: String, format: 'date', example: '2026-09-01' })
  @IsOptional()
  @IsCalendarDate()
  enrolledAtFrom?: string;

  @ApiPropertyOptional({ type: String, format: 'date', example: '2026-09-30' })
  @IsOptional()
  @IsCalendarDate()
  @IsNotBefore('enrolledAtFrom')
  enrolledAtTo?: string;
}

export const EXPORT_FILTER_TYPES = {
  [ExportEntity.Students]: StudentExportFiltersDto,
  [ExportEntity.Courses]: CourseExportFiltersDto,
  [ExportEntity.Enrollments]: EnrollmentExportFiltersDto,
} as const;

/** How the file is written, whatever is exported. */
export class ExportOptionsDto {
  @ApiPropertyOptional({ enum: ExportFormat, enumName: 'ExportFormat', default: ExportFormat.Csv })
  @IsOptional()
  @IsEnum(ExportFormat)
  format: ExportFormat = ExportFormat.Csv;

  /** Comma-separated field names (camelCase, as in the API), in the order wanted; by default every regular field. */
  @ApiPropertyOptional({ type: String, example: 'studentId,lastName,firstName,email' })
  @IsOptional()
  @Transform(toFieldList)
  @IsArray()
  @ArrayMaxSize(MAX_FIELDS)
  @IsString({ each: true })
  fields?: string[];

  /** Language of CSV and XLSX labels; by default from `Accept-Language`, else English. */
  @ApiPropertyOptional({ enum: ExportLanguage, enumName: 'ExportLanguage' })
  @IsOptional()
  @IsEnum(ExportLanguage)
  lang?: ExportLanguage;

  /** CSV only: start with a UTF-8 byte order mark, which Excel needs to read Greek text right. */
  @ApiPropertyOptional({ type: Boolean, default: false })
  @IsOptional()
  @Transform(toBoolean)
  @IsBoolean()
  bom?: boolean;
}

export class StudentExportQueryDto extends IntersectionType(ExportOptionsDto, StudentExportFiltersDto) {}
export class CourseExportQueryDto extends IntersectionType(ExportOptionsDto, CourseExportFiltersDto) {}
export class EnrollmentExportQueryDto extends IntersectionType(ExportOptionsDto, EnrollmentExportFiltersDto) {}

/** A large export run as a job; the filters are those of the entity's GET export. */
export class CreateExportJobDto {
  @ApiProperty({ enum: ExportEntity, enumName: 'ExportEntity', example: ExportEntity.Students })
  @IsEnum(ExportEntity)
  entity!: ExportEntity;

  @ApiPropertyOptional({ enum: ExportFormat, enumName: 'ExportFormat', default: ExportFormat.Csv })
  @IsOptional()
  @IsEnum(ExportFormat)
  format: ExportFormat = ExportFormat.Csv;

  /** The filters of `GET /exports/{entity}` as an object, e.g. `{ "isActive": true, "academicYear": "2026-2027" }`. */
  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: true,
    example: { isActive: true, academicYear: '2026-2027' },
  })
  @IsOptional()
  @IsObject()
  filters?: Record<string, unknown>;

  /** Field names in the order wanted; by default every regular field. */
  @ApiPropertyOptional({ type: [String], example: ['studentId', 'lastName', 'firstName', 'email'] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(MAX_FIELDS)
  @IsString({ each: true })
  fields?: string[];

  @ApiPropertyOptional({ enum: ExportLanguage, enumName: 'ExportLanguage' })
  @IsOptional()
  @IsEnum(ExportLanguage)
  lang?: ExportLanguage;

  @ApiPropertyOptional({ type: Boolean, default: false })
  @IsOptional()
  @IsBoolean()
  bom?: boolean;
}

