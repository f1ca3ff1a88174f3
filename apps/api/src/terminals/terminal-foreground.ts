import type { TTerminalForeground } from "@kubelab/shared";

/**
 * Run in the node with the terminal id as $1: prints "<shell pid> <tty foreground group>" from the
 * shell's /proc stat (the pid file is written by the shell at start, see TerminalRegistry), then,
 * when that group is not the shell's own, its leader's name and command line (NULs as spaces).
 * Exit 3: no such shell.
 */
export const FOREGROUND_SCRIPT = [
  'pid=$(cat "/run/kubelab/terminals/$1.pid" 2>/dev/null) || exit 3',
  'stat=$(cat "/proc/$pid/stat" 2>/dev/null) || exit 3',
  // Fields after the ")" closing the command name: state ppid pgrp session tty_nr tpgid ...
  "rest=${stat##*)}",
  "set -- $rest",
  'echo "$pid $6"',
  '[ "$6" -gt 0 ] && [ "$6" != "$pid" ] || exit 0',
  'head -c 200 "/proc/$6/comm" 2>/dev/null',
  'head -c 2000 "/proc/$6/cmdline" 2>/dev/null | tr "\\0" " "',
].join("\n");

// An interactive shell in the foreground (the attendee typed `bash`, `su -`, `sudo -i`) is at its
// own prompt: typing there is what the attendee expects, not an interruption.
const SHELLS = new Set(["bash", "sh", "ash", "dash", "zsh", "ksh", "fish", "su", "sudo", "login"]);

const NOT_BUSY: TTerminalForeground = { busy: false, command: null };

/** Reads FOREGROUND_SCRIPT's output. */
export function foregroundFrom(output: string): TTerminalForeground {
  const [ids = "", comm = "", ...rest] = output.split("\n");
  const [shellPid, group] = ids.trim().split(/\s+/);
  if (!shellPid || !group || group === shellPid || !/^[1-9][0-9]*$/.test(group)) return NOT_BUSY;
  const name = comm.trim();
  const cmdline = rest.join("\n").replace(/\s+/g, " ").trim();
  if (name === "" && cmdline === "") return { busy: true, command: null }; // the group leader already left
  if (SHELLS.has(name) && isBareShell(cmdline)) return NOT_BUSY;
  return { busy: true, command: cmdline || name };
}

// "bash", "-bash", "/bin/bash -l", "su -", "sudo -i": a shell at its prompt; "bash script.sh" or
// "sh -c 'sleep 9'" run something.
function isBareShell(cmdline: string): boolean {
  const [, ...args] = cmdline.split(" ");
  return args.every((arg) => arg.startsWith("-") && arg !== "-c");
}
