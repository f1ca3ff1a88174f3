// The server closes a socket on frames over 1 MiB (close code 1009); big pastes
// go out in 64 KiB pieces, which also keeps one paste from hogging the socket.
export const INPUT_CHUNK_BYTES = 64 * 1024;

const encoder = new TextEncoder();

/** Terminal input as bytes: text is UTF-8; xterm's "binary" strings carry one byte per char. */
export function encodeInput(data: string, kind: "text" | "binary" = "text"): Uint8Array {
  if (kind === "text") return encoder.encode(data);
  return Uint8Array.from(data, (char) => char.charCodeAt(0) & 0xff);
}

export function splitIntoChunks(bytes: Uint8Array, chunkBytes = INPUT_CHUNK_BYTES): Uint8Array[] {
  const chunks: Uint8Array[] = [];
  for (let offset = 0; offset < bytes.length; offset += chunkBytes) {
    chunks.push(bytes.subarray(offset, offset + chunkBytes));
  }
  return chunks;
}
