#!/usr/bin/env python3
"""Writes the seed inputs of the fuzz harnesses that take structured input
(fuzz/seed-cfg, seed-chat, seed-genopt, seed-sampler; the formats are in
each fuzz/fuzz_NAME.c). The GGUF and split seeds come from
tools/mkbadgguf.py --seeds / --split-seeds.

    tools/mkfuzzseeds.py [FUZZDIR]     (default: fuzz)
"""
import os
import struct
import sys

CFG = {
    'readme': b'\0model=tinyllama-1.1b-chat.Q4_K_M.gguf   # default model\nctx=2048\ntemp=0.7\nseed=42\n'
              b'baud=115200\nthreads=4\ntimeout=5\ndebug=1\n',
    'all-keys': b'\0serial=com2\r\nreset=acpi\nkeymap=de\nautorun=cpus\nautorun=generate -n 4 hi\n'
                b'chunk_mib=2\nsplit_map=600\nserial=0x2f8\napi=on\n',
    'bad-lines': b'\0ctx=0\ntemp=1e3\nbaud=7\nthreads=999\ncolour=blue\nnoequals\n  # only a comment\n'
                 b'model=\x01bad\nseed=18446744073709551616\n',
    'load-options': b'\1debug model=x.gguf timeout=0 ctx=512',
    'match': b'\0models/X.GGUF\0\\models\\x.gguf',
}

# (kind byte, flags byte, template, messages as (role 0..3, text), reply)
CHAT = [
    ('chatml', 3, 2, b"{% for m in messages %}<|im_start|>{{ m['role'] }}\\n{{ m['content'] }}<|im_end|>\\n"
                     b"{% endfor %}<|im_start|>system\\nYou are a helpful assistant.<|im_end|>",
     [(0, b'Be brief.'), (1, b'Hello'), (2, b'Hi there'), (1, b'How are you?')], b'Fine.<|im_end|>\nmore'),
    ('qwen3', 6, 1 | 2 | 4, b'<|im_start|>{% if enable_thinking %}<think>\n',
     [(1, b'U1'), (2, b'<think>\nhmm\n</think>\n\nAnswer one'), (1, b'U2')],
     b'<think>\nlet me see</think>\n\nThe answer.'),
    ('llama3', 2, 2 | 8, b'<|start_header_id|>system<|end_header_id|>',
     [(0, b'S'), (1, b'Q')], b'A<|eot_id|>'),
    ('r1', 12, 2 | 16, b"<\xef\xbd\x9cUser\xef\xbd\x9c><\xef\xbd\x9cAssistant\xef\xbd\x9c>",
     [(1, b'stop-here'), (1, b'why?')], b'thinking</think>\n\nbecause stop-here and more'),
    ('gemma', 7, 2 | 0xe0, b'<start_of_turn>user\n', [(0, b'sys'), (1, b'hi')], b'ok<end_of_turn>'),
    ('bad-role', 1, 2, b'', [(3, b'tool output'), (1, b'x')], b''),
]

GENOPT = {
    'all': b'\x50--temp\x000.7\x00--top-k\x0040\x00-n\x00-1\x00top_p\x000.9\x00--seed\x00123\x00'
           b'repeat-penalty\x001.1\x00min_p\x001e-3\x00--repeat-last-n\x0064',
    'bad': b'\x07--temp\x00nan\x00-s\x0018446744073709551616\x00--top-k\x001e9\x00temperature\x00-0\x00'
           b'n\x00  5\x00--n-predict\x0099999999999999\x00top-p\x000x1p-1',
    'usage': b'\xff[--ids] PROMPT',
}


def sampler_seed(sane, temp, top_k, top_p, min_p, pen, last_n, logits, hist):
    n = len(logits)
    b = bytes([(n - 1) * 2 % 200 | sane])
    be = lambda f: struct.pack('>f', f)
    b += be(temp) + struct.pack('>i', top_k) + be(top_p) + be(min_p) + be(pen)
    b += struct.pack('>I', last_n + 16) + struct.pack('>II', 0, 42)
    b += b''.join(be(x) for x in logits)
    b += struct.pack('>I', len(hist)) + b''.join(struct.pack('>I', h) for h in hist)
    return b


SAMPLER = {
    'defaults': sampler_seed(1, 0.8, 40, 0.95, 0.05, 1.1, 64, [1, 3, 3, -2, 0.5, 2.9, -1, 0], [1, 2, 5]),
    'greedy': sampler_seed(1, 0, 0, 1, 0, 1, 0, [0.5, 0.25, 2, 2], []),
    'hostile': sampler_seed(0, float('nan'), -5, float('inf'), -1, 0, 5000,
                            [float('nan'), float('inf'), -float('inf'), 1e38, -1e-45, 0], [0xffffffff, 3, 1 << 30]),
}


def main():
    args = sys.argv[1:]
    if len(args) > 1 or (args and args[0].startswith('-')):
        sys.exit(__doc__)
    top = args[0] if args else 'fuzz'

    def write(kind, name, data):
        d = os.path.join(top, 'seed-' + kind)
        os.makedirs(d, exist_ok=True)
        with open(os.path.join(d, name), 'wb') as f:
            f.write(data)

    for name, data in CFG.items():
        write('cfg', name, data)
    for name, kind, flags, tmpl, msgs, reply in CHAT:
        data = bytes([kind, flags]) + tmpl + b'\0'
        data += b''.join(bytes([96 + r]) + t + b'\0' for r, t in msgs) + reply
        write('chat', name, data)
    for name, data in GENOPT.items():
        write('genopt', name, data)
    for name, data in SAMPLER.items():
        write('sampler', name, data)


if __name__ == '__main__':
    main()
