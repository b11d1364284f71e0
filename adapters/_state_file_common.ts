/**
 * What the state-file adapters share.
 *
 * @module
 */

let counter = 0;

/**
 * A temporary file name in the same directory as `path`, so the rename that replaces `path`
 * stays on one file system and is atomic; unique per process and per write.
 *
 * @param path the file to replace
 * @returns `path.<random>.tmp`
 */
export function temporaryPath(path: string): string {
  const unique = `${Date.now().toString(36)}${(counter++).toString(36)}${
    Math.floor(Math.random() * 2 ** 32).toString(36)
  }`;
  return `${path}.${unique}.tmp`;
}
