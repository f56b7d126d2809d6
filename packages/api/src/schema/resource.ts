import { z } from 'zod';
import { structuralSchema, type OpenApiSchema } from './openapi.js';

export const group = 'toolhive.stacklok.dev';
/** The storage version, and the one the controllers read and write. */
export const storageVersion = 'v1beta1';
/** Served with an identical schema and a deprecation warning; the apiserver converts with strategy None. */
export const deprecatedVersion = 'v1alpha1';
export const servedVersions = [storageVersion, deprecatedVersion] as const;
export const deprecationWarning = `${group}/${deprecatedVersion} is deprecated; use ${storageVersion}`;
export const category = 'toolhive';

export interface PrinterColumn {
  name: string;
  type: 'string' | 'integer' | 'number' | 'boolean' | 'date';
  jsonPath: string;
  description?: string;
  priority?: number;
}

export const ageColumn: PrinterColumn = {
  name: 'Age',
  type: 'date',
  jsonPath: '.metadata.creationTimestamp',
};

/** A column showing the status of one condition type. */
export function conditionColumn(name: string, type: string): PrinterColumn {
  return { name, type: 'string', jsonPath: `.status.conditions[?(@.type=='${type}')].status` };
}

/** One reason a condition may carry, with the status it goes with and when it is set. */
export interface ReasonSpec {
  status: 'True' | 'False' | 'Unknown';
  when: string;
}
export type ConditionCatalog = Record<string, { description: string; reasons: Record<string, ReasonSpec> }>;

type ReasonsOf<C> = C extends { reasons: infer R } ? keyof R & string : never;

/** The `Valid` condition of kinds whose spec the controller validates. */
export const validCondition = {
  description: 'Whether the spec passed validation.',
  reasons: {
    ValidationSucceeded: { status: 'True', when: 'Every rule passed.' },
    ValidationFailed: { status: 'False', when: 'At least one rule failed; the message lists every problem.' },
  },
} as const satisfies ConditionCatalog[string];

/** Condition types and reasons as constants (`types.Valid === 'Valid'`), plus the table the docs print. */
export function conditionCatalog<const C extends ConditionCatalog>(catalog: C) {
  const types = Object.fromEntries(Object.keys(catalog).map((t) => [t, t])) as { [K in keyof C]: K };
  const reasons = Object.fromEntries(
    Object.values(catalog).flatMap((c) => Object.keys(c.reasons).map((r) => [r, r])),
  ) as { [R in ReasonsOf<C[keyof C]>]: R };
  return { types, reasons, catalog: catalog as ConditionCatalog };
}

/** The CRD family a kind belongs to: one toggle each in the CRDs chart. */
export type CrdFamily = 'groups' | 'telemetry' | 'entries' | 'servers' | 'virtualServers' | 'externalAuth';

export interface KindSpec<Spec extends z.ZodType, Status extends z.ZodType> {
  kind: string;
  plural: string;
  shortNames: string[];
  family: CrdFamily;
  description: string;
  spec: Spec;
  status: Status;
  /** Whether `spec` must be present (true when it has required fields). */
  specRequired: boolean;
  printerColumns: PrinterColumn[];
  conditions: ReturnType<typeof conditionCatalog>;
  finalizer?: string;
  /** Where this kind deliberately differs from ToolHive's CRD; docs/api.md lists them. */
  toolhiveDifferences?: string[];
}

/** The fields of `metadata` the controllers read; everything else passes through untouched. */
export const objectMeta = z.looseObject({
  name: z.string().optional(),
  namespace: z.string().optional(),
  uid: z.string().optional(),
  generation: z.number().optional(),
  resourceVersion: z.string().optional(),
  labels: z.record(z.string(), z.string()).optional(),
  annotations: z.record(z.string(), z.string()).optional(),
  finalizers: z.array(z.string()).optional(),
  deletionTimestamp: z.string().optional(),
});
export type ObjectMeta = z.output<typeof objectMeta>;

export interface Resource<Spec, Status> {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
  spec: Spec;
  status?: Status;
}

export interface KindDefinition<Spec extends z.ZodType, Status extends z.ZodType> extends KindSpec<
  Spec,
  Status
> {
  group: typeof group;
  /** Compatible with `ResourceRef` of `@mcp-controllers/core`: what the client and cache take. */
  resource: { group: string; version: string; plural: string; kind: string; namespaced: true };
  /** The whole object, for `parse<Kind>()`. */
  object: z.ZodType<Resource<z.output<Spec>, z.output<Status>>>;
  /** `openAPIV3Schema` of the CRD (identical for every served version). */
  openApi(): OpenApiSchema;
}

export function defineKind<Spec extends z.ZodType, Status extends z.ZodType>(
  spec: KindSpec<Spec, Status>,
): KindDefinition<Spec, Status> {
  const object = z.object({
    apiVersion: z.string(),
    kind: z.string(),
    metadata: objectMeta,
    spec: spec.specRequired ? spec.spec : spec.spec.prefault({} as never),
    status: spec.status.optional(),
  }) as unknown as z.ZodType<Resource<z.output<Spec>, z.output<Status>>>;
  let openApi: OpenApiSchema | undefined;
  return {
    ...spec,
    group,
    resource: { group, version: storageVersion, plural: spec.plural, kind: spec.kind, namespaced: true },
    object,
    openApi: () => (openApi ??= rootSchema(spec)),
  };
}

function rootSchema(spec: KindSpec<z.ZodType, z.ZodType>): OpenApiSchema {
  return {
    type: 'object',
    description: spec.description,
    properties: {
      apiVersion: { type: 'string', description: 'Versioned schema of this representation of the object.' },
      kind: { type: 'string', description: 'The REST resource this object represents.' },
      metadata: { type: 'object' },
      spec: structuralSchema(spec.spec),
      status: structuralSchema(spec.status),
    },
    ...(spec.specRequired ? { required: ['spec'] } : {}),
  };
}
