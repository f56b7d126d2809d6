import { kinds, type CelRule, type OpenApiSchema } from '../src/index.js';

/** Every CEL rule of every kind, with where it sits. */
export function allRules(): (CelRule & { where: string })[] {
  const out: (CelRule & { where: string })[] = [];
  const walk = (schema: OpenApiSchema, where: string) => {
    for (const rule of schema['x-kubernetes-validations'] ?? []) out.push({ ...rule, where });
    for (const [name, child] of Object.entries(schema.properties ?? {})) walk(child, `${where}.${name}`);
    if (schema.items) walk(schema.items, `${where}[]`);
    if (typeof schema.additionalProperties === 'object') walk(schema.additionalProperties, `${where}{}`);
  };
  for (const kind of kinds) walk(kind.openApi(), kind.kind);
  return out;
}
