/** Rewrites every stored value a rule covers with the current writer (after a key is added first). */
import { ConflictError, NotFoundError } from '../store.js';
import type { EncryptingStore } from './encrypting-store.js';

/**
 * For each key under `prefixes`, reads it (any configured key decrypts it) and writes it back
 * unchanged, so it is encrypted with the first provider. Returns how many values were rewritten.
 * Keys changed concurrently are retried; keys deleted meanwhile are skipped.
 */
export async function rewriteEncrypted(store: EncryptingStore, prefixes: string[]): Promise<number> {
  let rewritten = 0;
  for (const prefix of prefixes) {
    let startAfter: string | undefined;
    for (;;) {
      const page = await store.list({ prefix, limit: 500, startAfter });
      for (const kv of page.items) {
        for (let attempt = 0; ; attempt++) {
          const raw = await store.getRaw(kv.key);
          if (!raw) break;
          if (!store.isStale(kv.key, raw.value)) break;
          const plain = store.decryptValue(kv.key, raw.value);
          try {
            await store.update(kv.key, plain, raw.modRevision);
            rewritten++;
            break;
          } catch (err) {
            if (err instanceof NotFoundError) break;
            if (err instanceof ConflictError && attempt < 5) continue;
            throw err;
          }
        }
      }
      if (!page.more || page.items.length === 0) break;
      startAfter = page.items[page.items.length - 1]!.key;
    }
  }
  return rewritten;
}
