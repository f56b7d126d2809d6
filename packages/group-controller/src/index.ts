export { groupController, groupRefIndex, type GroupControllerDeps } from './reconcile.js';
export {
  describeListError,
  groupStatus,
  memberKinds,
  type Membership,
  type MemberListing,
} from './membership.js';
