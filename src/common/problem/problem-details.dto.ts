import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { PROBLEM_CODES, ProblemCode } from './problem-codes';

export class FieldProblemDto {
  /** Dotted path of the offending field in the request. */
  @ApiProperty({ example: 'email' })
  field!: string;

  /** Stable machine code of the rule that failed. */
  @ApiProperty({ example: 'isEmail' })
  code!: string;

  @ApiProperty({ example: 'email must be an email' })
  message!: string;
}

/** An RFC 9457 problem document; every error this API answers has this shape. */
export class ProblemDetailsDto {
  @ApiProperty({ example: 'urn:problem:sms:validation_failed' })
  type!: string;

  @ApiProperty({ example: 'Bad Request' })
  title!: string;

  @ApiProperty({ example: 400 })
  status!: number;

  @ApiPropertyOptional({ example: 'The request has 1 invalid field.' })
  detail?: string;

  /** The request id (also sent as `X-Request-ID`), to quote when reporting a problem. */
  @ApiProperty({ example: 'urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e' })
  instance!: string;

  /** Stable machine code: switch on this, not on `title` or `detail`. */
  @ApiProperty({ enum: [...PROBLEM_CODES], enumName: 'ProblemCode', example: 'validation_failed' })
  code!: ProblemCode;

  @ApiPropertyOptional({ type: [FieldProblemDto] })
  errors?: FieldProblemDto[];
}
