// A Stryker ignorer: no mutants inside log calls (`log.info(...)`, `this.log.warn(...)`,
// `this.o.log.error(...)`, election's `this.warn(err, msg)` wrapper). Their arguments are message
// text and structured fields for people, not behaviour a test should pin; mutating them would only
// add mutants that survive or tests that freeze wording. Whether a log line is emitted at all (the
// `if` around it, a rate limit of repeats) is still mutated, and log.ts itself is mutated in full.
const levels = new Set(['trace', 'debug', 'info', 'warn', 'error', 'fatal']);
const loggerName = /^log(ger)?$/;

/** Is `node` a logger: `log`, `logger`, or any `x.log` / `x.logger`? */
function isLogger(node) {
  if (node.type === 'Identifier') return loggerName.test(node.name);
  if (node.type === 'MemberExpression' || node.type === 'OptionalMemberExpression') {
    return !node.computed && node.property.type === 'Identifier' && loggerName.test(node.property.name);
  }
  return false;
}

/** @param {{ node: any }} path a Babel NodePath */
function shouldIgnore(path) {
  const { node } = path;
  if (node.type !== 'CallExpression' && node.type !== 'OptionalCallExpression') return undefined;
  const callee = node.callee;
  if (callee.type !== 'MemberExpression' && callee.type !== 'OptionalMemberExpression') return undefined;
  if (callee.computed || callee.property.type !== 'Identifier' || !levels.has(callee.property.name)) {
    return undefined;
  }
  if (
    isLogger(callee.object) ||
    (callee.object.type === 'ThisExpression' && callee.property.name === 'warn')
  ) {
    return 'log message and fields: text for people, not behaviour';
  }
  return undefined;
}

export const strykerPlugins = [{ kind: 'Ignore', name: 'log-calls', value: { shouldIgnore } }];
