import { z } from "zod";

const DURATION_UNITS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400 };

/** "90s", "30m", "2h", "1d" → seconds. Plain numbers are rejected: the unit must be explicit. */
export const zDuration = z.string().transform((raw, ctx) => {
  const match = /^(\d+(?:\.\d+)?)(s|m|h|d)$/.exec(raw.trim());
  if (!match) {
    ctx.addIssue({ code: "custom", message: `expected a duration like 90s, 30m or 2h (got "${raw}")` });
    return z.NEVER;
  }
  return Math.round(Number(match[1]) * (DURATION_UNITS[match[2]!] ?? 1));
});

const SIZE_UNITS: Record<string, number> = { "": 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 };

/** "512m", "2g" → bytes, as docker's --memory reads them. */
export const zByteSize = z.string().transform((raw, ctx) => {
  const match = /^(\d+(?:\.\d+)?)([kmg]?)b?$/i.exec(raw.trim());
  if (!match) {
    ctx.addIssue({ code: "custom", message: `expected a size like 512m or 2g (got "${raw}")` });
    return z.NEVER;
  }
  return Math.round(Number(match[1]) * (SIZE_UNITS[match[2]!.toLowerCase()] ?? 1));
});

export const zIntFromString = (min: number, max: number) =>
  z.string().regex(/^\d+$/, "expected a whole number").transform(Number).pipe(z.number().int().min(min).max(max));

export const zNumberFromString = (min: number, max: number) =>
  z
    .string()
    .regex(/^\d+(\.\d+)?$/, "expected a number")
    .transform(Number)
    .pipe(z.number().min(min).max(max));

export const zBooleanFromString = z.enum(["true", "false"]).transform((v) => v === "true");

/** "a, b,c" → ["a", "b", "c"]; empty entries are dropped. */
export const zCommaList = (fallback: string) =>
  z
    .string()
    .default(fallback)
    .transform((value) =>
      value
        .split(",")
        .map((item) => item.trim())
        .filter(Boolean),
    );

/** An http(s) URL without a trailing slash, so paths can be appended to it. */
export const zBaseUrl = z
  .url({ protocol: /^https?$/, error: "expected an http:// or https:// URL" })
  .transform((url) => url.replace(/\/+$/, ""));

/** "10.20.0.0/16" (or a bare address, read as /32): an IPv4 network in CIDR notation. */
export const zIpv4Cidr = z
  .string()
  .regex(
    /^((25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\/(3[0-2]|[12]?\d))?$/,
    "expected an IPv4 network like 10.20.0.0/16",
  )
  .transform((value) => (value.includes("/") ? value : `${value}/32`));

/** "kubelab/node-centos:latest=10, other:tag=2" → { image: size }; an image named twice is an error. */
export const zPoolSizes = zCommaList("").transform((entries, ctx) => {
  const sizes: Record<string, number> = {};
  for (const entry of entries) {
    const match = /^(\S+)=(\d+)$/.exec(entry);
    const size = match ? Number(match[2]) : NaN;
    if (!match || size > 1000) {
      ctx.addIssue({ code: "custom", message: `expected image=size with a size of 0 to 1000 (got "${entry}")` });
      return z.NEVER;
    }
    if (match[1]! in sizes) {
      ctx.addIssue({ code: "custom", message: `${match[1]} is listed twice` });
      return z.NEVER;
    }
    sizes[match[1]!] = size;
  }
  return sizes;
});
