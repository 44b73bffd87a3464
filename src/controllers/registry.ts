/** Named controller factories, so `k8ts server --disable NAME,...` can leave some out. */
import type { Controller, ControllerContext } from './framework.js';

export type ControllerFactory = (ctx: ControllerContext) => Controller;

const factories = new Map<string, ControllerFactory>();

export function registerController(name: string, factory: ControllerFactory): void {
  if (factories.has(name)) throw new Error(`controller "${name}" is already registered`);
  factories.set(name, factory);
}

/** Registered controller names, in registration order. */
export function controllerNames(): string[] {
  return [...factories.keys()];
}

export function controllerFactory(name: string): ControllerFactory | undefined {
  return factories.get(name);
}
