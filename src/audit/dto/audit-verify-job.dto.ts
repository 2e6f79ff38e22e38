import { ApiProperty, ApiSchema } from '@nestjs/swagger';
import { ChainVerdict } from '../audit-chain-verifier';

export enum ChainWitness {
  Supplied = 'supplied',
  Redis = 'redis',
  None = 'none',
}

@ApiSchema({ name: 'AuditVerifyJobResult', description: 'The `result.data` of an `audit_verify` job: whether the chain holds, and where not.' })
export class AuditVerifyJobOutput extends ChainVerdict {
  /** Where the witness of the chain's length came from: the checkpoint sent with the request, the newest one kept in Redis, or none. */
  @ApiProperty({ enum: ChainWitness, enumName: 'ChainWitness' })
  witness!: ChainWitness;
}
