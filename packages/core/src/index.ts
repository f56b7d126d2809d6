/**
 * The kernel shared by every controller binary. It knows nothing about MCP kinds.
 * Modules arrive with the kernel issue: client, reflector/store, queue, controller, conditions,
 * status, finalizers, hash, election, events, manager.
 */
export const kernelVersion = '0.1.0';
