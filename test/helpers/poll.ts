/** Polls `check` every `intervalMs` until it is true, at most `tries` times; then fails naming `what`. */
export async function pollUntil(check: () => Promise<boolean>, what: string, tries = 600, intervalMs = 50): Promise<void> {
  for (let i = 0; i < tries; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, intervalMs));
  }
  throw new Error(`timed out waiting for ${what}`);
}
