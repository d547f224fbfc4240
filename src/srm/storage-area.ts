import { randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { link, lstat, mkdir, realpath, stat, unlink } from 'node:fs/promises';
import { basename, dirname, join, relative, sep } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Adler32 } from '@replicat/sdk';

/** A path that would leave the SE's directory, or is not a file name at all. */
export class OutsideArea extends Error {}

/** A write to a file that is already there: a put's TURL writes its file once. */
export class FileExists extends Error {}

/**
 * One SE's bytes: a local directory. Every path is confined to it twice over — lexically (no `.` or `..`
 * components, no NUL) and physically (the real path, symlinks resolved, must stay inside), so neither
 * `/../etc/passwd` nor a symlink planted in the directory leads out.
 */
export class StorageArea {
  readonly #root: string;
  #realRoot: Promise<string> | undefined;

  constructor(root: string) {
    this.#root = root;
  }

  /** The file for an SE path such as `/dpm/vo/f1` (as `surlPath` gives it). */
  locate(path: string): string {
    if (path.includes('\u0000') || !path.startsWith('/')) throw new OutsideArea(`not an absolute path: ${JSON.stringify(path)}`);
    const parts = path.split('/').filter((p) => p !== '');
    if (parts.length === 0) throw new OutsideArea('a path names a file, not the SE root');
    if (parts.some((p) => p === '.' || p === '..')) throw new OutsideArea(`a path must not contain . or .. components: ${JSON.stringify(path)}`);
    return join(this.#root, ...parts);
  }

  /** The file's size when it exists inside the area as a regular file (after symlinks), else undefined. */
  async size(file: string): Promise<number | undefined> {
    const real = await this.#inside(file);
    if (real === undefined) return undefined;
    const info = await stat(real);
    return info.isFile() ? info.size : undefined;
  }

  /** Bytes `start` to `end` inclusive (or all), from the real file inside the area. */
  async read(file: string, range?: { start: number; end: number }): Promise<Readable> {
    const real = await this.#inside(file);
    if (real === undefined) throw new OutsideArea('no such file');
    return createReadStream(real, range);
  }

  /**
   * Writes a new file from a stream: into a temporary name next to it, linked into place when complete, so a
   * broken upload never leaves a half file under the real name. The directory is made as needed, inside.
   * An existing file is never replaced (FileExists): the catalog may already hold its size and checksum, and
   * a storage process cannot know whether the put behind a still-valid TURL is done.
   */
  async write(file: string, body: Readable): Promise<number> {
    const realDirectory = await this.#makeDirectory(dirname(file));
    const existing = await lstat(file).catch(() => undefined);
    if (existing?.isFile()) throw new FileExists('the file exists: a put writes its file once');
    if (existing !== undefined) throw new OutsideArea('not a regular file');
    const temporary = join(realDirectory, `.upload-${randomUUID()}`);
    let bytes = 0;
    body.on('data', (chunk: Buffer) => (bytes += chunk.length));
    try {
      await pipeline(body, createWriteStream(temporary, { flags: 'wx' }));
      // link, unlike rename, fails when the name is taken: two uploads racing for one name cannot both win.
      await link(temporary, join(realDirectory, basename(file)));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') throw new FileExists('the file exists: a put writes its file once');
      throw error;
    } finally {
      await unlink(temporary).catch(() => undefined);
    }
    return bytes;
  }

  /** Size and adler32 of what is on disk, read once. */
  async digest(file: string): Promise<{ size: number; adler32: string } | undefined> {
    const real = await this.#inside(file);
    if (real === undefined || !(await stat(real)).isFile()) return undefined;
    const sum = new Adler32();
    let size = 0;
    for await (const chunk of createReadStream(real) as AsyncIterable<Buffer>) {
      sum.update(chunk);
      size += chunk.length;
    }
    return { size, adler32: sum.hex() };
  }

  /** Removes the file; false when there was none. */
  async remove(file: string): Promise<boolean> {
    const existing = await lstat(file).catch(() => undefined);
    if (existing === undefined || existing.isDirectory()) return false;
    // A symlink is removed itself (unlink never follows it), so nothing outside can be touched.
    const parent = await realpath(dirname(file)).catch(() => undefined);
    if (parent === undefined || !isWithin(parent, await this.#rootPath())) return false;
    await unlink(file);
    return true;
  }

  /**
   * Makes a file's directory one component at a time, each checked to resolve inside the area: a plain
   * `mkdir -p` would follow a planted symlink and create directories outside before any check. Answers the
   * directory's real path.
   */
  async #makeDirectory(directory: string): Promise<string> {
    const root = await this.#rootPath();
    let current = root;
    for (const part of relative(this.#root, directory).split(sep).filter((p) => p !== '')) {
      const next = join(current, part);
      await mkdir(next).catch((error: NodeJS.ErrnoException) => {
        if (error.code !== 'EEXIST') throw error;
      });
      current = await realpath(next).catch(() => '');
      if (!isInside(current, root)) throw new OutsideArea('the directory leads outside the storage area');
      if (!(await stat(current)).isDirectory()) throw new OutsideArea(`${part} is a file, not a directory`);
    }
    return current;
  }

  /** The real path of an existing file when it is inside the area. */
  async #inside(file: string): Promise<string | undefined> {
    const real = await realpath(file).catch(() => undefined);
    if (real === undefined) return undefined;
    return isInside(real, await this.#rootPath()) ? real : undefined;
  }

  #rootPath(): Promise<string> {
    this.#realRoot ??= mkdir(this.#root, { recursive: true }).then(() => realpath(this.#root));
    return this.#realRoot;
  }
}

function isInside(path: string, root: string): boolean {
  return path.startsWith(root + sep);
}

/** A directory files may be in: the root itself, or one inside it. */
function isWithin(directory: string, root: string): boolean {
  return directory === root || isInside(directory, root);
}
