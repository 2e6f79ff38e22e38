import { ApiProperty, ApiPropertyOptional, IntersectionType } from '@nestjs/swagger';
import { Transform, TransformFnParams } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsBoolean, IsEnum, IsObject, IsOptional, IsString } from 'class-validator';
import { CatalogueFilter } from '../../common/fields/catalogue-field.decorator';
import { COURSE_FIELDS } from '../../courses/course-fields.catalogue';
import { ENROLLMENT_FIELDS } from '../../enrollments/enrollment-fields.catalogue';
import { STUDENT_FIELDS } from '../../students/student-fields.catalogue';
import { EnrollmentStatus } from '../../enrollments/enrollment-status.enum';
import { IsCalendarDate, IsNotBefore } from '../../common/validation/date.validators';
import { toBoolean } from '../../common/validation/transforms';
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
  @CatalogueFilter(STUDENT_FIELDS.isActive)
  isActive?: boolean;

  @CatalogueFilter(STUDENT_FIELDS.academicYear)
  academicYear?: string;

  @CatalogueFilter(STUDENT_FIELDS.classDivision)
  classDivision?: string;

  @CatalogueFilter(STUDENT_FIELDS.studyYear)
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
  @CatalogueFilter(COURSE_FIELDS.isActive)
  isActive?: boolean;

  @CatalogueFilter(COURSE_FIELDS.semester)
  semester?: string;
}

export class EnrollmentExportFiltersDto extends DeletedRowsFilterDto {
  @CatalogueFilter(ENROLLMENT_FIELDS.studentId)
  studentId?: string;

  /** The course. */
  @CatalogueFilter(ENROLLMENT_FIELDS.courseCode)
  courseCode?: string;

  @CatalogueFilter(ENROLLMENT_FIELDS.status)
  status?: EnrollmentStatus;

  /** The course's semester. */
  @CatalogueFilter(COURSE_FIELDS.semester)
  semester?: string;

  /** The student's academic year. */
  @CatalogueFilter(STUDENT_FIELDS.academicYear)
  academicYear?: string;

  /** The student's class division. */
  @CatalogueFilter(STUDENT_FIELDS.classDivision)
  classDivision?: string;

  @ApiPropertyOptional({ type: String, format: 'date', example: '2026-09-01', description: 'Only enrollments made on or after this date.' })
  @IsOptional()
  @IsCalendarDate()
  enrolledAtFrom?: string;

  @ApiPropertyOptional({ type: String, format: 'date', example: '2026-09-30', description: 'Only enrollments made on or before this date; not before `enrolledAtFrom`.' })
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
  @ApiPropertyOptional({ enum: ExportFormat, enumName: 'ExportFormat', default: ExportFormat.Csv, description: 'The file format.' })
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

