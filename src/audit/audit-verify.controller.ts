import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { Authenticated, CurrentUser } from '../auth/auth.decorators';
import { AuthenticatedUser } from '../auth/authenticated-user';
import { Role } from '../auth/role.enum';
import { ProblemResponses } from '../common/problem/problem-responses.decorator';
import { RateLimit, RateLimitPolicy } from '../common/rate-limit/rate-limit.decorator';
import { JobDto } from '../jobs/dto/job.dto';
import { StartsJob } from '../jobs/starts-job.decorator';
import { JobType } from '../jobs/job.enums';
import { JobsService } from '../jobs/jobs.service';
import { AuditAction, AuditResource } from './audit.enums';
import { Audited } from './audited.decorator';
import { AuditVerifyRequestDto } from './dto/audit-checkpoint.dto';
import { AuditVerifyDetails } from './dto/audit-details.dto';

/** Apart from AuditController because it needs the jobs module, which itself needs the audit module. */
@ApiTags('audit')
@Controller('audit')
@Authenticated(Role.Admin, Role.Auditor)
@RateLimit(RateLimitPolicy.PerUser)
export class AuditVerifyController {
  constructor(private readonly jobs: JobsService) {}

  @Post('verify')
  @HttpCode(202)
  @Audited<JobDto>({
    action: AuditAction.Verify,
    resource: AuditResource.AuditLog,
    resourceId: (_request, job) => job?.id,
    details: (request) => {
      const { fromSeq, toSeq, checkpoint } = (request.body ?? {}) as AuditVerifyRequestDto;
      return { fromSeq, toSeq, checkpointSeq: checkpoint?.seq } satisfies AuditVerifyDetails;
    },
  })
  @ApiOperation({
    operationId: 'verifyAuditChain',
    summary: 'Verify the hash chain and its signed checkpoints as an audit_verify job',
    description: "The job's `result.data` holds rowsChecked, checkpointsChecked and the first failure (kind and row id), if any.",
  })
  @StartsJob()
  @ProblemResponses(400)
  async verify(@Body() body: AuditVerifyRequestDto, @CurrentUser() user: AuthenticatedUser): Promise<JobDto> {
    return this.jobs.startServerJob(JobType.AuditVerify, { fromSeq: body.fromSeq, toSeq: body.toSeq, checkpoint: body.checkpoint }, user.id);
  }
}
