// @ts-check
// A module's files are its own: another module may import only what the module offers to the others.
// That surface is, by role suffix (`kebab-case.role.ts`), its Nest module, services, decorators, enums,
// entities, field catalogue, types and DTOs, plus the files the lint configuration names for it. The
// rest (handlers, runners, repositories, pipes, helpers) can change without the others noticing.
const path = require('node:path');

const PUBLIC_ROLES = /\.(module|service|decorators?|enums?|entity|catalogue|types)$/;

/** @type {import('eslint').Rule.RuleModule} */
const moduleBoundaries = {
  meta: {
    type: 'problem',
    docs: { description: "Import only what another module offers: its module, services, decorators, enums, entities, catalogue, types, DTOs and named public files." },
    schema: [
      {
        type: 'object',
        properties: {
          shared: { type: 'array', items: { type: 'string' } },
          publicFiles: { type: 'object', additionalProperties: { type: 'array', items: { type: 'string' } } },
        },
        additionalProperties: false,
      },
    ],
    messages: {
      internal:
        "'{{target}}' is internal to the {{module}} module: use what {{module}} offers (its module, services, decorators, enums, entities, catalogue, types, dto/ or the files eslint.config.mjs names for it), or move the shared piece to src/common.",
    },
  },
  create(context) {
    /** @type {{ shared?: string[], publicFiles?: Record<string, string[]> }} */
    const options = context.options[0] ?? {};
    const shared = new Set(options.shared ?? []);
    const publicFiles = options.publicFiles ?? {};
    const sourceRoot = path.join(context.cwd, 'src') + path.sep;
    if (!context.filename.startsWith(sourceRoot)) return {};
    const ownPath = context.filename.slice(sourceRoot.length).split(path.sep);
    // Files directly under src/ (main.ts, app.module.ts) and the shared folders compose the modules.
    if (ownPath.length === 1 || shared.has(ownPath[0])) return {};
    return {
      ImportDeclaration(node) {
        const specifier = String(node.source.value);
        if (!specifier.startsWith('.')) return;
        const target = path.resolve(path.dirname(context.filename), specifier);
        if (!target.startsWith(sourceRoot)) return;
        const [targetModule, ...inside] = target.slice(sourceRoot.length).split(path.sep);
        if (targetModule === ownPath[0] || shared.has(targetModule) || inside.length === 0) return;
        const fileInModule = inside.join('/');
        if (inside[0] === 'dto' || PUBLIC_ROLES.test(fileInModule) || publicFiles[targetModule]?.includes(fileInModule)) return;
        context.report({ node: node.source, messageId: 'internal', data: { target: specifier, module: targetModule } });
      },
    };
  },
};

module.exports = { rules: { 'module-boundaries': moduleBoundaries } };
