#!/usr/bin/env python3
"""PS/2 keyboard check for tests/t-40-kernel.sh: boots $BUILD/BOOTX64.EFI
under QEMU (no model), waits for the shell prompt on serial, types
`echo Hi_2 there` through the QEMU monitor's `sendkey` (the emulated i8042,
not the serial line), then Up (history), Left x5, `X`, Enter, which must
give `Hi_2 Xthere` (line editing), then `poweroff` over serial. Prints
PASS/FAIL lines; exit status 0 when both came back."""
import os
import select
import socket
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BUILD = os.environ.get("BUILD", "build")
KEYS = ["e", "c", "h", "o", "spc", "shift-h", "i", "shift-minus", "2", "spc",
        "t", "h", "e", "r", "e", "ret"]
WANT = "Hi_2 there"
EDIT_KEYS = ["up", "left", "left", "left", "left", "left", "shift-x", "ret"]
WANT_EDIT = "Hi_2 Xthere"


def main():
    tmp = tempfile.mkdtemp(prefix="kbdtest-")
    img, mon = os.path.join(tmp, "esp.img"), os.path.join(tmp, "mon.sock")
    r = subprocess.run([sys.executable, os.path.join(ROOT, "tools", "mkesp"), "-o", img,
                        "--efi", os.path.join(ROOT, BUILD, "BOOTX64.EFI")])
    if r.returncode:
        print("FAIL: kernel PS/2 keyboard (mkesp failed)")
        return 1
    q = subprocess.Popen(["qemu-system-x86_64", "-accel", "tcg", "-cpu", "max", "-m", "512",
                          "-bios", "/usr/share/ovmf/OVMF.fd", "-drive",
                          "if=virtio,format=raw,file=" + img, "-nodefaults", "-vga", "std",
                          "-display", "none", "-serial", "stdio", "-monitor",
                          "unix:%s,server=on,wait=off" % mon, "-no-reboot"],
                         stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                         stderr=subprocess.STDOUT, start_new_session=True)
    out = b""
    ok = edit_ok = False

    def read_until(pat, limit):
        nonlocal out
        end = time.time() + limit
        while time.time() < end:
            rd, _, _ = select.select([q.stdout], [], [], 0.2)
            if rd:
                d = os.read(q.stdout.fileno(), 65536)
                if not d:
                    return False
                out += d
                if pat in out:
                    return True
        return False

    try:
        if read_until(b"llm> ", 120):
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            s.connect(mon)
            for k in KEYS:
                s.sendall(("sendkey %s\n" % k).encode())
                time.sleep(0.15)
            ok = read_until(b"\n" + WANT.encode(), 30)
            for k in EDIT_KEYS:
                s.sendall(("sendkey %s\n" % k).encode())
                time.sleep(0.15)
            edit_ok = read_until(b"\n" + WANT_EDIT.encode(), 30)
            s.close()
        q.stdin.write(b"poweroff\r")
        q.stdin.flush()
        read_until(b"powering off", 20)
    finally:
        try:
            q.wait(timeout=20)
        except subprocess.TimeoutExpired:
            q.kill()
            q.wait()
        for f in (img, mon):
            if os.path.exists(f):
                os.unlink(f)
        os.rmdir(tmp)
    print("%s: kernel PS/2 keyboard: keys typed via QEMU sendkey reach the shell" %
          ("PASS" if ok else "FAIL"))
    print("%s: kernel line editor: Up recalls the line, Left + insert edit it" %
          ("PASS" if edit_ok else "FAIL"))
    if not (ok and edit_ok):
        tail = out.decode("latin-1").replace("\r", "")[-400:]
        print("# serial tail: " + tail.replace("\n", "\n# "))
    return 0 if ok and edit_ok else 1


if __name__ == "__main__":
    sys.exit(main())
