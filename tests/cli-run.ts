/** Runs the tinyhush CLI in-process with stdout and stderr captured (shared by the CLI suites). */
import { main } from '../src/cli/main.js';

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** `isTTY`: whether stderr claims to be a terminal (progress bars redraw); `onStderr` sees each write. */
export async function runCli(args: string[], { isTTY = false, onStderr }: { isTTY?: boolean; onStderr?: (text: string) => void } = {}): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const code = await main(args, {
    stdout: { write: (text: string) => { stdout += text; } },
    stderr: { write: (text: string) => { stderr += text; onStderr?.(text); }, isTTY },
  });
  return { code, stdout, stderr };
}
