export {
  entryCacheTransform,
  entryController,
  entryIndexes,
  ReferenceUnknownError,
  type EntryControllerDeps,
} from './reconcile.js';
export {
  caBundleRefOf,
  entryStatus,
  headerSecretRefsOf,
  ownedConditionTypes,
  type EntryInputs,
  type EntryStatus,
  type Found,
} from './status.js';
