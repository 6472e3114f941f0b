/** Where an operations command writes: results on `out` (stdout), progress and errors on `err` (stderr). */
export interface OperationsIo {
  readonly out: (line: string) => void;
  readonly err: (line: string) => void;
  readonly env?: NodeJS.ProcessEnv;
}

export const STANDARD_IO: OperationsIo = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
};

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
