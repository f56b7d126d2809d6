/** The custom resources of toolhive.stacklok.dev as code: schemas, types, CRDs. */
export const group = 'toolhive.stacklok.dev';
export const storageVersion = 'v1beta1';
export const servedVersions = ['v1beta1', 'v1alpha1'] as const;
