import { Controller, Get, Param, Query, StreamableFile } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { Authenticated } from '../auth/auth.decorators';
import { Role } from '../auth/role.enum';
import { attachmentDisposition } from '../common/http/content-disposition';
import { ApiDownloadResponse, BINARY } from '../common/openapi/download-response';
import { ProblemResponses } from '../common/problem/problem-responses.decorator';
import { RateLimit, RateLimitPolicy } from '../common/rate-limit/rate-limit.decorator';
import { IntegerIdParamPipe } from '../common/validation/id-param.pipes';
import { PageQueryDto } from '../common/pagination/page-query.dto';
import { AuditCheckpointService } from './audit-checkpoint.service';
import { AuditAction, AuditResource } from './audit.enums';
import { AuditService } from './audit.service';
import { Audited } from './audited.decorator';
import { AuditCheckpointPageDto } from './dto/audit-checkpoint.dto';
import { AuditExportFormat, AuditExportQueryDto, AuditListQueryDto, AuditLogDto, AuditLogPageDto, NamedValueDto } from './dto/audit-log.dto';

const CONTENT_TYPES: Record<AuditExportFormat, string> = {
  [AuditExportFormat.Csv]: 'text/csv; charset=utf-8',
  [AuditExportFormat.Ndjson]: 'application/x-ndjson; charset=utf-8',
};

function labelled(values: string[]): NamedValueDto[] {
  return values.map((value) => ({ value, label: value.charAt(0).toUpperCase() + value.slice(1).replace(/_/g, ' ') }));
}

@ApiTags('audit')
@Controller('audit')
@Authenticated(Role.Admin, Role.Auditor)
@RateLimit(RateLimitPolicy.PerUser)
export class AuditController {
  constructor(
    private readonly audit: AuditService,
    private readonly checkpoints: AuditCheckpointService,
  ) {}

  @Get()
  @ApiOperation({ summary: 'Query the audit trail, newest first', description: 'Admins and auditors. The filters combine (all must match); `limit` and `offset` page through the rows.' })
  @ApiOkResponse({ type: AuditLogPageDto })
  @ProblemResponses(400)
  listAuditLogs(@Query() query: AuditListQueryDto) {
    return this.audit.list(query);
  }

  @Get('actions')
  @ApiOperation({ summary: 'Every audit action', description: 'The values the `action` filter takes.' })
  @ApiOkResponse({ type: [NamedValueDto] })
  listAuditActions(): NamedValueDto[] {
    return labelled(Object.values(AuditAction));
  }

  @Get('resources')
  @ApiOperation({ summary: 'Every audit resource', description: 'The values the `resource` filter takes.' })
  @ApiOkResponse({ type: [NamedValueDto] })
  listAuditResources(): NamedValueDto[] {
    return labelled(Object.values(AuditResource));
  }

  @Get('export')
  @Audited({
    action: AuditAction.BulkExport,
    resource: AuditResource.AuditLog,
    details: (request) => ({ ...(request.query as Record<string, unknown>) }),
  })
  @ApiOperation({ summary: 'Download the matching rows as CSV or NDJSON (streamed, newest first)', description: 'The filters of the audit query, without paging: every matching row.' })
  @ApiDownloadResponse('The rows; CSV has a header row and neutralises cells a spreadsheet would run as formulas; NDJSON has one AuditLogDto per line.', {
    [CONTENT_TYPES.csv]: BINARY,
    [CONTENT_TYPES.ndjson]: BINARY,
  })
  @ProblemResponses(400)
  exportAuditLogs(@Query() query: AuditExportQueryDto): StreamableFile {
    const { format, ...filters } = query;
    const stamp = new Date().toISOString().slice(0, 19).replace(/[-:]/g, '');
    return new StreamableFile(this.audit.exportRows(filters, format), {
      type: CONTENT_TYPES[format],
      disposition: attachmentDisposition(`audit-log-${stamp}.${format}`),
    });
  }

  @Get('checkpoints')
  @ApiOperation({ summary: 'The signed checkpoints of the hash chain, newest first', description: 'Each checkpoint signs the chain hash up to its row; keep them to verify the trail offline.' })
  @ApiOkResponse({ type: AuditCheckpointPageDto })
  @ProblemResponses(400)
  listCheckpoints(@Query() query: PageQueryDto) {
    return this.checkpoints.list(query);
  }

  @Get('checkpoints/export')
  @ApiOperation({
    summary: 'Download every checkpoint as NDJSON, oldest first, to keep outside the database',
    description: 'The file the offline verify command reads next to an audit export.',
  })
  @ApiDownloadResponse('One checkpoint per line, as GET /audit/checkpoints shows them.', { [CONTENT_TYPES.ndjson]: BINARY })
  exportCheckpoints(): StreamableFile {
    const stamp = new Date().toISOString().slice(0, 19).replace(/[-:]/g, '');
    return new StreamableFile(this.checkpoints.exportAll(), {
      type: CONTENT_TYPES.ndjson,
      disposition: attachmentDisposition(`audit-checkpoints-${stamp}.ndjson`),
    });
  }

  @Get(':id')
  @ApiOperation({ summary: 'One audit row', description: 'The row with its details, as the list shows it.' })
  @ApiParam({ name: 'id', type: 'integer', description: 'The audit row\'s id.' })
  @ApiOkResponse({ type: AuditLogDto })
  @ProblemResponses(400, 404)
  getAuditLog(@Param('id', IntegerIdParamPipe) id: number): Promise<AuditLogDto> {
    return this.audit.get(id);
  }
}
