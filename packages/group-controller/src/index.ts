export {
  groupController,
  groupRefIndex,
  legacyGroupFinalizer,
  type GroupControllerDeps,
} from './reconcile.js';
export { groupStatus, memberKinds, type Membership, type MemberListing } from './membership.js';
