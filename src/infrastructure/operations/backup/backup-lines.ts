import { createReadStream } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { BackupFormatError } from './backup-format';

/**
 * Calls `onLine` for each line of a gzip'd NDJSON file, in order, awaiting it before reading on
 * (back-pressure: memory holds one chunk of the file, whatever its size). Returning false stops.
 */
export async function forEachBackupLine(file: string, onLine: (line: string, index: number) => Promise<boolean | void> | boolean | void): Promise<void> {
  let index = 0;
  let stopped = false;
  // The caller's own error, kept aside: pipeline reports it as an AbortError of the file stream.
  let failure: { error: unknown } | null = null;
  const consume = async (source: AsyncIterable<Buffer>): Promise<void> => {
    const decoder = new StringDecoder('utf8');
    let rest = '';
    for await (const chunk of source) {
      const lines = (rest + decoder.write(chunk)).split('\n');
      rest = lines.pop()!;
      for (const line of lines) {
        let result: boolean | void;
        try {
          result = await onLine(line, index++);
        } catch (error) {
          failure = { error };
          throw error;
        }
        if (result === false) {
          stopped = true;
          return;
        }
      }
    }
    rest += decoder.end();
    if (rest === '') return;
    try {
      await onLine(rest, index++);
    } catch (error) {
      failure = { error };
      throw error;
    }
  };
  try {
    await pipeline(createReadStream(file), createGunzip(), consume);
  } catch (error) {
    if (failure !== null) throw (failure as { error: unknown }).error;
    if (stopped) return;
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'Z_DATA_ERROR') throw new BackupFormatError(`${file} is not a Zapdesk backup (not gzip data)`);
    if (code === 'Z_BUF_ERROR') throw new BackupFormatError(`${file} is truncated (its gzip data ends early)`);
    throw error;
  }
}
