import { controllerBuild } from '../../tsup.shared.ts';

export default controllerBuild();
