import { applyDecorators } from '@nestjs/common';
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
import { catalogueDtoClass } from '../../common/fields/catalogue-dto.factory';
import { CatalogueFilter } from '../../common/fields/catalogue-field.decorator';
import { LastImportDto } from '../../common/last-import.dto';
import { PageQueryDto } from '../../common/pagination/page-query.dto';
import { PageOf } from '../../common/pagination/page.dto';
import { sortValues } from '../../common/pagination/sort';
import { SoftDeletableDto } from '../../common/soft-deletable-dto.mixin';
import { toBoolean, toTrimmed } from '../../common/validation/transforms';
import { COURSE_FIELDS } from '../course-fields.catalogue';
import { Course } from '../course.entity';
import { MAX_EVALUATION_RULES, WeightsSumTo100 } from '../evaluation-rules';

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

const EVALUATION_RULES_EXAMPLE = [
  { category: 'Γραπτές εξετάσεις', weight: 70 },
  { category: 'Προφορική εξέταση', weight: 30 },
];

export class CourseDto extends SoftDeletableDto(
  catalogueDtoClass(COURSE_FIELDS, {
    mode: 'response',
    idExample: 7,
    descriptions: { courseCode: 'Natural key, uppercase.' },
    decorators: { evaluationRules: ApiProperty({ type: [EvaluationRuleDto], nullable: true, example: EVALUATION_RULES_EXAMPLE }) },
    read: { evaluationRules: (course: Course) => course.evaluationRules?.map(({ category, weight }) => ({ category, weight })) ?? null },
  }),
) {
  /** The committed import that last wrote this course; null if none has. */
  @ApiProperty({ type: LastImportDto, nullable: true })
  lastImport!: LastImportDto | null;

  static override from(course: Course): CourseDto {
    return { ...super.from(course), lastImport: LastImportDto.of(course.lastImport) };
  }
}

export const CoursePageDto = PageOf(CourseDto, 'CoursePage');

export class CreateCourseDto extends catalogueDtoClass(COURSE_FIELDS, {
  mode: 'create',
  descriptions: { courseCode: 'Letters of any script, digits, `_`, `-` and `.`; stored uppercase.' },
  decorators: {
    evaluationRules: applyDecorators(
      ApiPropertyOptional({
        type: [EvaluationRuleDto],
        nullable: true,
        description: 'How the final grade is made up: distinct categories whose weights add up to 100.',
        uniqueItems: true,
        maxItems: MAX_EVALUATION_RULES,
        example: EVALUATION_RULES_EXAMPLE,
      }),
      IsOptional(),
      IsArray(),
      ArrayMaxSize(MAX_EVALUATION_RULES),
      ValidateNested({ each: true }),
      Type(() => EvaluationRuleDto),
      ArrayUnique((rule: { category?: unknown }) => (typeof rule.category === 'string' ? rule.category.toLowerCase() : rule), {
        message: 'evaluationRules categories must be unique',
      }),
      WeightsSumTo100(),
    ),
  },
}) {}

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
