#!/usr/bin/env python3
"""Writes the malformed-GGUF corpus: small broken files, each with the error
message substring the parser must give, listed in OUTDIR/manifest.tsv as
"FILE<TAB>substring". tests/unit/test_gguf.c --bad OUTDIR checks them.

    tools/mkbadgguf.py OUTDIR            the malformed corpus, and hostile-*:
                                         parse-valid micro models with nonsense
                                         hyperparameters (model_load's messages),
                                         and micro-*: the models they were made
                                         from, of every architecture, which load
                                         (an empty substring in the manifest)
    tools/mkbadgguf.py --seeds OUTDIR    a few valid small GGUFs (fuzz seeds)
    tools/mkbadgguf.py --split-seeds OUTDIR  split sets in fuzz/fuzz_split.c's format
"""
import os
import struct
import sys

# value types
U8, I8, U16, I16, U32, I32, F32, BOOL, STR, ARR, U64, I64, F64 = range(13)
# ggml tensor types
T_F32, T_F16, T_Q4_0, T_Q8_0, T_Q4_K, T_F64 = 0, 1, 2, 8, 12, 28


def u32(v):
    return struct.pack('<I', v & 0xffffffff)


def u64(v):
    return struct.pack('<Q', v & 0xffffffffffffffff)


def gstr(s):
    b = s.encode() if isinstance(s, str) else s
    return u64(len(b)) + b


def header(n_tensors, n_kv, version=3, magic=b'GGUF'):
    return magic + u32(version) + u64(n_tensors) + u64(n_kv)


def kv(key, vtype, payload):
    return gstr(key) + u32(vtype) + payload


def kv_str(key, s):
    return kv(key, STR, gstr(s))


def kv_u32(key, v):
    return kv(key, U32, u32(v))


def tinfo(name, ne, ttype, offset):
    return gstr(name) + u32(len(ne)) + b''.join(u64(n) for n in ne) + u32(ttype) + u64(offset)


def pad(b, align=32):
    return b + b'\0' * ((-len(b)) % align)


BASE_KVS = [kv_str('general.architecture', 'llama'), kv_str('general.name', 'bad')]
# a.weight f32 [8] (32 bytes) at 0, b.weight q4_0 [32, 2] (36 bytes) at 32
BASE_TENSORS = [('a.weight', [8], T_F32, 0), ('b.weight', [32, 2], T_Q4_0, 32)]


def model(kvs=None, tensors=None, data=None, align=32, version=3, n_kv=None, n_tensors=None):
    """A complete file; tensors as (name, ne, type, offset) or raw bytes."""
    kvs = BASE_KVS if kvs is None else kvs
    tensors = BASE_TENSORS if tensors is None else tensors
    infos = [t if isinstance(t, bytes) else tinfo(*t) for t in tensors]
    b = header(len(infos) if n_tensors is None else n_tensors,
               len(kvs) if n_kv is None else n_kv, version)
    b += b''.join(kvs) + b''.join(infos)
    b = pad(b, align)
    return b + (bytes(range(68)) if data is None else data)


def nested(depth):
    """An array nested `depth` times around an empty u8 array."""
    inner = u32(U8) + u64(0)
    for _ in range(depth - 1):
        inner = u32(ARR) + u64(1) + inner
    return inner


def cases():
    good = model()
    hdr_end = 24
    yield 'empty', b'', 'too short'
    yield 'bad-magic', b'GGUX' + good[4:], 'bad magic'
    yield 'old-ggjt', b'tjgg' + good[4:], 'old GGML'
    yield 'byteswapped-magic', b'FUGG' + good[4:], 'big-endian'
    yield 'version-1', header(2, 2, version=1) + good[24:], 'version 1 is not supported'
    yield 'version-0', header(2, 2, version=0) + good[24:], 'version 0 unsupported'
    yield 'version-99', header(2, 2, version=99) + good[24:], 'version 99 unsupported'
    yield 'version-big-endian', b'GGUF' + struct.pack('>I', 3) + good[8:], 'big-endian'
    yield 'trunc-header-6', good[:6], 'truncated in the GGUF header'
    yield 'trunc-header-20', good[:20], 'truncated in the GGUF header'
    yield 'huge-n-kv', header(2, 1 << 40) + good[24:], 'absurd metadata count'
    yield 'huge-n-tensors', header(1 << 33, 2) + good[24:], 'absurd tensor count'
    yield 'n-kv-vs-file-size', header(0, 1000) + b''.join(BASE_KVS), 'metadata count 1000 too large'
    yield 'n-tensors-vs-file-size', header(100, 0) + tinfo('a', [8], T_F32, 0), \
        'tensor count 100 too large'
    yield 'n-kv-more-than-present', header(0, 3) + b''.join(BASE_KVS), 'kv 2: file truncated reading key'
    # keys and values
    yield 'trunc-key-length', header(0, 2) + kv_str('general.name', 'bad') + b'\x05\0\0\0', \
        'kv 1: file truncated reading key'
    yield 'key-past-end', header(0, 1) + u64(100) + b'general.name' + u32(STR) + b'\0', \
        'kv 0: key length 100 past end of file'
    yield 'key-length-2p63', header(0, 1) + u64(1 << 63) + b'x' * 16, \
        'key length 9223372036854775808 past end of file'
    yield 'key-length-2p64-1', header(0, 1) + u64(-1) + b'x' * 16, \
        'key length 18446744073709551615 past end'
    yield 'trunc-value-type', header(0, 1) + gstr('general.name') + b'\x08\0', \
        "kv 0 'general.name': file truncated reading value type"
    yield 'unknown-vtype-13', header(0, 1) + kv('k', 13, u64(0)), "kv 0 'k': unknown value type 13"
    yield 'unknown-vtype-max', header(0, 1) + kv('k', 0xffffffff, u64(0)), 'unknown value type 4294967295'
    yield 'string-past-end', header(0, 1) + kv('general.name', STR, u64(50) + b'abc'), \
        "kv 0 'general.name': string value length 50 past end"
    yield 'string-length-2p63', header(0, 1) + kv('s', STR, u64(1 << 63) + b'abc' * 4), \
        'string value length 9223372036854775808 past end'
    yield 'trunc-u64-value', header(0, 1) + kv('n', U64, b'\1\2\3'), "kv 0 'n': file truncated reading u64"
    yield 'trunc-f32-value', header(0, 1) + kv('f', F32, b'\1'), 'file truncated reading f32'
    yield 'array-unknown-elem', header(0, 1) + kv('a', ARR, u32(42) + u64(1) + b'\0' * 8), \
        'unknown array element type 42'
    yield 'array-count-overflow', header(0, 1) + kv('a', ARR, u32(U32) + u64(1 << 62) + b'\0' * 16), \
        'array of 4611686018427387904 u32 past end'
    yield 'array-u64-past-end', header(0, 1) + kv('a', ARR, u32(U64) + u64(3) + b'\0' * 16), \
        'array of 3 u64 past end'
    yield 'array-str-count-huge', header(0, 1) + kv('a', ARR, u32(STR) + u64(1 << 61) + gstr('x')), \
        'array of 2305843009213693952 str past end'
    yield 'array-str-elem-past-end', header(0, 1) + kv(
        'tokenizer.ggml.tokens', ARR, u32(STR) + u64(2) + gstr('ok') + u64(1000) + b'abc'), \
        "kv 0 'tokenizer.ggml.tokens': string value length 1000 past end"
    yield 'array-of-arrays-huge', header(0, 1) + kv('a', ARR, u32(ARR) + u64(1 << 40) + nested(1)), \
        'array of 1099511627776 array past end'
    yield 'array-depth-bomb', header(0, 1) + kv('a', ARR, nested(1000)), 'arrays nested deeper than 4'
    yield 'array-depth-5', header(0, 1) + kv('a', ARR, nested(5)), 'arrays nested deeper than 4'
    yield 'duplicate-key', model(kvs=BASE_KVS + [kv_str('general.name', 'again')]), \
        "duplicate key 'general.name'"
    # alignment
    yield 'alignment-0', model(kvs=BASE_KVS + [kv_u32('general.alignment', 0)]), \
        'general.alignment 0 is not a power of two'
    yield 'alignment-48', model(kvs=BASE_KVS + [kv_u32('general.alignment', 48)], align=48), \
        'general.alignment 48 is not a power of two'
    yield 'alignment-negative', model(kvs=BASE_KVS + [kv('general.alignment', I32, u32(-32))]), \
        'not a power of two'
    yield 'alignment-string', model(kvs=BASE_KVS + [kv_str('general.alignment', '32')]), \
        'general.alignment has type str'
    yield 'alignment-float', model(kvs=BASE_KVS + [kv('general.alignment', F32, struct.pack('<f', 32))]), \
        'general.alignment has type f32'
    yield 'alignment-2p40', model(kvs=BASE_KVS + [kv('general.alignment', U64, u64(1 << 40))]), \
        'data section starts past end of file'
    # tensor infos
    yield 'n-dims-0', model(tensors=[tinfo('a.weight', [], T_F32, 0)]), "tensor 0 'a.weight': n_dims 0 out of range"
    yield 'n-dims-5', model(tensors=[BASE_TENSORS[0], tinfo('c', [1, 1, 1, 1, 8], T_F32, 64)]), \
        "tensor 1 'c': n_dims 5 out of range"
    yield 'dim-zero', model(tensors=[('a.weight', [8, 0], T_F32, 0)]), 'dimension 1 is 0'
    yield 'dim-2p63', model(tensors=[('a.weight', [1 << 63], T_F32, 0)]), 'dimension 0 is 9223372036854775808'
    yield 'ne-product-overflow', model(tensors=[('a.weight', [1 << 32, 1 << 32], T_F32, 0)]), \
        'element count overflows'
    yield 'ne-product-overflow-4d', model(tensors=[('a.weight', [1 << 16] * 4, T_F32, 0)]), \
        'element count overflows (dimension 3'
    yield 'nbytes-overflow', model(tensors=[('a.weight', [1 << 62], T_F64, 0)]), 'size overflows'
    yield 'unknown-tensor-type', model(tensors=[('a.weight', [8], 99, 0)]), "tensor 0 'a.weight': unknown tensor type 99"
    yield 'removed-tensor-type-4', model(tensors=[('a.weight', [32], 4, 0)]), 'unknown tensor type 4'
    yield 'row-not-block-multiple', model(tensors=[('b.weight', [33, 2], T_Q4_0, 0)]), \
        'row length 33 is not a multiple of the block size 32'
    yield 'kquant-row-128', model(tensors=[('k', [128], T_Q4_K, 0)]), 'not a multiple of the block size 256'
    yield 'offset-past-end', model(tensors=[BASE_TENSORS[0], ('b.weight', [32, 2], T_Q4_0, 1 << 20)]), \
        "tensor 1 'b.weight': data past end of file"
    yield 'offset-2p64-32', model(tensors=[('a.weight', [8], T_F32, (1 << 64) - 32)]), 'data past end of file'
    yield 'offset-misaligned', model(tensors=[BASE_TENSORS[0], ('b.weight', [32, 2], T_Q4_0, 36)]), \
        "tensor 1 'b.weight': offset 36 not aligned to 32"
    yield 'data-past-end', model(tensors=[BASE_TENSORS[0], ('b.weight', [32, 3], T_Q4_0, 32)]), \
        "tensor 1 'b.weight': data past end of file"
    yield 'data-truncated', model()[:-1], "tensor 1 'b.weight': data past end of file"
    yield 'huge-tensor', model(tensors=[('w', [4096, 1 << 40], T_Q8_0, 0)]), "tensor 0 'w': data past end"
    yield 'tensors-overlap', model(tensors=[('a.weight', [16], T_F32, 0), ('b.weight', [32, 1], T_Q4_0, 32)]), \
        "tensors 'a.weight' (offset 0, 64 bytes) and 'b.weight' (offset 32) overlap"
    yield 'duplicate-tensor', model(tensors=[BASE_TENSORS[0], ('a.weight', [32, 2], T_Q4_0, 32)]), \
        "duplicate tensor name 'a.weight'"
    yield 'tensor-name-past-end', header(1, 0) + u64(1000) + b'a.weight' + b'\0' * 24, \
        'tensor 0: tensor name length 1000 past end'
    yield 'tensor-name-binary', model(tensors=[(b'a\n\x1b[2J\xff', [8], 99, 0)]), "tensor 0 'a??[2J?': unknown"
    # truncated inside a tensor info: a long name keeps the file above the
    # minimum size the tensor count implies
    name = 'blk.0.attn_q.weight.long.name.x'
    info = tinfo(name, [32, 2], T_Q4_0, 0)  # 8+31 name | 4 n_dims | 16 ne | 4 type | 8 offset
    yield 'trunc-in-n-dims', header(1, 0) + info[:41], "tensor 0 '%s': file truncated reading n_dims" % name
    yield 'trunc-in-dims', header(1, 0) + info[:53], 'file truncated reading dimension'
    yield 'trunc-in-tensor-type', header(1, 0) + info[:61], 'file truncated reading tensor type'
    yield 'trunc-in-offset', header(1, 0) + info[:67], 'file truncated reading tensor offset'
    yield 'trunc-after-kvs', good[:hdr_end + sum(len(k) for k in BASE_KVS) + 10], \
        'tensor 0: tensor name length 8 past end'


# What each architecture adds to llama's tensors of one layer (ai/model_arch.c)
ARCH_QK_NORM = ('qwen3', 'qwen3moe', 'gemma3')
ARCH_POST_NORMS = ('gemma2', 'gemma3')
N_EXPERT, N_EXPERT_USED = 4, 2


def micro_llama(ttype=T_F32, arch='llama', E=16, over=None, extra=None, split=None):
    """A complete, tiny model (n_embd E, 1 layer, 2 heads, 1 kv head, n_ff
    2E, 8-token SentencePiece vocab) of arch llama, qwen2, qwen3, qwen3moe
    (4 experts of n_ff E, 2 used), gemma2, gemma3 or phi3 (gate and up fused
    in ffn_up), so that the fuzzer reaches the model and tokenizer loaders
    and each architecture's forward pass. Weights are zero bytes. over: {key
    suffix after 'arch.': encoded kv payload (type + value), or None to
    drop the key}, replacing or adding {arch}.* keys; extra: more tensors
    as (name, ne, type, data bytes). split=N: a list of N files as
    llama-gguf-split writes them (the metadata in the first, the tensors
    dealt out in turn, the split.* keys)."""
    F, V, KV = 2 * E, 8, E // 2
    toks = ['<unk>', '<s>', '</s>', '\u2581', 'a', 'b', '\u2581a', '<0x0A>']
    kvs = [kv_str('general.architecture', arch),
           kv_u32(arch + '.embedding_length', E), kv_u32(arch + '.feed_forward_length', F),
           kv_u32(arch + '.block_count', 1), kv_u32(arch + '.attention.head_count', 2),
           kv_u32(arch + '.attention.head_count_kv', 1), kv_u32(arch + '.context_length', 64),
           kv(arch + '.attention.layer_norm_rms_epsilon', F32, struct.pack('<f', 1e-5)),
           kv(arch + '.rope.freq_base', F32, struct.pack('<f', 10000)),
           kv_str('tokenizer.ggml.model', 'llama'),
           kv('tokenizer.ggml.tokens', ARR, u32(STR) + u64(V) + b''.join(gstr(t) for t in toks)),
           kv('tokenizer.ggml.scores', ARR, u32(F32) + u64(V) + struct.pack('<8f', *([0.0] * 3 + [-1, -2, -2, -1.5, 0]))),
           kv('tokenizer.ggml.token_type', ARR, u32(I32) + u64(V) + b''.join(u32(t) for t in [2, 3, 3, 1, 1, 1, 1, 6])),
           kv_u32('tokenizer.ggml.bos_token_id', 1), kv_u32('tokenizer.ggml.eos_token_id', 2)]
    if arch == 'qwen3moe':
        kvs += [kv_u32(arch + '.expert_count', N_EXPERT), kv_u32(arch + '.expert_used_count', N_EXPERT_USED),
                kv_u32(arch + '.expert_feed_forward_length', E)]
    if arch == 'gemma2':
        kvs += [kv_u32(arch + '.attention.sliding_window', 4),
                kv(arch + '.attn_logit_softcapping', F32, struct.pack('<f', 50)),
                kv(arch + '.final_logit_softcapping', F32, struct.pack('<f', 30))]
    if arch == 'gemma3':
        kvs += [kv_u32(arch + '.attention.sliding_window', 4),
                kv(arch + '.rope.freq_base_swa', F32, struct.pack('<f', 10000))]
    for suffix, payload in (over or {}).items():
        key = gstr(arch + '.' + suffix)
        kvs = [k for k in kvs if not k.startswith(key)]
        if payload is not None:
            kvs.append(key + payload)
    row = {T_F32: 4, T_Q8_0: 34 / 32}
    shapes = [('token_embd.weight', [E, V], T_F32), ('output_norm.weight', [E], T_F32),
              ('output.weight', [E, V], ttype), ('blk.0.attn_norm.weight', [E], T_F32),
              ('blk.0.attn_q.weight', [E, E], ttype), ('blk.0.attn_k.weight', [E, KV], ttype),
              ('blk.0.attn_v.weight', [E, KV], ttype), ('blk.0.attn_output.weight', [E, E], ttype),
              ('blk.0.ffn_norm.weight', [E], T_F32)]
    if arch == 'qwen3moe':
        X = N_EXPERT
        shapes += [('blk.0.ffn_gate_inp.weight', [E, X], ttype), ('blk.0.ffn_gate_exps.weight', [E, E, X], ttype),
                   ('blk.0.ffn_up_exps.weight', [E, E, X], ttype), ('blk.0.ffn_down_exps.weight', [E, E, X], ttype)]
    elif arch == 'phi3':
        shapes += [('blk.0.ffn_up.weight', [E, 2 * F], ttype), ('blk.0.ffn_down.weight', [F, E], ttype)]
    else:
        shapes += [('blk.0.ffn_gate.weight', [E, F], ttype), ('blk.0.ffn_up.weight', [E, F], ttype),
                   ('blk.0.ffn_down.weight', [F, E], ttype)]
    if arch == 'qwen2':
        shapes += [('blk.0.attn_q.bias', [E], T_F32), ('blk.0.attn_k.bias', [KV], T_F32),
                   ('blk.0.attn_v.bias', [KV], T_F32)]
    if arch in ARCH_QK_NORM:
        shapes += [('blk.0.attn_q_norm.weight', [E // 2], T_F32), ('blk.0.attn_k_norm.weight', [E // 2], T_F32)]
    if arch in ARCH_POST_NORMS:
        shapes += [('blk.0.post_attention_norm.weight', [E], T_F32), ('blk.0.post_ffw_norm.weight', [E], T_F32)]
    shapes = shapes + list(extra or [])
    files = split or 1
    out = []
    for f in range(files):
        tensors, off, data = [], 0, b''
        for name, ne, t, *payload in shapes[f::files]:
            n = 1
            for d in ne:
                n *= d
            size = int(n * row[t])
            tensors.append((name, ne, t, off))
            data += (payload[0] if payload else bytes(size)).ljust(size, b'\0')
            data += bytes((-size) % 32)
            off += size + (-size) % 32
        keys = kvs if f == 0 else []
        if split:
            keys = keys + [kv('split.no', U16, struct.pack('<H', f)), kv('split.count', U16, struct.pack('<H', files)),
                           kv('split.tensors.count', I32, u32(len(shapes)))]
        out.append(model(kvs=keys, tensors=tensors, data=data))
    return out if split else out[0]


def split_seeds():
    """Inputs of fuzz/fuzz_split.c: byte 0, NUL-terminated names, an empty
    name, then each file as a 16-bit length and its bytes."""
    def pack(names, files):
        b = b'\0' + b''.join(n.encode() + b'\0' for n in names) + b'\0'
        return b + b''.join(struct.pack('<H', len(f)) + f for f in files)
    two, three = micro_llama(split=2), micro_llama(split=3)
    yield 'two', pack(['m-00001-of-00002.gguf', 'm-00002-of-00002.gguf'], two)
    yield 'three', pack(['x/M-00001-of-00003.GGUF', 'x/m-00003-of-00003.gguf', 'x/m-00002-of-00003.gguf',
                         'other.gguf'], three)
    yield 'missing', pack(['a-00001-of-00003.gguf', 'a-00003-of-00003.gguf'], three[:2])
    yield 'one', pack(['plain.gguf'], [micro_llama()])


def f32v(v):
    return u32(F32) + struct.pack('<f', v)


def u32v(v):
    return u32(U32) + u32(v)


NAN, INF = float('nan'), float('inf')


def hostile():
    """Parse-valid micro models with nonsense hyperparameters, each with the
    substring of model_load's message (the fuzzer's kind of finding: a RoPE
    base of 1e30 once sent the angles to 1e21)."""
    A = 'key llama.'
    yield 'rope-base-1e30', {'rope.freq_base': f32v(1e30)}, A + 'rope.freq_base: value 1e+30 out of range'
    yield 'rope-base-1e-30', {'rope.freq_base': f32v(1e-30)}, A + 'rope.freq_base: value 1e-30 out of range'
    yield 'rope-base-nan', {'rope.freq_base': f32v(NAN)}, A + 'rope.freq_base: value nan out of range'
    yield 'rope-base-inf', {'rope.freq_base': kv_payload(F64, struct.pack('<d', 1e300))}, \
        A + 'rope.freq_base: value inf out of range'
    yield 'rope-base-0', {'rope.freq_base': f32v(0)}, A + 'rope.freq_base: value 0 out of range'
    yield 'rope-base-neg', {'rope.freq_base': f32v(-10000)}, A + 'rope.freq_base: value -10000 out of range'
    yield 'rope-base-string', {'rope.freq_base': u32(STR) + gstr('10000')}, A + 'rope.freq_base: not a number'
    yield 'eps-nan', {'attention.layer_norm_rms_epsilon': f32v(NAN)}, \
        A + 'attention.layer_norm_rms_epsilon: value nan out of range'
    yield 'eps-1e20', {'attention.layer_norm_rms_epsilon': f32v(1e20)}, \
        A + 'attention.layer_norm_rms_epsilon: value 1e+20 out of range'
    yield 'eps-neg', {'attention.layer_norm_rms_epsilon': f32v(-1e-5)}, \
        A + 'attention.layer_norm_rms_epsilon: value -1e-05 out of range'
    yield 'head-count-0', {'attention.head_count': u32v(0)}, A + 'attention.head_count: value 0 out of range (1..4096)'
    yield 'head-count-huge', {'attention.head_count': u32v(1 << 31)}, \
        A + 'attention.head_count: value 2147483648 out of range'
    yield 'head-count-kv-0', {'attention.head_count_kv': u32v(0)}, \
        A + 'attention.head_count_kv: value 0 out of range'
    yield 'head-count-kv-3', {'attention.head_count_kv': u32v(3)}, \
        'head_count 2 is not a multiple of head_count_kv 3'
    yield 'head-count-array', {'attention.head_count': u32(ARR) + u32(U32) + u64(2) + u32(2) + u32(2)}, \
        A + 'attention.head_count: not an unsigned integer'
    yield 'key-length-odd', {'attention.key_length': u32v(7), 'attention.value_length': u32v(7)}, \
        'head dimension 7 is odd'
    yield 'rope-dims-past-head', {'rope.dimension_count': u32v(64)}, \
        'rope.dimension_count 64 must be even and <= head dim 8'
    yield 'ctx-2p40', {'context_length': kv_payload(U64, u64(1 << 40))}, \
        A + 'context_length: value 1099511627776 out of range (1..16777216)'
    yield 'ctx-0', {'context_length': u32v(0)}, A + 'context_length: value 0 out of range'
    yield 'ctx-negative', {'context_length': kv_payload(I32, u32(-5))}, \
        A + 'context_length: value -5 out of range'
    yield 'ctx-missing', {'context_length': None}, 'missing key llama.context_length'
    yield 'embd-float', {'embedding_length': f32v(16)}, A + 'embedding_length: not an unsigned integer'
    yield 'layers-huge', {'block_count': u32v(1 << 30)}, A + 'block_count: value 1073741824 out of range'
    yield 'ff-0', {'feed_forward_length': u32v(0)}, A + 'feed_forward_length: value 0 out of range'
    yield 'rope-factor-tiny', {'rope.scaling.type': u32(STR) + gstr('linear'), 'rope.scaling.factor': f32v(1e-30)}, \
        A + 'rope.scaling.factor: value 1e-30 out of range (0 or 0.001..1e+06)'
    yield 'rope-factor-nan', {'rope.scaling.factor': f32v(NAN)}, A + 'rope.scaling.factor: value nan out of range'
    yield 'rope-factor-neg', {'rope.scale_linear': f32v(-2)}, A + 'rope.scale_linear: value -2 out of range'
    yield 'rope-scaling-type-int', {'rope.scaling.type': u32v(1)}, A + 'rope.scaling.type: not a string'
    yield 'rope-scaling-yarn', {'rope.scaling.type': u32(STR) + gstr('yarn')}, "rope scaling type 'yarn' is not supported"


def hostile_archs():
    """The same for the other architectures' hyperparameters and factor
    tensors: (name, arch, over, extra, message substring)."""
    f64inf = kv_payload(F64, struct.pack('<d', 1e300))

    def vec(name, vals):
        return [(name, [4], T_F32, struct.pack('<4f', *vals))]
    yield 'gemma2-softcap-nan', 'gemma2', {'attn_logit_softcapping': f32v(NAN)}, None, \
        'key gemma2.attn_logit_softcapping: value nan out of range (0.001..1e+06)'
    yield 'gemma2-softcap-0', 'gemma2', {'attn_logit_softcapping': f32v(0)}, None, \
        'key gemma2.attn_logit_softcapping: value 0 out of range (0.001..1e+06)'
    yield 'gemma2-final-softcap-inf', 'gemma2', {'final_logit_softcapping': f64inf}, None, \
        'key gemma2.final_logit_softcapping: value inf out of range'
    yield 'gemma3-final-softcap-tiny', 'gemma3', {'final_logit_softcapping': f32v(1e-30)}, None, \
        'key gemma3.final_logit_softcapping: value 1e-30 out of range (0 or 0.001..1e+06)'
    yield 'gemma2-swa-0', 'gemma2', {'attention.sliding_window': u32v(0)}, None, \
        'key gemma2.attention.sliding_window: value 0 out of range (1..16777216)'
    yield 'gemma3-swa-2p40', 'gemma3', {'attention.sliding_window': kv_payload(U64, u64(1 << 40))}, None, \
        'key gemma3.attention.sliding_window: value 1099511627776 out of range (0..16777216)'
    yield 'gemma3-swa-pattern-huge', 'gemma3', {'attention.sliding_window_pattern': u32v(1 << 20)}, None, \
        'key gemma3.attention.sliding_window_pattern: value 1048576 out of range (0..1024)'
    yield 'gemma3-rope-base-swa-0', 'gemma3', {'rope.freq_base_swa': f32v(0)}, None, \
        'key gemma3.rope.freq_base_swa: value 0 out of range (1..1e+12)'
    # a 27B's layer count: q is scaled by n_embd / n_head, here 16 / 32 = 0
    yield 'gemma2-q-scale-0', 'gemma2', {'block_count': u32v(46), 'attention.head_count': u32v(32),
                                         'attention.key_length': u32v(8), 'attention.value_length': u32v(8)}, \
        None, 'gemma2: query scale 1/sqrt(embedding_length 16 / head_count 32)'
    yield 'qwen3moe-experts-0', 'qwen3moe', {'expert_count': u32v(0)}, None, \
        'key qwen3moe.expert_count: value 0 out of range (1..512)'
    yield 'qwen3moe-experts-huge', 'qwen3moe', {'expert_count': u32v(1 << 20)}, None, \
        'key qwen3moe.expert_count: value 1048576 out of range (1..512)'
    yield 'qwen3moe-used-past-count', 'qwen3moe', {'expert_used_count': u32v(5)}, None, \
        'key qwen3moe.expert_used_count: value 5 out of range (1..4)'
    yield 'qwen3moe-used-negative', 'qwen3moe', {'expert_used_count': kv_payload(I32, u32(-1))}, None, \
        'key qwen3moe.expert_used_count: value -1 out of range'
    yield 'qwen3moe-used-missing', 'qwen3moe', {'expert_used_count': None}, None, \
        'missing key qwen3moe.expert_used_count'
    yield 'qwen3moe-expert-ff-0', 'qwen3moe', {'expert_feed_forward_length': u32v(0)}, None, \
        'key qwen3moe.expert_feed_forward_length: value 0 out of range'
    yield 'qwen3-kv-lengths-differ', 'qwen3', {'attention.key_length': u32v(8), 'attention.value_length': u32v(16)}, \
        None, 'attention key_length 8 != value_length 16'
    yield 'qwen3-key-length-huge', 'qwen3', {'attention.key_length': u32v(1 << 17)}, None, \
        'key qwen3.attention.key_length: value 131072 out of range (1..65536)'
    yield 'phi3-attn-factor-nan', 'phi3', {'rope.scaling.attn_factor': f32v(NAN)}, None, \
        'key phi3.rope.scaling.attn_factor: value nan out of range'
    yield 'phi3-orig-ctx-0', 'phi3', {'rope.scaling.original_context_length': u32v(0)}, None, \
        'key phi3.rope.scaling.original_context_length: value 0 out of range'
    yield 'phi3-rope-scaling-yarn', 'phi3', {'rope.scaling.type': u32(STR) + gstr('yarn')}, None, \
        "rope scaling type 'yarn' is not supported (none, linear, longrope)"
    yield 'phi3-long-factors-nan', 'phi3', {}, vec('rope_factors_long.weight', [1, NAN, 1, 1]), \
        'tensor rope_factors_long.weight: element 1 is nan, out of range'
    yield 'phi3-short-factors-0', 'phi3', {}, vec('rope_factors_short.weight', [1, 1, 1, 0]), \
        'tensor rope_factors_short.weight: element 3 is 0, out of range'


MICRO_ARCHS = ('llama', 'qwen2', 'qwen3', 'qwen3moe', 'gemma2', 'gemma3', 'phi3')


def kv_payload(vtype, payload):
    return u32(vtype) + payload


def hostile_tensors():
    """The same for tensor values the loader reads: llama3's rope_freqs."""
    def rf(vals):
        return [('rope_freqs.weight', [4], T_F32, struct.pack('<4f', *vals))]
    msg = 'tensor rope_freqs.weight: element '
    yield 'rope-freqs-zero', rf([1, 1, 0, 1]), msg + '2 is 0, out of range'
    yield 'rope-freqs-nan', rf([NAN, 1, 1, 1]), msg + '0 is nan, out of range'
    yield 'rope-freqs-inf', rf([1, 1, 1, INF]), msg + '3 is inf, out of range'
    yield 'rope-freqs-tiny', rf([1, 1e-38, 1, 1]), msg + '1 is 1e-38, out of range'


def seeds():
    yield 'micro-llama-f32', micro_llama()
    yield 'micro-llama-q8_0', micro_llama(T_Q8_0, E=32)
    yield 'micro-qwen2-q8_0', micro_llama(T_Q8_0, arch='qwen2', E=32)
    for arch in MICRO_ARCHS[2:]:
        yield 'micro-%s-f32' % arch, micro_llama(arch=arch)
    yield 'tiny-model', model()
    yield 'tiny-v2', model(version=2)
    yield 'vocab-like', header(0, 5) + kv_str('tokenizer.ggml.model', 'llama') + kv(
        'tokenizer.ggml.tokens', ARR, u32(STR) + u64(4) + gstr('<unk>') + gstr('<s>') + gstr('</s>') +
        gstr('\u2581a')) + kv('tokenizer.ggml.scores', ARR, u32(F32) + u64(4) + struct.pack('<4f', 0, 0, 0, -1)) + \
        kv_u32('tokenizer.ggml.bos_token_id', 1) + kv('tokenizer.ggml.add_bos_token', BOOL, b'\1')
    yield 'all-types', header(0, 13) + b''.join([
        kv('u8', U8, b'\1'), kv('i8', I8, b'\xff'), kv('u16', U16, b'\1\2'), kv('i16', I16, b'\1\2'),
        kv_u32('u32', 7), kv('i32', I32, u32(-7)), kv('f32', F32, struct.pack('<f', 1.5)),
        kv('b', BOOL, b'\0'), kv_str('s', 'str'), kv('u64', U64, u64(9)), kv('i64', I64, u64(-9)),
        kv('f64', F64, struct.pack('<d', 2.5)), kv('n', ARR, u32(ARR) + u64(2) + nested(2) + nested(1))])
    yield 'aligned-64', model(kvs=BASE_KVS + [kv_u32('general.alignment', 64)], align=64,
                              tensors=[('a.weight', [8], T_F32, 0), ('b.weight', [32, 2], T_Q4_0, 64)],
                              data=bytes(100))
    yield 'kquant', model(tensors=[('k.weight', [256, 1], T_Q4_K, 0)], data=bytes(144))


def all_cases():
    yield from cases()
    for name, over, msg in hostile():
        yield 'hostile-' + name, micro_llama(over=over), msg
    for name, extra, msg in hostile_tensors():
        yield 'hostile-' + name, micro_llama(extra=extra), msg
    for name, arch, over, extra, msg in hostile_archs():
        yield 'hostile-' + name, micro_llama(arch=arch, over=over, extra=extra), msg
    # each hostile model is one change away from one that loads (an empty
    # message: test_gguf --bad checks that it does)
    for arch in MICRO_ARCHS:
        yield 'micro-' + arch, micro_llama(arch=arch), ''
        yield 'micro-' + arch + '-q8_0', micro_llama(T_Q8_0, arch=arch, E=32), ''


def main():
    args = sys.argv[1:]
    want_seeds = '--seeds' in args
    want_split = '--split-seeds' in args
    args = [a for a in args if a not in ('--seeds', '--split-seeds')]
    if len(args) != 1:
        sys.exit(__doc__)
    out = args[0]
    os.makedirs(out, exist_ok=True)
    if want_seeds or want_split:
        for name, data in (split_seeds() if want_split else seeds()):
            with open(os.path.join(out, name + ('' if want_split else '.gguf')), 'wb') as f:
                f.write(data)
        return
    names = set()
    with open(os.path.join(out, 'manifest.tsv'), 'w') as man:
        man.write('# file\texpected error substring (tools/mkbadgguf.py): of gguf_open, or of\n')
        man.write('# model_load for the parse-valid hostile-* models; none: the file loads\n')
        for name, data, msg in all_cases():
            assert name not in names, name
            names.add(name)
            with open(os.path.join(out, name + '.gguf'), 'wb') as f:
                f.write(data)
            man.write('%s.gguf\t%s\n' % (name, msg))


if __name__ == '__main__':
    main()
