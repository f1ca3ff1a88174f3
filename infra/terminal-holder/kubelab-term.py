# Kubelab's terminal holder (issue 19): keeps a terminal's shell running in its node across
# restarts of Kubelab, so that a new (or a second) Kubelab process attaches to the same shell.
#
# Kubelab runs this with `python3 -c` through a docker exec without a TTY; nothing is installed
# in the node. The exec'd process is the *client*: it connects to the terminal's holder over a
# unix socket (starting the holder first if there is none) and relays bytes both ways, unchanged.
# The *holder* is a daemon that owns the shell's pty, numbers every output byte and keeps the
# last RING bytes, so an attaching client is told exactly which offsets it can still replay.
#
# Frames, both ways: one type byte, a 4-byte big-endian length, the payload.
#   to the holder:   i  input bytes for the shell
#                    r  window size: cols, rows (2 bytes each)
#   from the holder: h  hello, JSON {"state": "created"|"attached", "start", "end", "pid"},
#                       followed by the ring's bytes [start, end) as o frames
#                    o  output bytes (offsets continue from the previous o)
#                    x  the shell's exit status (4 bytes, signed; 128+N for signal N)
#
# Why not dtach or tmux: dtach's single loop writes keystrokes to the pty with blocking writes, so
# a paste into a program that prints without reading hangs the terminal for good; tmux renders
# the screen and would break byte offsets. Here input and output never wait for each other.
#
# Arguments: DIR TERMINAL_ID RING_BYTES COLS ROWS. Python 3.6 or later, standard library only.
import errno
import fcntl
import json
import os
import select
import signal
import socket
import struct
import sys
import termios
import threading

HEAD = struct.Struct(">cI")
CHUNK = 64 * 1024
# Output frames carry up to this much (Kubelab refuses frames over 1 MiB).
FRAME_MAX = 256 * 1024
# A client whose unsent output passes this stops the shell's output (as a slow terminal would).
CLIENT_HIGH = 256 * 1024
# Input waiting for the shell beyond this stops reading that client's keystrokes (a huge paste).
INPUT_HIGH = 256 * 1024


def name_process(name):
    """Names the process in ps and top (and keeps `pkill python3` in a lesson from ending shells)."""
    try:
        import ctypes

        ctypes.CDLL(None).prctl(15, name.encode(), 0, 0, 0)  # PR_SET_NAME
    except Exception:
        pass


def frame(kind, payload):
    return HEAD.pack(kind, len(payload)) + payload


def set_winsize(fd, cols, rows):
    if cols > 0 and rows > 0:
        fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))


def exit_status(status):
    if os.WIFEXITED(status):
        return os.WEXITSTATUS(status)
    if os.WIFSIGNALED(status):
        return 128 + os.WTERMSIG(status)
    return 1


class Ring:
    """The last `size` output bytes, numbered from the shell's first byte."""

    def __init__(self, size):
        self.size = size
        self.data = bytearray()
        self.end = 0

    @property
    def start(self):
        return self.end - len(self.data)

    def append(self, chunk):
        self.data += chunk
        self.end += len(chunk)
        extra = len(self.data) - self.size
        if extra > 0:
            del self.data[:extra]


class Client:
    def __init__(self, sock):
        self.sock = sock
        # Unsent output as a list of buffers (sent with one sendmsg each time: no copying).
        self.out = []
        self.out_bytes = 0
        self.parse = bytearray()

    def queue(self, *buffers):
        for buffer in buffers:
            self.out.append(buffer)
            self.out_bytes += len(buffer)

    def send(self):
        sent = self.sock.sendmsg(self.out[:64])
        self.out_bytes -= sent
        while sent:
            first = self.out[0]
            if len(first) <= sent:
                sent -= len(first)
                self.out.pop(0)
            else:
                self.out[0] = memoryview(first)[sent:]
                sent = 0


class Holder:
    def __init__(self, listener, base, ring_bytes, cols, rows):
        self.listener = listener
        self.base = base
        self.ring = Ring(ring_bytes)
        self.clients = []
        self.attached_before = False
        self.pending_input = bytearray()
        # Output offset when the last client left: with nobody attached, the shell may print up to
        # half the ring before it waits, so that a reconnect soon after loses nothing.
        self.detached_at = 0
        self.master, slave = os.openpty()
        set_winsize(slave, cols, rows)
        self.pid = os.fork()
        if self.pid == 0:
            self.exec_shell(slave)
        os.close(slave)
        fcntl.fcntl(self.master, fcntl.F_SETFL, fcntl.fcntl(self.master, fcntl.F_GETFL) | os.O_NONBLOCK)
        self.wake_r, self.wake_w = os.pipe()
        for fd in (self.wake_r, self.wake_w):
            fcntl.fcntl(fd, fcntl.F_SETFL, fcntl.fcntl(fd, fcntl.F_GETFL) | os.O_NONBLOCK)
        signal.set_wakeup_fd(self.wake_w)
        signal.signal(signal.SIGCHLD, lambda *_: None)

    def exec_shell(self, slave):
        try:
            os.setsid()
            fcntl.ioctl(slave, termios.TIOCSCTTY, 0)
            for fd in (0, 1, 2):
                os.dup2(slave, fd)
            if slave > 2:
                os.close(slave)
            os.close(self.master)
            self.listener.close()
            # Python ignores these; a shell must start with them as they normally are (`yes | head`).
            for sig in (signal.SIGPIPE, signal.SIGXFSZ):
                signal.signal(sig, signal.SIG_DFL)
            # Kubelab reads this to end the terminal (kill the shell's session) and to see what
            # runs in the shell's foreground.
            with open(self.base + ".pid", "w") as f:
                f.write("%d\n" % os.getpid())
            os.chdir(os.environ.get("HOME", "/root") if os.path.isdir(os.environ.get("HOME", "/root")) else "/")
            for shell in ("/bin/bash", "/usr/bin/bash", "/bin/sh"):
                if os.access(shell, os.X_OK):
                    os.execv(shell, [os.path.basename(shell), "-l"])
        finally:
            os._exit(127)

    def hello(self, client):
        info = {"state": "attached" if self.attached_before else "created",
                "start": self.ring.start, "end": self.ring.end, "pid": self.pid}
        client.queue(frame(b"h", json.dumps(info).encode()))
        data = bytes(self.ring.data)
        for i in range(0, len(data), CHUNK):
            client.queue(frame(b"o", data[i:i + CHUNK]))

    def read_output(self, limit=FRAME_MAX):
        # A pty hands out at most 4 KiB per read: what is there already goes out as one frame, so
        # a flood costs fewer frames, wake-ups and WebSocket messages down the line.
        parts = []
        size = 0
        alive = True
        while size < limit:
            try:
                part = os.read(self.master, min(CHUNK, limit - size))
            except OSError as e:
                alive = e.errno in (errno.EAGAIN, errno.EINTR)  # else EIO: the pty's other end is closed
                break
            if not part:
                alive = False
                break
            parts.append(part)
            size += len(part)
        if not parts:
            return alive
        chunk = b"".join(parts)
        self.ring.append(chunk)
        head = HEAD.pack(b"o", len(chunk))
        for client in self.clients:
            client.queue(head, chunk)
        return alive

    def read_client(self, client):
        try:
            data = client.sock.recv(CHUNK)
        except OSError as e:
            if e.errno in (errno.EAGAIN, errno.EINTR):
                return
            data = b""
        if not data:
            self.drop(client)
            return
        client.parse += data
        while len(client.parse) >= HEAD.size:
            kind, length = HEAD.unpack_from(client.parse)
            if len(client.parse) < HEAD.size + length:
                break
            payload = bytes(client.parse[HEAD.size:HEAD.size + length])
            del client.parse[:HEAD.size + length]
            if kind == b"i":
                self.pending_input += payload
            elif kind == b"r" and length == 4:
                cols, rows = struct.unpack(">HH", payload)
                try:
                    set_winsize(self.master, cols, rows)
                except OSError:
                    pass

    def write_client(self, client):
        try:
            client.send()
        except OSError as e:
            if e.errno not in (errno.EAGAIN, errno.EINTR):
                self.drop(client)

    def write_input(self):
        try:
            written = os.write(self.master, self.pending_input[:CHUNK])
        except OSError as e:
            if e.errno in (errno.EAGAIN, errno.EINTR):
                return
            self.pending_input.clear()
            return
        del self.pending_input[:written]

    def drop(self, client):
        if client in self.clients:
            self.clients.remove(client)
            client.sock.close()
            if not self.clients:
                self.detached_at = self.ring.end

    def accept(self):
        try:
            sock, _ = self.listener.accept()
        except OSError:
            return
        sock.setblocking(False)
        client = Client(sock)
        self.hello(client)
        self.attached_before = True
        self.clients.append(client)

    def output_budget(self):
        """How much output may be read now: 0 pauses the shell (it blocks on its terminal)."""
        if not self.clients:
            return max(0, self.ring.size // 2 - (self.ring.end - self.detached_at))
        if any(c.out_bytes > CLIENT_HIGH for c in self.clients):
            return 0
        return FRAME_MAX

    def reap(self):
        try:
            pid, status = os.waitpid(self.pid, os.WNOHANG)
        except ChildProcessError:
            return 1
        return exit_status(status) if pid == self.pid else None

    def run(self):
        status = None
        while status is None:
            readers = [self.listener, self.wake_r]
            writers = []
            budget = self.output_budget()
            if budget > 0:
                readers.append(self.master)
            if len(self.pending_input) < INPUT_HIGH:
                readers += [c.sock for c in self.clients]
            if self.pending_input:
                writers.append(self.master)
            writers += [c.sock for c in self.clients if c.out_bytes]
            try:
                readable, writable, _ = select.select(readers, writers, [], 5.0)
            except InterruptedError:
                continue
            if self.wake_r in readable:
                try:
                    while os.read(self.wake_r, 512):
                        pass
                except OSError:
                    pass
            if self.master in readable and not self.read_output(budget):
                # The pty's other end is closed: the shell is gone or about to be.
                status = self.wait_exit()
                break
            if self.master in writable:
                self.write_input()
            for client in list(self.clients):
                if client.sock in readable:
                    self.read_client(client)
                if client in self.clients and client.sock in writable:
                    self.write_client(client)
            if self.listener in readable:
                self.accept()
            status = self.reap()
        self.finish(status)

    def wait_exit(self):
        while True:
            status = self.reap()
            if status is not None:
                return status
            select.select([self.wake_r], [], [], 0.2)

    def finish(self, status):
        # What the shell printed last, then its exit status, to every client; then the socket goes.
        while self.read_output():
            if not select.select([self.master], [], [], 0)[0]:
                break
        try:
            os.unlink(self.base + ".sock")
        except OSError:
            pass
        self.listener.close()
        end = frame(b"x", struct.pack(">i", status))
        for client in self.clients:
            client.queue(end)
            client.sock.setblocking(True)
            client.sock.settimeout(5.0)
            try:
                client.sock.sendall(b"".join(bytes(b) for b in client.out))
                client.sock.shutdown(socket.SHUT_WR)
            except OSError:
                pass
            client.sock.close()


def start_holder(base, ring_bytes, cols, rows):
    """Binds the socket, then leaves a daemon behind that owns the shell (double fork, new session)."""
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(base + ".sock")
    listener.listen(16)
    pid = os.fork()
    if pid == 0:
        try:
            os.setsid()
            if os.fork() == 0:
                # Nothing of the docker exec may stay open here (it would not end), nor the lock.
                devnull = os.open(os.devnull, os.O_RDWR)
                for fd in (0, 1, 2):
                    os.dup2(devnull, fd)
                keep = listener.fileno()
                os.closerange(3, keep)
                os.closerange(keep + 1, 4096)
                listener.setblocking(False)
                name_process("kubelab-hold")
                Holder(listener, base, ring_bytes, cols, rows).run()
        finally:
            os._exit(0)
    os.waitpid(pid, 0)
    listener.close()


def connect(path):
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        sock.connect(path)
        return sock
    except OSError:
        sock.close()
        return None


def relay(read, write):
    while True:
        data = read()
        if not data:
            break
        write(data)
    # Either side ending ends the client; the holder keeps the shell.
    os._exit(0)


def main():
    directory, terminal_id, ring_bytes, cols, rows = sys.argv[1:6]
    if not terminal_id.replace("-", "").replace("_", "").isalnum():
        sys.exit("bad terminal id")
    name_process("kubelab-attach")
    os.makedirs(directory, exist_ok=True)
    base = os.path.join(directory, terminal_id)
    sock = connect(base + ".sock")
    if sock is None:
        # One creator at a time: a second Kubelab process may attach at the same moment.
        with open(base + ".lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            sock = connect(base + ".sock")
            if sock is None:
                # A socket whose holder is gone (killed) refuses connections: start afresh.
                for suffix in (".sock", ".pid"):
                    try:
                        os.unlink(base + suffix)
                    except OSError:
                        pass
                start_holder(base, int(ring_bytes), int(cols), int(rows))
                sock = connect(base + ".sock")
    if sock is None:
        sys.exit("could not reach the terminal holder")

    def write_stdout(data):
        view = memoryview(data)
        while view:
            view = view[os.write(1, view):]

    # Two threads: keystrokes and output never wait for each other.
    # (splice(2) would save a copy but waits to fill its whole length from a unix socket.)
    threading.Thread(target=relay, args=(lambda: os.read(0, CHUNK), sock.sendall), daemon=True).start()
    relay(lambda: sock.recv(FRAME_MAX), write_stdout)


main()
