/**
 * The whole `main()` of a controller binary: flags (exit 2 on a bad one), `--help`, `--version`,
 * start-up failures (a port in use, a kubeconfig that cannot be loaded: logged as such, exit 1),
 * process-level error handlers for bugs (log with the stack, exit 1), signals (graceful stop, exit 0).
 * The process never ends on its own: the manager keeps it alive until a signal or a fatal error.
 */
import { FlagError, parseFlags, usage, type ManagerFlags } from './flags.js';
import { errorFields } from './log.js';
import { Manager, type ManagerOptions } from './manager.js';

export async function runManager(options: ManagerOptions, setup: (manager: Manager) => void): Promise<void> {
  const argv = options.argv ?? process.argv.slice(2);
  function fail(err: unknown): never {
    process.stderr.write(`${options.name}: ${(err as Error).message}\n`);
    process.exit(err instanceof FlagError ? 2 : 1);
  }
  // --help and --version first: they must work without a cluster configured.
  let flags: ManagerFlags;
  try {
    flags = parseFlags(options.name, argv, options.env ?? process.env, options.flagDefaults);
  } catch (err) {
    fail(err);
  }
  if (flags.help) {
    process.stdout.write(usage(options.name, options.description, options.flagDefaults));
    process.exit(0);
  }
  if (flags.version) {
    process.stdout.write(`${options.name} ${options.version}\n`);
    process.exit(0);
  }
  let manager: Manager;
  try {
    manager = new Manager({ ...options, argv });
  } catch (err) {
    fail(err); // e.g. no kubeconfig anywhere: the message names every place looked at
  }
  const crash = (kind: string) => (err: unknown) => {
    manager.log.fatal(
      { ...errorFields(err), stack: err instanceof Error ? err.stack : undefined },
      `${kind}: this is a bug; the process exits so that it restarts clean`,
    );
    manager.log.flush();
    process.exit(1);
  };
  process.on('unhandledRejection', crash('unhandled promise rejection'));
  process.on('uncaughtException', crash('uncaught exception'));
  const onSignal = (signal: string) => {
    manager.log.info({ signal }, 'signal received');
    void manager.stop().then(() => process.exit(0));
  };
  process.once('SIGTERM', onSignal);
  process.once('SIGINT', onSignal);
  setup(manager);
  try {
    await manager.start();
  } catch (err) {
    // A start-up failure the user can fix (the message says how), not a bug.
    manager.log.fatal(errorFields(err), `cannot start: ${(err as Error).message}`);
    manager.log.flush();
    process.exit(1);
  }
}
