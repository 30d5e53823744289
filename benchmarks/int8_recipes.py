"""int8 recipes tried for issue 15 item 5 (not shipped: none reached top-10 agreement 0.98 with fp32).

    .venv/bin/python benchmarks/int8_recipes.py smoothquant FP32.onnx OUT.onnx --alpha 0.75 \
        --smooth qkv,inter --quantize qkv,inter
    .venv/bin/python benchmarks/int8_recipes.py nbits FP32.onnx OUT.onnx --block 32
    .venv/bin/python benchmarks/bench_embed_real.py --backends onnx --graph sq=OUT.onnx --speed 0

FP32.onnx is the cached export (``~/.cache/jobmatch/models/onnx/all-MiniLM-L6-v2-*/model-fp32.onnx``).

``smoothquant``: per-input-channel maxima of every encoder MatMul's input are measured on 128 real postings (title
and head texts, seeded) and 40 real resumes (not those of the agreement run), the scale
s = amax^alpha / wmax^(1-alpha) is moved from the activations into the weights (an explicit Mul before the
query/key/value and intermediate MatMuls; folded into V for the attention output), and the chosen MatMuls get
onnxruntime's dynamic int8 (per-channel weights). ``nbits``: weight-only int8 in blocks of 32/128 along K
(``MatMulNBits``, accuracy level 4: activations in int8 blocks too, per row). Results: README *Performance*.
"""
from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

import numpy as np
import onnx
import onnxruntime as ort
from onnx import helper, numpy_helper

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

ENCODER_MATMULS = r"layer\.\d+/.*(query|key|value|dense)/MatMul$"

def groups(g):
    by = {n.name: n for n in g.node}
    out = []
    for i in range(64):
        p = f"/st/st.0/encoder/layer.{i}/"
        q = by.get(p + "attention/self/query/MatMul")
        if q is None: break
        out.append(dict(layer=i, kind="qkv", mm=[p + f"attention/self/{x}/MatMul" for x in ("query", "key", "value")]))
        out.append(dict(layer=i, kind="attn_out", mm=[p + "attention/output/dense/MatMul"], v=p + "attention/self/value/"))
        out.append(dict(layer=i, kind="inter", mm=[p + "intermediate/dense/MatMul"]))
        out.append(dict(layer=i, kind="ffn_out", mm=[p + "output/dense/MatMul"]))
    return out

def calibrate(model_path, windows_arrays, g):
    m = onnx.load(model_path)
    by = {n.name: n for n in m.graph.node}
    names = sorted({by[gr["mm"][0]].input[0] for gr in groups(m.graph)})
    for n in names:
        m.graph.output.append(helper.make_tensor_value_info(n, onnx.TensorProto.FLOAT, None))
    o = ort.SessionOptions(); o.intra_op_num_threads = 1
    s = ort.InferenceSession(m.SerializeToString(), o, providers=["CPUExecutionProvider"])
    amax = {n: None for n in names}
    inp = [i.name for i in s.get_inputs()]
    for arr in windows_arrays:
        res = s.run(names, {k: arr[k] for k in inp})
        for n, r in zip(names, res, strict=True):
            a = np.abs(r.reshape(-1, r.shape[-1])).max(0)
            amax[n] = a if amax[n] is None else np.maximum(amax[n], a)
    return amax

def smooth(src, dst, amax, alpha=0.5, kinds=("qkv", "attn_out", "inter", "ffn_out")):
    m = onnx.load(src); g = m.graph
    by = {n.name: n for n in g.node}
    init = {i.name: i for i in g.initializer}
    def get(name): return numpy_helper.to_array(init[name]).copy()
    def put(name, arr): init[name].CopyFrom(numpy_helper.from_array(arr.astype(np.float32), name))
    new_nodes = []
    for gr in groups(g):
        if gr["kind"] not in kinds: continue
        mms = [by[x] for x in gr["mm"]]
        x = mms[0].input[0]
        a = amax[x]
        ws = [get(n.input[1]) for n in mms]
        wmax = np.max([np.abs(w).max(1) for w in ws], axis=0)
        s = np.power(np.maximum(a, 1e-5), alpha) / np.power(np.maximum(wmax, 1e-5), 1 - alpha)
        s = np.maximum(s, 1e-5).astype(np.float32)
        for n, w in zip(mms, ws, strict=True):
            put(n.input[1], w * s[:, None])
        if gr["kind"] == "attn_out":  # fold 1/s into V's output channels
            vmm = by[gr["v"] + "MatMul"]; vadd = by[gr["v"] + "Add"]
            put(vmm.input[1], get(vmm.input[1]) / s[None, :])
            b = [i for i in vadd.input if i in init][0]
            put(b, get(b) / s)
        else:
            sname = x + "_smooth_inv"
            g.initializer.append(numpy_helper.from_array((1.0 / s).astype(np.float32), sname))
            y = x + "_smoothed"
            new_nodes.append((mms[0], helper.make_node("Mul", [x, sname], [y], name=gr["mm"][0] + "_smooth")))
            for n in mms: n.input[0] = y
    # insert the Mul nodes right before their first MatMul (topological order)
    for first, mul in new_nodes:
        idx = list(g.node).index(first)
        g.node.insert(idx, mul)
    onnx.save(m, dst)


def nbits(src, dst, pat, block=32, acc=4):
    m = onnx.load(src)
    g = m.graph
    inits = {i.name: i for i in g.initializer}
    new_nodes = []; drop = set(); n_q = 0
    for node in g.node:
        if node.op_type == "MatMul" and re.search(pat, node.name) and node.input[1] in inits:
            w = numpy_helper.to_array(inits[node.input[1]]).astype(np.float32)  # (K, N)
            K, N = w.shape
            assert K % block == 0
            wt = w.T.reshape(N, K // block, block)
            scale = np.abs(wt).max(axis=2) / 127.0
            scale[scale == 0] = 1.0
            q = np.clip(np.rint(wt / scale[:, :, None]), -127, 127).astype(np.int16) + 128
            q = q.astype(np.uint8)
            base = node.input[1] + "_nb"
            g.initializer.extend([numpy_helper.from_array(q, base + "_q"),
                                  numpy_helper.from_array(scale.astype(np.float32).reshape(-1), base + "_s")])
            drop.add(node.input[1])
            new_nodes.append(helper.make_node("MatMulNBits", [node.input[0], base + "_q", base + "_s"], list(node.output),
                                              name=node.name + "_nbits", domain="com.microsoft",
                                              K=K, N=N, bits=8, block_size=block, accuracy_level=acc))
            n_q += 1
        else:
            new_nodes.append(node)
    del g.node[:]
    g.node.extend(new_nodes)
    keep = [i for i in g.initializer if i.name not in drop or any(i.name in n.input for n in new_nodes)]
    del g.initializer[:]; g.initializer.extend(keep)
    if not any(o.domain == "com.microsoft" for o in m.opset_import):
        m.opset_import.append(helper.make_opsetid("com.microsoft", 1))
    onnx.save(m, dst)
    print("quantized", n_q)


def smoothquant(src: str, dst: str, alpha: float, smooth_kinds: tuple[str, ...], quant_kinds: tuple[str, ...]) -> None:
    from bench_embed_real import load_postings, load_queries
    from onnxruntime.quantization import QuantType, quantize_dynamic

    from matcher.embed import Embedder
    from matcher.posting_index import posting_texts_for_embedding

    emb = Embedder(backend="torch")
    posts = load_postings(Path(__file__).resolve().parents[2] / "shared/data/jobs/linkedin_tech_2021.jsonl")
    rng = np.random.default_rng(0)
    texts = []
    for i in rng.choice(len(posts), 128, replace=False):
        p = posts[i]
        texts += list(posting_texts_for_embedding(p.title, p.company, p.description))
    qs = load_queries(400)[300:340]  # not among the agreement run's first 280
    wins, _ = emb._windows(texts + qs, 1)
    amax = calibrate(src, [emb._arrays([w]) for w in wins], None)
    smooth(src, dst + ".fp32.onnx", amax, alpha, smooth_kinds)
    g = onnx.load(dst + ".fp32.onnx").graph
    pat = re.compile(ENCODER_MATMULS)
    qk = {"qkv": ("query", "key", "value"), "attn_out": ("attention/output/dense",),
          "inter": ("intermediate/dense",), "ffn_out": ("/output/dense",)}
    nodes = [n.name for n in g.node if n.op_type == "MatMul" and pat.search(n.name)
             and any(t in n.name and not (t == "/output/dense" and "attention" in n.name) for k in quant_kinds for t in qk[k])]
    quantize_dynamic(dst + ".fp32.onnx", dst, weight_type=QuantType.QInt8, per_channel=True,
                     op_types_to_quantize=["MatMul"], nodes_to_quantize=nodes)
    print(f"{dst}: {len(nodes)} MatMuls int8; {dst}.fp32.onnx is the smoothed fp32 graph")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("recipe", choices=["smoothquant", "nbits"])
    ap.add_argument("src")
    ap.add_argument("dst")
    ap.add_argument("--alpha", type=float, default=0.75)
    ap.add_argument("--smooth", default="qkv,inter")
    ap.add_argument("--quantize", default="qkv,inter")
    ap.add_argument("--block", type=int, default=32)
    args = ap.parse_args(argv)
    if args.recipe == "smoothquant":
        smoothquant(args.src, args.dst, args.alpha, tuple(args.smooth.split(",")), tuple(args.quantize.split(",")))
    else:
        nbits(args.src, args.dst, ENCODER_MATMULS, args.block, 4)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
