import { randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import type { AppConfig } from "../config/app-config";

/**
 * The key that signs port tickets and cookies. SECRET_KEY wins (several
 * servers behind one load balancer must share it); otherwise one is generated
 * on first start and kept in <KUBELAB_DATA_DIR>/secret-key (mode 600), so
 * cookies survive restarts.
 */
export function loadSecretKey(config: AppConfig): Buffer {
  if (config.secretKey) return Buffer.from(config.secretKey, "utf8");
  const file = path.join(config.dataDir, "secret-key");
  fs.mkdirSync(config.dataDir, { recursive: true });
  try {
    // "wx": of several processes starting at once, one writes and the others read its key.
    fs.writeFileSync(file, randomBytes(32).toString("base64url"), { flag: "wx", mode: 0o600 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
  }
  const key = fs.readFileSync(file, "utf8").trim();
  if (key.length < 32) throw new Error(`${file} holds no usable key; delete it to have a new one generated`);
  return Buffer.from(key, "utf8");
}
