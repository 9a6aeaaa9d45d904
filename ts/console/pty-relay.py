"""A pseudo-terminal whose other end is this process's stdin/stdout, for tests: a fake board
written in TypeScript reads and writes our stdio, and the program under test opens the pty like
a USB serial port. Prints "pty <path>" on stderr once ready; exits when stdin closes (the pty
then hangs up, like an unplugged board). Standard library only."""
import os
import pty
import select
import sys
import tty

master, slave = pty.openpty()
tty.setraw(slave)  # no echo or line editing before the client sets its own mode
sys.stderr.write("pty %s\n" % os.ttyname(slave))
sys.stderr.flush()
stdin, stdout = sys.stdin.fileno(), sys.stdout.fileno()
open_fds = [stdin, master]
while True:
    ready, _, _ = select.select(open_fds, [], [])
    if stdin in ready:
        data = os.read(stdin, 4096)
        if not data:
            break
        os.write(master, data)
    if master in ready:
        try:
            data = os.read(master, 4096)
        except OSError:  # EIO: no client has the pty open right now
            data = b""
        if data:
            os.write(stdout, data)
        else:
            # Wait for a client without spinning: poll the master again shortly.
            select.select([stdin], [], [], 0.05)
os.close(master)
os.close(slave)
