/**
 * The public types of the workload simulator (`simulator.ts`, whose module comment describes the
 * behaviour): its options, the handle `startWorkloadSimulator` returns, and its stats.
 */
import type { KubeConfig } from '@kubernetes/client-node';
import type { PodBehaviour, RunnerMode } from './simulator-objects.js';
import type { VmcpRuntimeStats } from './simulator-vmcp-runtime.js';
import type { BackendHealth, VmcpRuntimeMode } from './simulator-vmcp.js';

/** pino's call shape (`log.warn({ fields }, 'message')`), so a pino logger can be passed as is. */
export interface SimulatorLog {
  debug(fields: object, message: string): void;
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
}

export interface WorkloadSimulatorOptions {
  kubeConfig: KubeConfig;
  /** Only Deployments (and Pods, ConfigMaps, the toolhive kinds) in these namespaces; default all. */
  namespaces?: string[];
  log?: SimulatorLog;
  /** Queue every Deployment, Pod owner and vMCP held this often (ms), a safety net; default 30 s. */
  resyncMs?: number;
  /** Deployments reconciled at once (and, separately, VirtualMCPServers evaluated); default 8. */
  concurrency?: number;
  /** Skip the "is this the local control plane?" check. Never set it for a real cluster. */
  allowAnyCluster?: boolean;
}

export interface WorkloadSimulatorStats {
  /** Deployment reconciles finished since start. */
  reconciles: number;
  /** Creates, patches and deletes of the Deployment side sent since start (not `vmcp.writes`). */
  writes: number;
  /** Deployments queued, waiting for a retry, or being reconciled. */
  queued: number;
  inFlight: number;
  /** The vmcp runtime: VirtualMCPServer evaluations, status patches, its queue. */
  vmcp: VmcpRuntimeStats;
}

export interface WorkloadSimulator {
  /**
   * How the Pods of Deployment `namespace/deployment` behave from now on (default `ready`). Kept by
   * name, so it may be set before the Deployment exists and outlives its deletion. Pods already in
   * that state are not rewritten.
   */
  setBehaviour(namespace: string, deployment: string, behaviour: PodBehaviour): void;
  /** Whether the proxy runner is played for it (default `play`); `absent` never creates its objects. */
  setRunner(namespace: string, deployment: string, mode: RunnerMode): void;
  /**
   * The health every vMCP of `namespace` reports for backend `member` from now on; undefined goes
   * back to the health derived from the member's phase.
   */
  setBackendHealth(namespace: string, member: string, health: BackendHealth | undefined): void;
  /** Whether the vmcp runtime is played for VirtualMCPServer `vmcp` (default `play`); `absent` writes nothing. */
  setVmcpRuntime(namespace: string, vmcp: string, mode: VmcpRuntimeMode): void;
  /** Nothing queued, retrying or in flight (Deployments and vMCPs). */
  idle(): boolean;
  stats(): WorkloadSimulatorStats;
  /** Closes the watches, drops queued work and resolves once the reconciles in flight finished. */
  stop(): Promise<void>;
}
