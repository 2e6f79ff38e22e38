interface Schema {
  anyOf?: unknown[];
  oneOf?: unknown[];
  discriminator?: { propertyName: string; mapping?: Record<string, string> };
}

interface Spec {
  paths: Record<string, unknown>;
  components?: { schemas?: Record<string, Schema> };
}

/**
 * openapi-diff compares a union with every member of the other side's union, which takes it many
 * minutes over JobDto's eleven variants. A discriminated union is compared instead as what it is to
 * a client: its discriminator values (a new one is a value old clients do not know, a removed one
 * a variant they may still expect) and each variant on its own, as the response of a path of its
 * own, so that a change inside one variant is judged as any response change.
 */
export function withDiscriminatedUnionsSplit(text: string): string {
  const spec = JSON.parse(text) as Spec;
  const schemas = spec.components?.schemas ?? {};
  for (const [name, schema] of Object.entries(schemas)) {
    const { discriminator } = schema;
    if ((schema.anyOf ?? schema.oneOf) === undefined || discriminator?.mapping === undefined) continue;
    for (const [value, reference] of Object.entries(discriminator.mapping)) {
      spec.paths[`/discriminated-union/${name}/${value}`] = {
        get: { responses: { 200: { description: `${name} with ${discriminator.propertyName} ${value}`, content: { 'application/json': { schema: { $ref: reference } } } } } },
      };
    }
    schemas[name] = {
      type: 'object',
      required: [discriminator.propertyName],
      properties: { [discriminator.propertyName]: { type: 'string', enum: Object.keys(discriminator.mapping) } },
    } as Schema;
  }
  return JSON.stringify(spec);
}
