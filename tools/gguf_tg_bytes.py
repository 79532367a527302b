#!/usr/bin/env python3
"""Bytes of weights one generated token reads from a GGUF: every tensor
except token_embd, of which a token reads one row (and all of it again as
the output when there is no output.weight), and of the experts' stacked
tensors (ffn_*_exps) the expert_used_count of expert_count it runs. The
same count as `llm info`'s "a token reads". Used by tools/bench.sh."""
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
        if t in (4, 5, 10, 11):  # u32, i32, u64, i64: keep them
            return take({4: "I", 5: "i", 10: "Q", 11: "q"}[t])
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
    ints = {}
    for _ in range(n_kv):
        n = take("Q")
        key = data[pos:pos + n].decode()
        pos += n
        v = skip_value(take("I"))
        if v is not None:
            ints[key.rsplit(".", 1)[-1]] = v
    n_expert, n_used = ints.get("expert_count", 0), ints.get("expert_used_count", 0)
    total, tied = 0, True
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
        if name == "token_embd.weight":
            embd, row = nbytes, nbytes // ne[1]
            total += row
        elif "_exps." in name and n_expert:
            total += nbytes // n_expert * n_used
        else:
            total += nbytes
        tied &= name != "output.weight"
    print(total + embd if tied else total)


if __name__ == "__main__":
    main(sys.argv[1])
