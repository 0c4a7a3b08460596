// Where the CSV goes. A file is written under a temporary name in the same directory and renamed into
// place only when the export is complete, so a file with the chosen name is always a whole export (and
// an older one survives a failed run). stdout is written as it goes and never closed (it is the
// process's): a failure there shows as the non-zero exit and the message on stderr.
import { randomBytes } from 'node:crypto';
import { createWriteStream, type WriteStream } from 'node:fs';
import { rename, stat, unlink } from 'node:fs/promises';
import path from 'node:path';
import { Writable } from 'node:stream';
import { ExportError, UsageError } from './export.errors.js';

export interface CsvOutput {
  stream: Writable;
  /** For messages: the file's path, or "stdout". */
  name: string;
  /** After the stream finished: make the file visible under its name. */
  commit(): Promise<void>;
  /** On failure: a file is removed; stdout keeps what it was given, flushed. Never throws. */
  discard(): Promise<void>;
  /** stdout: on failure the rows already written still go out (a file is removed instead). */
  keepsPartial: boolean;
}

/** The temporary name: hidden, in the target's directory (so the rename is atomic), unique per run. */
export function temporaryPath(out: string): string {
  return path.join(path.dirname(out), `.${path.basename(out)}.${process.pid}.${randomBytes(4).toString('hex')}.partial`);
}

/** The folder --out names must exist: said in the user's own words, before any request (not an ENOENT later). */
async function checkFolder(out: string): Promise<void> {
  const folder = path.dirname(out);
  const info = await stat(folder).catch((err: NodeJS.ErrnoException) => err);
  if (info instanceof Error) {
    if (info.code === 'ENOENT') throw new UsageError(`folder does not exist: ${folder}`);
    if (info.code === 'ENOTDIR') throw new UsageError(`not a folder: ${folder}`);
    throw new ExportError(`cannot read the folder ${folder}: ${info.code ?? info.message}`);
  }
  if (!info.isDirectory()) throw new UsageError(`not a folder: ${folder}`);
}

export async function openFileOutput(out: string): Promise<CsvOutput> {
  const target = path.resolve(out);
  await checkFolder(out);
  // Found now rather than at the rename, after the whole export.
  if ((await stat(target).catch(() => undefined))?.isDirectory()) throw new UsageError(`${out} is a directory; --out needs a file name`);
  const temp = temporaryPath(target);
  // flush: fsync before close, so the renamed file is on disk, not only in the page cache.
  const stream: WriteStream = createWriteStream(temp, { flags: 'wx', flush: true });
  await new Promise<void>((resolve, reject) => {
    stream.once('open', () => resolve());
    stream.once('error', (err: NodeJS.ErrnoException) =>
      reject(new ExportError(`cannot write ${path.dirname(target)}: ${err.code ?? err.message}`)),
    );
  });
  let removed = false;
  const discard = async () => {
    if (removed) return;
    removed = true;
    if (!stream.destroyed) stream.destroy();
    if (!stream.closed) await new Promise<void>((resolve) => stream.once('close', () => resolve()));
    await unlink(temp).catch(() => {});
  };
  return {
    stream,
    name: out,
    keepsPartial: false,
    discard,
    async commit() {
      try {
        await rename(temp, target);
      } catch (err) {
        await discard();
        throw new ExportError(`cannot rename the finished export to ${out}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
      }
      removed = true;
    },
  };
}

/** Resolves once `stream` has handed every byte written so far to the OS (a pipe's reader may be slower than us). */
export function flushed(stream: Writable): Promise<void> {
  return new Promise((resolve) => {
    if (stream.destroyed || stream.writableEnded) return resolve();
    // Writes complete in order: the callback of an empty write comes after every earlier one.
    stream.write('', () => resolve());
  });
}

/**
 * stdout through a sink of our own: each chunk is done once stdout has handed it to the OS, so the sink's
 * 'finish' means flushed, and destroying the sink (a failed export) never destroys stdout.
 */
export function stdoutOutput(stdout: Writable = process.stdout): CsvOutput {
  let broken: Error | undefined;
  // An EPIPE (the reader went away) arrives as an event too; it fails the next write instead of the process.
  const onError = (err: Error) => (broken ??= err);
  stdout.on('error', onError);
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      if (broken) return done(broken);
      stdout.write(chunk, (err) => done(err ?? broken));
    },
  });
  let released = false;
  const release = () => {
    if (!released) stdout.off('error', onError);
    released = true;
  };
  return {
    stream,
    name: 'stdout',
    keepsPartial: true,
    commit: async () => release(),
    discard: async () => {
      if (!broken) await flushed(stdout);
      release();
    },
  };
}
