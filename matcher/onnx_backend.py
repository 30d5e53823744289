"""onnxruntime backend for :class:`matcher.embed.Embedder` (``backend="onnx"`` / ``"onnx-int8"``).

The whole sentence-transformers pipeline (transformer + pooling + normalise) is exported once with
``torch.onnx.export`` (TorchScript exporter, opset 17, dynamic batch and sequence axes) into
``<cache_dir>/onnx/<model>-<sha12>/model-fp32.onnx``, written to a temporary file and renamed into
place, so concurrent or killed exports never leave a torn file. The int8 variant
(``model-int8.onnx``) is made from it with onnxruntime's dynamic quantisation, selectively:
only the feed-forward MatMuls (``intermediate.dense`` and ``output.dense``) of layers
``QUANT_LAYERS``, per-channel int8 weights. Attention projections, the embeddings and the
pooling stay fp32: quantising every MatMul drifted embeddings to cosine 0.92 from fp32.
"""
from __future__ import annotations

import json
import os
import re
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from .errors import ModelUnavailable

if TYPE_CHECKING:  # pragma: no cover
    from .embed import Embedder

OPSET = 17
EXPORT_VERSION = 1
# Which MatMuls get int8 weights. See benchmarks/bench_embed.py for the measured trade-off.
QUANT_LAYERS: tuple[int, ...] = (0, 1, 2, 3, 4, 5)
QUANT_PER_CHANNEL = True
_FFN = re.compile(r"layer\.(\d+)/(intermediate/dense|output/dense)/MatMul$")


def _atomic_write(path: Path, write) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        write(Path(tmp))
        with open(tmp, "rb+") as f:
            os.fsync(f.fileno())
        os.replace(tmp, path)
        dfd = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(dfd)
        finally:
            os.close(dfd)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


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

        def forward(self, *inputs: torch.Tensor) -> torch.Tensor:
            return self.st(dict(zip(names, inputs)))["sentence_embedding"]

    sample = emb._batch_arrays([emb._prefix + [emb._pad_id + 1000] * 16 + emb._suffix] * 2)
    args = tuple(torch.from_numpy(sample[n]) for n in names)
    axes = {n: {0: "batch", 1: "sequence"} for n in names}
    axes["sentence_embedding"] = {0: "batch"}

    def write(tmp: Path) -> None:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            torch.onnx.export(_Wrapper().eval(), args, str(tmp), input_names=names,
                              output_names=["sentence_embedding"], dynamic_axes=axes,
                              opset_version=OPSET, do_constant_folding=True, dynamo=False)

    _atomic_write(path, write)


def quantize_int8(src: Path, dst: Path, layers: tuple[int, ...] = QUANT_LAYERS,
                  per_channel: bool = QUANT_PER_CHANNEL) -> list[str]:
    """Dynamic int8 quantisation of the FFN MatMuls of ``layers``; returns the quantised node names."""
    import onnx
    from onnxruntime.quantization import QuantType, quantize_dynamic

    graph = onnx.load(str(src), load_external_data=False).graph
    nodes = [n.name for n in graph.node if n.op_type == "MatMul"
             and (m := _FFN.search(n.name)) and int(m.group(1)) in layers]
    if not nodes:
        raise ModelUnavailable(f"No feed-forward MatMul nodes found in {src}; int8 needs a BERT-like model.")

    def write(tmp: Path) -> None:
        quantize_dynamic(str(src), str(tmp), weight_type=QuantType.QInt8, per_channel=per_channel,
                         op_types_to_quantize=["MatMul"], nodes_to_quantize=nodes)

    _atomic_write(dst, write)
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

    @classmethod
    def for_embedder(cls, emb: "Embedder", *, quantized: bool) -> "OnnxRunner":
        d = export_dir(emb)
        fp32 = d / "model-fp32.onnx"
        meta_path = d / "export.json"
        if not fp32.is_file():
            export_fp32(emb, fp32)
        target = fp32
        if quantized:
            tag = "l" + "".join(map(str, QUANT_LAYERS)) + ("-pc" if QUANT_PER_CHANNEL else "")
            target = d / f"model-int8-ffn-{tag}.onnx"
            if not target.is_file():
                quantize_int8(fp32, target)
        if not meta_path.is_file():
            import torch

            meta = {"export_version": EXPORT_VERSION, "model_id": emb.model_id, "checksum": emb.checksum,
                    "opset": OPSET, "torch": torch.__version__, "dim": emb.dim}
            _atomic_write(meta_path, lambda p: p.write_text(json.dumps(meta, indent=2)))
        return cls(target, emb.threads)

    def run(self, arrays: dict[str, np.ndarray]) -> np.ndarray:
        feed = {n: arrays[n] for n in self.input_names}
        return np.asarray(self.session.run(["sentence_embedding"], feed)[0], dtype=np.float32)
