/** Listers: read-only views over an informer's cache. Returned objects are shared: do not mutate. */
import { matches, parseSelector, type Selector } from '../machinery/labels.js';
import type { KObject } from './rest-client.js';
import { NAMESPACE_INDEX, type Indexer } from './store.js';

export class Lister<T extends KObject = KObject> {
  constructor(private readonly indexer: Indexer<T>) {}

  /** The object namespace/name (namespace '' or undefined for cluster-scoped), if cached. */
  get(namespace: string | undefined, name: string): T | undefined {
    return this.indexer.get(namespace ? `${namespace}/${name}` : name);
  }

  /** Every cached object, in one namespace when given, matching a label selector when given. */
  list(namespace?: string, selector?: string | Selector): T[] {
    const items = namespace ? this.indexer.byIndex(NAMESPACE_INDEX, namespace) : this.indexer.list();
    if (selector === undefined || selector === '') return items;
    const sel = typeof selector === 'string' ? parseSelector(selector) : selector;
    return items.filter((o) => matches(sel, o.metadata?.labels));
  }

  byIndex(indexName: string, value: string): T[] {
    return this.indexer.byIndex(indexName, value);
  }
}
