/** Whether `check` succeeds within `timeoutMs`: health and readiness answers never hang on what they ask. */
export async function probe(check: () => Promise<unknown>, timeoutMs = 2_000): Promise<'up' | 'down'> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      check(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error('timeout')), timeoutMs);
      }),
    ]);
    return 'up';
  } catch {
    return 'down';
  } finally {
    clearTimeout(timer);
  }
}
