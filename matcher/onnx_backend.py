"""onnxruntime backend for :class:`matcher.embed.Embedder` (``backend="onnx"`` / ``"onnx-int8"``).

The whole sentence-transformers pipeline (transformer + pooling + normalise) is exported once with
``torch.onnx.export`` (TorchScript exporter, opset 17, dynamic batch and sequence axes) into
``<cache_dir>/onnx/<model>-<sha12>/model-fp32.onnx``, written to a temporary file and renamed into
place, so concurrent or killed exports never leave a torn file. The int8 variant is made from it
with onnxruntime's dynamic quantisation, selectively: per-channel int8 weights for the attention
projections (query/key/value, attention output) and the first FFN MatMul (``intermediate.dense``);
the second FFN MatMul (``output.dense``, whose input is the post-GELU activation with outliers,
hurt most), the embeddings and the pooling stay fp32.

Measured on 400 de-duplicated real postings searched by 60 resumes (first window, torch fp32 as
reference; 2 shared cores under load ~9, so speeds are CPU-time based and rough):

    recipe                        mean cos  overlap@10  windows per CPU-s
    fp32 (onnx)                   1.0000    1.000       18.9
    all weight MatMuls, per-tensor 0.9390   0.625       (the naive recipe)
    all weight MatMuls, per-chan  0.9937    0.849
    FFN only, per-tensor          0.9395    0.644
    FFN only, per-channel         0.9949    0.868       24.2
    intermediate only, per-chan   0.9985    0.912       21.5
    shipped (all but FFN output)  0.9975    0.892       26.6

Per-channel weights are what matters (0.94 -> 0.99+); even so top-10 agreement stays below 0.95,
so int8 is opt-in (``backend="onnx-int8"``), never the default.
"""
from __future__ import annotations

import json
import re
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from index.atomic import atomic_write

from .errors import ModelUnavailable

if TYPE_CHECKING:  # pragma: no cover
    from .embed import Embedder

OPSET = 17
# 2: the transformer's token embeddings are a second output (``token_embeddings``), for the batch-invariant
# query path (:meth:`OnnxRunner.run_pooled`); a version-1 file (one output) is exported again on first use
EXPORT_VERSION = 2
OUTPUTS = ("sentence_embedding", "token_embeddings")
# Which MatMuls get int8 weights (see the table above and benchmarks/bench_embed.py).
QUANT_LAYERS: tuple[int, ...] = (0, 1, 2, 3, 4, 5)
QUANT_PER_CHANNEL = True
QUANT_RECIPE = "attn+inter"
_QUANT_NODES = re.compile(
    r"layer\.(\d+)/(attention/self/(query|key|value)|attention/output/dense|intermediate/dense)/MatMul$")


def export_dir(emb: "Embedder") -> Path:
    name = re.sub(r"[^A-Za-z0-9_.-]+", "_", emb.model_id.strip("/").split("/")[-1])[:60] or "model"
    return emb.cache_dir / "onnx" / f"{name}-{emb.checksum[:12]}"


def export_fp32(emb: "Embedder", path: Path) -> None:
    """Export ``emb``'s sentence-transformers model (to sentence_embedding) to ONNX at ``path``."""
    import warnings

    import torch

    st = emb._st
    names = [n for n in ("input_ids", "attention_mask", "token_type_ids") if n in emb._input_names or n != "token_type_ids"]

    class _Wrapper(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.st = st

        def forward(self, *inputs: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
            out = self.st(dict(zip(names, inputs)))
            return out["sentence_embedding"], out["token_embeddings"]

    sample = emb._batch_arrays([emb._prefix + [emb._pad_id + 1000] * 16 + emb._suffix] * 2)
    args = tuple(torch.from_numpy(sample[n]) for n in names)
    axes = {n: {0: "batch", 1: "sequence"} for n in names}
    axes["sentence_embedding"] = {0: "batch"}
    axes["token_embeddings"] = {0: "batch", 1: "sequence"}

    def write(tmp: Path) -> None:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            torch.onnx.export(_Wrapper().eval(), args, str(tmp), input_names=names,
                              output_names=["sentence_embedding", "token_embeddings"], dynamic_axes=axes,
                              opset_version=OPSET, do_constant_folding=True, dynamo=False)

    atomic_write(path, write)


def quantize_int8(src: Path, dst: Path, layers: tuple[int, ...] = QUANT_LAYERS,
                  per_channel: bool = QUANT_PER_CHANNEL) -> list[str]:
    """Dynamic int8 quantisation of the selected MatMuls of ``layers``; returns their node names."""
    import onnx
    from onnxruntime.quantization import QuantType, quantize_dynamic

    graph = onnx.load(str(src), load_external_data=False).graph
    nodes = [n.name for n in graph.node if n.op_type == "MatMul"
             and (m := _QUANT_NODES.search(n.name)) and int(m.group(1)) in layers]
    if not nodes:
        raise ModelUnavailable(f"No BERT-style MatMul nodes found in {src}; int8 needs a BERT-like model.")

    def write(tmp: Path) -> None:
        quantize_dynamic(str(src), str(tmp), weight_type=QuantType.QInt8, per_channel=per_channel,
                         op_types_to_quantize=["MatMul"], nodes_to_quantize=nodes)

    atomic_write(dst, write)
    return nodes


class OnnxRunner:
    """An onnxruntime session taking the same arrays as the torch forward."""

    def __init__(self, path: Path, threads: int) -> None:
        import onnxruntime as ort

        opts = ort.SessionOptions()
        opts.intra_op_num_threads = threads
        opts.inter_op_num_threads = 1
        opts.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
        opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        self.path = path
        self.session = ort.InferenceSession(str(path), sess_options=opts, providers=["CPUExecutionProvider"])
        self.input_names = [i.name for i in self.session.get_inputs()]
        self.output_names = [o.name for o in self.session.get_outputs()]

    @classmethod
    def for_embedder(cls, emb: "Embedder", *, quantized: bool) -> "OnnxRunner":
        d = export_dir(emb)
        fp32 = d / "model-fp32.onnx"
        meta_path = d / "export.json"
        if not fp32.is_file():
            export_fp32(emb, fp32)
        target = fp32
        if quantized:
            tag = f"{QUANT_RECIPE}-l" + "".join(map(str, QUANT_LAYERS)) + ("-pc" if QUANT_PER_CHANNEL else "")
            target = d / f"model-int8-{tag}.onnx"
            if not target.is_file():
                quantize_int8(fp32, target)
        runner = cls(target, emb.threads)
        stale = not set(OUTPUTS) <= set(runner.output_names)  # a version-1 export: one output
        if stale:
            export_fp32(emb, fp32)
            if quantized:
                quantize_int8(fp32, target)
            runner = cls(target, emb.threads)
        if stale or not meta_path.is_file():
            import torch

            meta = {"export_version": EXPORT_VERSION, "model_id": emb.model_id, "checksum": emb.checksum,
                    "opset": OPSET, "torch": torch.__version__, "dim": emb.dim}
            atomic_write(meta_path, lambda p: p.write_text(json.dumps(meta, indent=2)))
        return runner

    def run(self, arrays: dict[str, np.ndarray]) -> np.ndarray:
        feed = {n: arrays[n] for n in self.input_names}
        return np.asarray(self.session.run(["sentence_embedding"], feed)[0], dtype=np.float32)

    def run_pooled(self, arrays: dict[str, np.ndarray]) -> np.ndarray:
        """Like :meth:`run`, but every row's vector is the same bits whatever else is in the batch.

        Measured (2026-12-01, 83 real resumes, batches of 1 to 64, 1 and 2 threads): onnxruntime's token
        embeddings of a row do not depend on the batch, but its ``ReduceSum`` over the sequence (the mean
        pooling) does (last-bit differences, up to 1.3e-7 per component). So the pooling (mean over the
        row's tokens, then unit length, as sentence-transformers' Pooling + Normalize) is done here, row by
        row in numpy, on the token embeddings.
        """
        feed = {n: arrays[n] for n in self.input_names}
        tokens = np.asarray(self.session.run(["token_embeddings"], feed)[0], dtype=np.float32)
        return pool_rows(tokens, arrays["attention_mask"])


def pool_rows(tokens: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Mean of each row's unmasked token vectors, at unit length; row by row, so batch-invariant."""
    out = np.empty((tokens.shape[0], tokens.shape[2]), np.float32)
    for r in range(tokens.shape[0]):
        n = max(1, int(mask[r].sum()))
        v = tokens[r, mask[r].astype(bool)].sum(axis=0, dtype=np.float32) / np.float32(n)
        out[r] = v / max(float(np.linalg.norm(v)), 1e-12)
    return out
