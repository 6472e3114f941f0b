/** Types of build-console.js, for the tests that build the console before opening it. */
export function buildConsole(options?: { outdir?: string; quiet?: boolean }): Promise<string>;
export const consoleSourceDir: string;
export const consoleOutDir: string;
