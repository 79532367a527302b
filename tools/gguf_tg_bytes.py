#!/usr/bin/env python3
"""Bytes of weights one generated token reads from a GGUF: every tensor
except token_embd (of which a token reads one row). Used by tools/bench.sh."""
import struct
import sys

SIZES = {0: (1, 4), 1: (1, 2), 2: (32, 18), 3: (32, 20), 6: (32, 22), 7: (32, 24),
         8: (32, 34), 10: (256, 84), 11: (256, 110), 12: (256, 144), 13: (256, 176),
         14: (256, 210), 30: (1, 2)}
SCALAR = {0: 1, 1: 1, 2: 2, 3: 2, 4: 4, 5: 4, 6: 4, 7: 1, 10: 8, 11: 8, 12: 8}


def main(path):
    with open(path, "rb") as f:
        data = f.read(64 << 20)
    pos = 0

    def take(fmt):
        nonlocal pos
        v = struct.unpack_from("<" + fmt, data, pos)
        pos += struct.calcsize("<" + fmt)
        return v[0]

    def skip_value(t):
        nonlocal pos
        if t == 8:
            n = take("Q")
            pos += n
        elif t == 9:
            et, n = take("I"), take("Q")
            for _ in range(n):
                skip_value(et)
        else:
            n = SCALAR[t]
            pos += n

    assert take("I") == 0x46554747, "not a GGUF file"
    take("I")
    n_tensors, n_kv = take("Q"), take("Q")
    for _ in range(n_kv):
        n = take("Q")
        pos += n
        skip_value(take("I"))
    total = 0
    for _ in range(n_tensors):
        n = take("Q")
        name = data[pos:pos + n].decode()
        pos += n
        ne = [take("Q") for _ in range(take("I"))]
        t = take("I")
        take("Q")
        blck, tsize = SIZES[t]
        n = 1
        for d in ne:
            n *= d
        nbytes = n // blck * tsize
        total += nbytes // ne[1] if name == "token_embd.weight" else nbytes
    print(total)


if __name__ == "__main__":
    main(sys.argv[1])
