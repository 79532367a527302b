#!/usr/bin/env python3
"""Reference splits for the BPE pre-tokenizers, from Python's backtracking
`re` with the \\p{L} / \\p{N} / \\p{P} / \\s classes spelled out over a test
alphabet (categories from unicodedata, whitespace as llama.cpp's set).

Prints one line per random case: PRE <tab> HEX(text) <tab> HEX(word),...
tests/t-20-tokenizer.sh feeds the first two columns to
`test_tok_synth --split` and compares its output with these lines.
Usage: tok_pre_ref.py [N_PER_PRE] [SEED]
"""
import random
import re
import sys
import unicodedata

ALPHABET = (
    "abstdlervmSTLDRVM\u00e9\u4f60\u03a9"   # letters (incl. contraction letters)
    "0129\u0663\u216b\u00bd"                # numbers: Nd, Arabic-Indic, Nl, No
    " \t\n\r\x0b\x0c\u00a0\u3000\u2028\x85"  # whitespace (llama.cpp's set)
    "!.,'\"(\u00ab\u3001_-"                 # punctuation
    "$+<=>^|`~\U0001F600\u00a9"             # symbols
    "\x01\u200b"                            # other (Cc, Cf)
)
WEIGHTED = ALPHABET + " " * 8 + "'" * 4 + "\n" * 3 + "st" * 2 + "1" * 3


def cls(pred):
    return ''.join(re.escape(c) for c in ALPHABET if pred(c))


def cat(c):
    return unicodedata.category(c)[0]


SPACES = {c for c in ALPHABET if ord(c) in (0x85, 0xA0, 0x3000, 0x2028)
          or c in ' \t\n\r\x0b\x0c'}
L = cls(lambda c: cat(c) == 'L')
N = cls(lambda c: cat(c) == 'N')
S = cls(lambda c: c in SPACES)
P = cls(lambda c: cat(c) == 'P')

GPT2_NOWS = (r"'s|'t|'re|'ve|'m|'ll|'d| ?[%s]+| ?[%s]+| ?[^%s%s%s]+|[%s]+(?![^%s])"
             % (L, N, S, L, N, S, S))
GPT2 = GPT2_NOWS + r"|[%s]+" % S
LLAMA3 = (r"(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])|[^\r\n%s%s]?[%s]+|[%s]{1,3}"
          r"| ?[^%s%s%s]+[\r\n]*|[%s]*[\r\n]+|[%s]+(?![^%s])|[%s]+"
          % (L, N, L, N, S, L, N, S, S, S, S))
QWEN2 = LLAMA3.replace("{1,3}", "")
PRES = {
    'gpt-2': [GPT2],
    'llama3': [LLAMA3],
    'qwen2': [QWEN2],
    'smollm': ["[%s]" % N, GPT2_NOWS],
    'default': [r"[%s\$\+<=>\^~\|]+" % P, GPT2_NOWS, "[%s]+" % N, "[0-9][0-9][0-9]"],
}


def split(text, regexes):
    frags = [text] if text else []
    for rx in regexes:
        r = re.compile(rx)
        out = []
        for f in frags:
            pos = 0
            for m in r.finditer(f):
                if m.start() > pos:
                    out.append(f[pos:m.start()])
                out.append(m.group())
                pos = m.end()
            if pos < len(f):
                out.append(f[pos:])
        frags = out
    return frags


def hx(s):
    return s.encode('utf-8').hex()


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 300
    rnd = random.Random(int(sys.argv[2]) if len(sys.argv) > 2 else 1)
    for pre, rxs in PRES.items():
        for _ in range(n):
            text = ''.join(rnd.choice(WEIGHTED) for _ in range(rnd.randint(1, 24)))
            print('%s\t%s\t%s' % (pre, hx(text), ','.join(hx(w) for w in split(text, rxs))))


if __name__ == '__main__':
    main()
