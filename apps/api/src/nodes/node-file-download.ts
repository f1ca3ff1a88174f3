import type { Readable } from "node:stream";
import tarStream from "tar-stream";
import { AppError } from "../common/app-error";

// An absolute path of at most 4 KiB, no NUL, no "." or ".." segment (a download names one file;
// the node is the attendee's, but a path that climbs is a mistake or a probe either way).
const MAX_PATH_LENGTH = 4096;

/** The `path` query of a download, checked: absolute, without `.`/`..` segments; else 400 `bad_request`. */
export function downloadPath(raw: unknown): string {
  if (typeof raw !== "string" || raw === "") {
    throw new AppError("bad_request", "Say which file to download: ?path=/absolute/path");
  }
  if (!raw.startsWith("/")) throw new AppError("bad_request", `The path must be absolute (start with /): ${clip(raw)}`);
  if (raw.length > MAX_PATH_LENGTH || raw.includes("\0")) throw new AppError("bad_request", "That path is not valid");
  if (raw.split("/").some((segment) => segment === ".." || segment === ".")) {
    throw new AppError("bad_request", `The path must not contain "." or ".." segments: ${clip(raw)}`);
  }
  if (raw.endsWith("/")) throw new AppError("bad_request", `That path names a directory, not a file: ${clip(raw)}`);
  return raw.replace(/\/{2,}/g, "/");
}

function clip(text: string): string {
  return text.length > 120 ? `${text.slice(0, 120)}…` : text;
}

// Type bits of Go's os.FileMode, as Docker reports them (bit numbers; 2**31 is beyond JS's int32 bit operators).
const MODE_BIT = { dir: 31, symlink: 27, device: 26, namedPipe: 25, socket: 24, charDevice: 21, irregular: 19 };

function hasModeBit(mode: number, bit: number): boolean {
  return Math.floor(mode / 2 ** bit) % 2 === 1;
}

export type PathKind = "file" | "directory" | "symlink" | "other";

/** What kind of file Docker's stat `mode` describes. */
export function pathKind(mode: number): PathKind {
  if (hasModeBit(mode, MODE_BIT.dir)) return "directory";
  if (hasModeBit(mode, MODE_BIT.symlink)) return "symlink";
  const special = [MODE_BIT.device, MODE_BIT.namedPipe, MODE_BIT.socket, MODE_BIT.charDevice, MODE_BIT.irregular];
  return special.some((bit) => hasModeBit(mode, bit)) ? "other" : "file";
}

/**
 * Content-Disposition for a downloaded file: an ASCII `filename` any browser takes (characters
 * outside a safe set become "_") plus the exact name as RFC 5987 `filename*`.
 */
export function attachmentDisposition(path: string): string {
  const base = path.slice(path.lastIndexOf("/") + 1) || "download";
  const ascii = base.replace(/[^A-Za-z0-9._ -]/g, "_").replace(/^\.+/, "_") || "download";
  const encoded = encodeURIComponent(base).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encoded}`;
}

/** "12 MiB", "1.5 MiB", "300 KiB": sizes in refusals people read. */
export function formatSize(bytes: number): string {
  if (bytes >= 1024 ** 2) return `${Number((bytes / 1024 ** 2).toFixed(1))} MiB`;
  return `${Math.max(1, Math.round(bytes / 1024))} KiB`;
}

/**
 * The first regular file in a tar archive, as a stream of its bytes (never buffered whole).
 * Rejects with 404 when the archive holds none. The archive must be destroyed by the caller if
 * this rejects or once the file's stream is done with early.
 */
export function firstFileOf(archive: Readable): Promise<{ size: number; stream: Readable }> {
  return new Promise((resolve, reject) => {
    const extract = tarStream.extract();
    let file: Readable | undefined;
    extract.on("entry", (header, stream, next) => {
      stream.on("end", () => next());
      if (file || header.type !== "file") {
        stream.resume();
        return;
      }
      file = stream;
      resolve({ size: header.size ?? 0, stream });
    });
    extract.on("finish", () => {
      if (!file) reject(new AppError("not_found", "The archive Docker sent holds no regular file"));
    });
    extract.on("error", (error: Error) => {
      if (file) file.destroy(error);
      else reject(error);
    });
    archive.on("error", (error) => extract.destroy(error));
    archive.pipe(extract);
  });
}
