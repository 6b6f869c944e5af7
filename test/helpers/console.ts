/**
 * Runs `action` with console.error captured instead of printed, and returns what it resolved to
 * with the lines logged meanwhile (one entry per call).
 */
export async function captureConsoleErrors<T>(action: () => Promise<T>): Promise<{ result: T; lines: string[] }> {
  const lines: string[] = [];
  const spy = jest.spyOn(console, 'error').mockImplementation((...args: unknown[]) => void lines.push(args.map(String).join(' ')));
  try {
    return { result: await action(), lines };
  } finally {
    spy.mockRestore();
  }
}
