import { Rule, RuleTester } from 'eslint';
import { createRequire } from 'node:module';
import { join } from 'node:path';

// Plain JavaScript that eslint.config.mjs loads as it is, so it is required rather than compiled.
const plugin = createRequire(__filename)('../../eslint/module-boundaries.cjs') as { rules: Record<string, Rule.RuleModule> };

const options = [{ shared: ['common'], publicFiles: { auth: ['authenticated-user'] } }];
const inModule = (path: string) => join(process.cwd(), 'src', path);

// RuleTester declares a describe and one test per case itself, with jest's globals.
describe('lint rule project/module-boundaries: a module imports what another offers, not its internals', () => {
  new RuleTester({ languageOptions: { ecmaVersion: 2022, sourceType: 'module' } }).run('module-boundaries', plugin.rules['module-boundaries'], {
    valid: [
      { filename: inModule('imports/imports.service.ts'), code: "import { JobsService } from '../jobs/jobs.service';", options },
      { filename: inModule('imports/imports.service.ts'), code: "import { JobDto } from '../jobs/dto/job.dto';", options },
      { filename: inModule('imports/imports.service.ts'), code: "import { AuthenticatedUser } from '../auth/authenticated-user';", options },
      { filename: inModule('imports/imports.service.ts'), code: "import { csvLine } from '../common/csv';", options },
      { filename: inModule('imports/rows/text-rules.ts'), code: "import { ImportRunner } from '../import-runner.service';", options },
      { filename: inModule('common/fields/field-spec.ts'), code: "import { X } from '../../exports/export-columns';", options },
    ],
    invalid: [
      { filename: inModule('jobs/job-payloads.ts'), code: "import { ImportJobParameters } from '../imports/import-job.handler';", options, errors: [{ messageId: 'internal' }] },
      { filename: inModule('imports/dto/import.dto.ts'), code: "import { hasher } from '../../auth/password-hasher';", options, errors: [{ messageId: 'internal' }] },
    ],
  });
});
