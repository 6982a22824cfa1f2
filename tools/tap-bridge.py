#!/usr/bin/env python3
"""Relays Ethernet frames between an existing Linux TAP device and stdin/stdout.

Used by the simulated board (sim/tap.ts) because Node cannot issue the TUNSETIFF ioctl.
Usage: tap-bridge.py IFNAME
  stdout: every frame the kernel sends on IFNAME, as a 2-byte big-endian length + the frame
  stdin:  frames to inject into IFNAME, same framing; EOF on stdin ends the bridge.
The TAP device must already exist (ip tuntap add dev IFNAME mode tap), normally inside a
network namespace that the caller entered (ip netns exec NS ...).
"""
import fcntl
import os
import struct
import sys
import threading

TUNSETIFF = 0x400454CA
IFF_TAP = 0x0002
IFF_NO_PI = 0x1000


def read_exact(f, n):
    buf = b""
    while len(buf) < n:
        chunk = f.read(n - len(buf))
        if not chunk:
            return None
        buf += chunk
    return buf


def main():
    if len(sys.argv) != 2:
        sys.stderr.write("usage: tap-bridge.py IFNAME\n")
        return 2
    name = sys.argv[1]
    # Attach only: TUNSETIFF would otherwise create a new device (ip netns exec remounts /sys,
    # so this sees the devices of the namespace we run in).
    if not os.path.exists("/sys/class/net/%s/tun_flags" % name):
        sys.stderr.write("tap-bridge: no TAP device %s here (create it first: ip tuntap add dev %s mode tap)\n" % (name, name))
        return 1
    try:
        fd = os.open("/dev/net/tun", os.O_RDWR)
        fcntl.ioctl(fd, TUNSETIFF, struct.pack("16sH", name.encode(), IFF_TAP | IFF_NO_PI))
    except OSError as e:
        sys.stderr.write("tap-bridge: cannot attach to TAP device %s: %s\n" % (name, e))
        return 1
    out = sys.stdout.buffer
    inp = sys.stdin.buffer
    sys.stderr.write("tap-bridge: attached to %s\n" % name)
    sys.stderr.flush()

    def to_host():
        while True:
            try:
                frame = os.read(fd, 65536)
            except OSError:
                os._exit(0)
            out.write(struct.pack(">H", len(frame)) + frame)
            out.flush()

    t = threading.Thread(target=to_host, daemon=True)
    t.start()
    while True:
        hdr = read_exact(inp, 2)
        if hdr is None:
            break
        (n,) = struct.unpack(">H", hdr)
        frame = read_exact(inp, n)
        if frame is None:
            break
        try:
            os.write(fd, frame)
        except OSError as e:
            sys.stderr.write("tap-bridge: write failed: %s\n" % e)
    os._exit(0)


if __name__ == "__main__":
    sys.exit(main())
