import { ApiProperty, ApiPropertyOptional, PartialType } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayUnique,
  IsArray,
  IsBoolean,
  IsIn,
  IsNotEmpty,
  IsNumber,
  IsOptional,
  IsString,
  Max,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import { CatalogueField, CatalogueFilter } from '../../common/fields/catalogue-field.decorator';
import { PageQueryDto } from '../../common/pagination/page-query.dto';
import { PageOf } from '../../common/pagination/page.dto';
import { sortValues } from '../../common/pagination/sort';
import { toBoolean, toTrimmed } from '../../common/validation/transforms';
import { COURSE_FIELDS } from '../course-fields.catalogue';
import { Course } from '../course.entity';
import { WeightsSumTo100 } from '../evaluation-rules';

export const MAX_EVALUATION_RULES = 20;

/** Optional but never null: the column has a default, so leaving it out is how to get that default. */

export class EvaluationRuleDto {
  @ApiProperty({ minLength: 1, maxLength: 50, example: 'Γραπτές εξετάσεις' })
  @Transform(toTrimmed)
  @IsString()
  @IsNotEmpty()
  @MaxLength(50)
  category!: string;

  /** Percentage of the final grade; the weights of a course add up to 100. */
  @ApiProperty({ minimum: 0, maximum: 100, example: 70 })
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0)
  @Max(100)
  weight!: number;
}

export class CourseDto {
  @ApiProperty({ type: 'integer', example: 7 })
  id!: number;

  /** Natural key, uppercase. */
  @ApiProperty({ example: 'MATH101' })
  courseCode!: string;

  @ApiProperty({ example: 'Άλγεβρα Α΄ Λυκείου' })
  courseName!: string;

  @ApiProperty({ example: 'Α΄ Τετράμηνο 2026-2027' })
  semester!: string;

  @ApiProperty({ type: 'integer', minimum: 0, maximum: 60, example: 3 })
  credits!: number;

  @ApiProperty({ type: String, nullable: true, example: 'Εξισώσεις, ανισώσεις και συναρτήσεις.' })
  description!: string | null;

  @ApiProperty({ type: 'integer', nullable: true, minimum: 0, maximum: 60, example: 4 })
  hoursPerWeek!: number | null;

  @ApiProperty({ type: 'integer', nullable: true, minimum: 0, maximum: 60, example: 5 })
  periodsPerWeek!: number | null;

  @ApiProperty({
    type: [EvaluationRuleDto],
    nullable: true,
    example: [
      { category: 'Γραπτές εξετάσεις', weight: 70 },
      { category: 'Προφορική εξέταση', weight: 30 },
    ],
  })
  evaluationRules!: EvaluationRuleDto[] | null;

  @ApiProperty({ example: true })
  isActive!: boolean;

  @ApiProperty({ type: Date, nullable: true, example: null })
  deletedAt!: Date | null;

  @ApiProperty({ example: '2026-09-01T08:00:00.000Z' })
  createdAt!: Date;

  @ApiProperty({ example: '2026-09-01T08:00:00.000Z' })
  updatedAt!: Date;

  static from(course: Course): CourseDto {
    return {
      id: course.id,
      courseCode: course.courseCode,
      courseName: course.courseName,
      semester: course.semester,
      credits: course.credits,
      description: course.description ?? null,
      hoursPerWeek: course.hoursPerWeek ?? null,
      periodsPerWeek: course.periodsPerWeek ?? null,
      evaluationRules: course.evaluationRules?.map(({ category, weight }) => ({ category, weight })) ?? null,
      isActive: course.isActive,
      deletedAt: course.deletedAt ?? null,
      createdAt: course.createdAt,
      updatedAt: course.updatedAt,
    };
  }
}

export const CoursePageDto = PageOf(CourseDto, 'CoursePage');

export class CreateCourseDto {
  /** Letters of any script, digits, `_`, `-` and `.`; stored uppercase. */
  @CatalogueField(COURSE_FIELDS.courseCode)
  courseCode!: string;

  @CatalogueField(COURSE_FIELDS.courseName)
  courseName!: string;

  @CatalogueField(COURSE_FIELDS.semester)
  semester!: string;

  @CatalogueField(COURSE_FIELDS.credits)
  credits?: number;

  @CatalogueField(COURSE_FIELDS.description)
  description?: string | null;

  @CatalogueField(COURSE_FIELDS.hoursPerWeek)
  hoursPerWeek?: number | null;

  @CatalogueField(COURSE_FIELDS.periodsPerWeek)
  periodsPerWeek?: number | null;

  /** How the final grade is made up: distinct categories whose weights add up to 100. */
  @ApiPropertyOptional({
    type: [EvaluationRuleDto],
    nullable: true,
    maxItems: MAX_EVALUATION_RULES,
    example: [
      { category: 'Γραπτές εξετάσεις', weight: 70 },
      { category: 'Προφορική εξέταση', weight: 30 },
    ],
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(MAX_EVALUATION_RULES)
  @ValidateNested({ each: true })
  @Type(() => EvaluationRuleDto)
  @ArrayUnique((rule: { category?: unknown }) => (typeof rule.category === 'string' ? rule.category.toLowerCase() : rule), {
    message: 'evaluationRules categories must be unique',
  })
  @WeightsSumTo100()
  evaluationRules?: EvaluationRuleDto[] | null;

  @CatalogueField(COURSE_FIELDS.isActive)
  isActive?: boolean;
}

/** Only the fields sent change; `null` clears an optional field. */
export class UpdateCourseDto extends PartialType(CreateCourseDto, { skipNullProperties: false }) {}

export const COURSE_SORT_FIELDS = ['id', 'courseCode', 'courseName', 'semester', 'credits', 'createdAt', 'updatedAt'] as const;
export const COURSE_SORTS = sortValues(COURSE_SORT_FIELDS);

export class CourseListQueryDto extends PageQueryDto {
  /** Part of the course code or name, case-insensitive. */
  @ApiPropertyOptional({ maxLength: 100, example: 'άλγεβρα' })
  @Transform(toTrimmed)
  @IsOptional()
  @IsString()
  @MaxLength(100)
  search?: string;

  @CatalogueFilter(COURSE_FIELDS.semester)
  semester?: string;

  @CatalogueFilter(COURSE_FIELDS.isActive)
  isActive?: boolean;

  /** Admins only: also list soft-deleted courses. */
  @ApiPropertyOptional({ type: Boolean, default: false })
  @IsOptional()
  @Transform(toBoolean)
  @IsBoolean()
  includeDeleted?: boolean;

  /** A field to sort by; a leading `-` sorts descending. */
  @ApiPropertyOptional({ enum: COURSE_SORTS, enumName: 'CourseSort', default: 'courseCode' })
  @IsOptional()
  @IsIn(COURSE_SORTS)
  sort: (typeof COURSE_SORTS)[number] = 'courseCode';
}
