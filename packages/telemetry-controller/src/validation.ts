/**
 * MCPTelemetryConfig validation lives in `@mcp-controllers/api`, so the workload controllers re-run
 * exactly these rules on the configs they reference (as ToolHive's consumers call `Validate()`).
 * Re-exported here under the names this controller has always used.
 */
export {
  caBundleNameMax,
  specProblems,
  validateTelemetryConfig,
  type MCPTelemetryConfigSpec as TelemetrySpec,
  type Validation,
} from '@mcp-controllers/api';
