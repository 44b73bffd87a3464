/**
 * The plugin registry: named factories. A plugin file registers itself by name
 * (registerPlugin('NodePorts', ...)); a profile names the plugins it enables. The framework
 * never imports plugins.
 */
import type { FrameworkHandle, Plugin } from './interfaces.js';

export type PluginFactory = (handle: FrameworkHandle, args?: unknown) => Plugin;

export type PluginRegistry = Map<string, PluginFactory>;

const defaultRegistry: PluginRegistry = new Map();

export function registerPlugin(name: string, factory: PluginFactory, registry: PluginRegistry = defaultRegistry): void {
  if (registry.has(name)) throw new Error(`scheduler plugin "${name}" is already registered`);
  registry.set(name, factory);
}

export function pluginFactory(name: string, registry: PluginRegistry = defaultRegistry): PluginFactory | undefined {
  return registry.get(name);
}

export function registeredPlugins(registry: PluginRegistry = defaultRegistry): string[] {
  return [...registry.keys()];
}

export function globalRegistry(): PluginRegistry {
  return defaultRegistry;
}
