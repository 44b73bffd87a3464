// Minimal Reflect metadata API (getMetadata/getOwnMetadata/defineMetadata/metadata) needed by
// @peculiar/x509's dependency injection container (tsyringe), which refuses to load without it.
// Installed only when no polyfill is present; a real `reflect-metadata` import later still works.

type MetadataTarget = object;
type Store = Map<string | symbol | undefined, Map<unknown, unknown>>;

interface ReflectMetadataApi {
  getMetadata?: (key: unknown, target: MetadataTarget, property?: string | symbol) => unknown;
  getOwnMetadata?: (key: unknown, target: MetadataTarget, property?: string | symbol) => unknown;
  defineMetadata?: (key: unknown, value: unknown, target: MetadataTarget, property?: string | symbol) => void;
  hasOwnMetadata?: (key: unknown, target: MetadataTarget, property?: string | symbol) => boolean;
  metadata?: (key: unknown, value: unknown) => (target: MetadataTarget, property?: string | symbol) => void;
}

export function installReflectMetadataShim(): void {
  const r = Reflect as unknown as ReflectMetadataApi;
  if (typeof r.getMetadata === 'function') return;

  const stores = new WeakMap<MetadataTarget, Store>();
  const own = (target: MetadataTarget, property: string | symbol | undefined, create: boolean) => {
    let store = stores.get(target);
    if (!store) {
      if (!create) return undefined;
      store = new Map();
      stores.set(target, store);
    }
    let entries = store.get(property);
    if (!entries && create) {
      entries = new Map();
      store.set(property, entries);
    }
    return entries;
  };

  r.defineMetadata = (key, value, target, property) => {
    own(target, property, true)!.set(key, value);
  };
  r.hasOwnMetadata = (key, target, property) => own(target, property, false)?.has(key) ?? false;
  r.getOwnMetadata = (key, target, property) => own(target, property, false)?.get(key);
  r.getMetadata = (key, target, property) => {
    for (let t: MetadataTarget | null = target; t; t = Object.getPrototypeOf(t) as MetadataTarget | null) {
      const entries = own(t, property, false);
      if (entries?.has(key)) return entries.get(key);
    }
    return undefined;
  };
  r.metadata = (key, value) => (target, property) => r.defineMetadata!(key, value, target, property);
}
