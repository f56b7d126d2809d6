import { packageBuild } from '../../tsup.shared.ts';

export default packageBuild([
  'src/index.ts',
  'src/vitest.ts',
  'src/vitest-charts.ts',
  'src/vitest-global-setup.ts',
  'src/cli.ts',
  'src/simulate-cli.ts',
]);
