import { packageBuild } from '../../tsup.shared.ts';

// A library until the binary (src/main.ts) lands; then `controllerBuild()` as the other controllers.
export default packageBuild();
