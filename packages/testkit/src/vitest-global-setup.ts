/**
 * vitest global setup: resolves the control-plane binaries once per run (building them into the
 * cache on a fresh machine) and hands them to every test file through `inject`.
 */
import type { TestProject } from 'vitest/node';
import { ensureBinaries } from './binaries.js';

export default async function setup(project: TestProject): Promise<void> {
  project.provide('controlPlaneBinaries', await ensureBinaries());
}
