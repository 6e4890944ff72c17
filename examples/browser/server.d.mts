/** Types of server.mjs (the Chromium tests import it). */
export function startServer(options?: { port?: number; distDir?: string; routes?: [string, string][] }): Promise<{ url: string; close(): Promise<void> }>;
