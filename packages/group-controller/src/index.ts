export { groupController, groupRefIndex, type GroupControllerDeps } from './reconcile.js';
export { groupStatus, memberKinds, type Membership, type MemberListing } from './membership.js';
