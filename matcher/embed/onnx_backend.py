"""The onnxruntime backend of :class:`~matcher.embed.Embedder` (``backend="onnx"`` / ``"onnx-int8"``).

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
Over the whole real corpus (6,837 postings searched by 280 resumes, ``benchmarks/bench_embed_real.py``,
2026-12-01) the shipped recipe keeps 0.891 of fp32's top-10; SmoothQuant calibrated on real postings (0.931) and
weight-only blockwise int8 (0.949) do better but none reaches 0.98 (``benchmarks/int8_recipes.py``, README).

Pooling happens here, not in onnxruntime: the graph's ``token_embeddings`` are pooled row by row in numpy
(:func:`~matcher.embed.windows.mean_pool_rows`). Measured 2026-12-01 (83 real resumes, batches of 1 to 64,
1 and 2 threads): onnxruntime's token embeddings of a row do not depend on the rest of the batch, but its
``ReduceSum`` over the sequence (the graph's mean pooling) does, by up to 1.3e-7 per component, which can
flip a rounded score; pooled in numpy, a row is the same bits in any batch (the :class:`Backend` contract).
"""
from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np

from index.atomic import atomic_write

from ..errors import ModelUnavailable
from .backend import Backend, ModelSpec
from .windows import mean_pool_rows

OPSET = 17
# 2: the transformer's token embeddings are a second output (``token_embeddings``), pooled in numpy; a
# version-1 file (one output) is exported again on first use
EXPORT_VERSION = 2
OUTPUTS = ("sentence_embedding", "token_embeddings")
# Which MatMuls get int8 weights (see the table above and benchmarks/bench_embed.py).
QUANT_LAYERS: tuple[int, ...] = (0, 1, 2, 3, 4, 5)
QUANT_PER_CHANNEL = True
QUANT_RECIPE = "attn+inter"
QUANT_NODES = re.compile(
    r"layer\.(\d+)/(attention/self/(query|key|value)|attention/output/dense|intermediate/dense)/MatMul$")


def export_dir(cache_dir: Path, model_id: str, checksum: str) -> Path:
    """Where the exports of one model (by id and weights checksum) are cached."""
    name = re.sub(r"[^A-Za-z0-9_.-]+", "_", model_id.strip("/").split("/")[-1])[:60] or "model"
    return cache_dir / "onnx" / f"{name}-{checksum[:12]}"


def export_fp32(module, input_names: tuple[str, ...], sample: dict[str, np.ndarray], path: Path) -> None:
    """Export the sentence-transformers ``module`` (outputs :data:`OUTPUTS`) to ONNX at ``path``, traced on the
    padded input batch ``sample`` (dynamic batch and sequence axes)."""
    import warnings

    import torch

    names = list(input_names)

    class _Wrapper(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.st = module

        def forward(self, *inputs: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
            out = self.st(dict(zip(names, inputs, strict=False)))
            return out["sentence_embedding"], out["token_embeddings"]

    args = tuple(torch.from_numpy(sample[n]) for n in names)
    axes = {n: {0: "batch", 1: "sequence"} for n in names}
    axes["sentence_embedding"] = {0: "batch"}
    axes["token_embeddings"] = {0: "batch", 1: "sequence"}

    def write(tmp: Path) -> None:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            torch.onnx.export(_Wrapper().eval(), args, str(tmp), input_names=names,
                              output_names=list(OUTPUTS), dynamic_axes=axes,
                              opset_version=OPSET, do_constant_folding=True, dynamo=False)

    atomic_write(path, write)


def quantize_int8(src: Path, dst: Path, layers: tuple[int, ...] = QUANT_LAYERS,
                  per_channel: bool = QUANT_PER_CHANNEL) -> list[str]:
    """Dynamic int8 quantisation of the selected MatMuls of ``layers``; returns their node names."""
    import onnx
    from onnxruntime.quantization import QuantType, quantize_dynamic

    graph = onnx.load(str(src), load_external_data=False).graph
    nodes = [n.name for n in graph.node if n.op_type == "MatMul"
             and (m := QUANT_NODES.search(n.name)) and int(m.group(1)) in layers]
    if not nodes:
        raise ModelUnavailable(f"No BERT-style MatMul nodes found in {src}; int8 needs a BERT-like model.")

    def write(tmp: Path) -> None:
        quantize_dynamic(str(src), str(tmp), weight_type=QuantType.QInt8, per_channel=per_channel,
                         op_types_to_quantize=["MatMul"], nodes_to_quantize=nodes)

    atomic_write(dst, write)
    return nodes


class OnnxBackend(Backend):
    """An onnxruntime session taking the same arrays as the torch forward."""

    name = "onnx"

    def __init__(self, path: Path, threads: int, *, row_by_row: bool = False) -> None:
        import onnxruntime as ort

        # int8 graphs quantise activations dynamically with one scale per input *tensor*, so a row's vector
        # depends on the other rows of its batch (measured: up to 0.0096 per component between a window alone and
        # in a batch of 6 full windows); run them one row at a time to keep the Backend contract.
        self.row_by_row = row_by_row
        opts = ort.SessionOptions()
        opts.intra_op_num_threads = threads
        opts.inter_op_num_threads = 1
        opts.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
        opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        # No spin-waiting: with 2 intra-op threads onnxruntime's pool threads otherwise spin between kernels, which
        # doubles the CPU time of an embedding (60 vs 30 ms for a resume window) and makes it slower than 1 thread
        # as soon as anything else runs; without spinning 2 threads cost about the CPU time of 1 (31-34 vs 30 ms) and
        # answer sooner (p50 36-62 vs 64-98 ms at load 3-4). Measured 2026-12-01, see matcher/embed/threads.py.
        opts.add_session_config_entry("session.intra_op.allow_spinning", "0")
        opts.add_session_config_entry("session.inter_op.allow_spinning", "0")
        self.path = path
        self.session = ort.InferenceSession(str(path), sess_options=opts, providers=["CPUExecutionProvider"])
        self.input_names = [i.name for i in self.session.get_inputs()]
        self.output_names = [o.name for o in self.session.get_outputs()]

    def with_threads(self, threads: int) -> OnnxBackend:
        """Another session of the same graph with ``threads`` intra-op threads. On this CPU its vectors are
        those of the other session bit for bit (tested over the shared resume texts and real postings)."""
        return type(self)(self.path, threads, row_by_row=self.row_by_row)

    @classmethod
    def for_model(cls, spec: ModelSpec, *, quantized: bool) -> OnnxBackend:
        """The backend for ``spec``'s model: exported (and quantised) once into the cache, then loaded."""
        d = export_dir(spec.cache_dir, spec.model_id, spec.checksum)
        fp32 = d / "model-fp32.onnx"
        meta_path = d / "export.json"
        if not fp32.is_file():
            export_fp32(spec.module, spec.input_names, spec.sample, fp32)
        target = fp32
        if quantized:
            tag = f"{QUANT_RECIPE}-l" + "".join(map(str, QUANT_LAYERS)) + ("-pc" if QUANT_PER_CHANNEL else "")
            target = d / f"model-int8-{tag}.onnx"
            if not target.is_file():
                quantize_int8(fp32, target)
        backend = cls(target, spec.threads, row_by_row=quantized)
        stale = not set(OUTPUTS) <= set(backend.output_names)  # a version-1 export: one output
        if stale:
            export_fp32(spec.module, spec.input_names, spec.sample, fp32)
            if quantized:
                quantize_int8(fp32, target)
            backend = cls(target, spec.threads, row_by_row=quantized)
        if stale or not meta_path.is_file():
            import torch

            meta = {"export_version": EXPORT_VERSION, "model_id": spec.model_id, "checksum": spec.checksum,
                    "opset": OPSET, "torch": torch.__version__, "dim": spec.dim}
            atomic_write(meta_path, lambda p: p.write_text(json.dumps(meta, indent=2)))
        return backend

    def forward(self, arrays: dict[str, np.ndarray]) -> np.ndarray:
        return self.forward_tokens(arrays)[0]

    def forward_tokens(self, arrays: dict[str, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
        mask = np.asarray(arrays["attention_mask"])
        if self.row_by_row:  # each row alone, cut to its own tokens: the batch's padding would enter the scales too
            rows = [self._tokens({n: a[r:r + 1, :int(w)] for n, a in arrays.items()})[0]
                    for r, w in enumerate(mask.sum(axis=1))]
            tokens = np.zeros((*mask.shape, rows[0].shape[-1] if rows else 0), np.float32)
            for r, t in enumerate(rows):
                tokens[r, :t.shape[0]] = t
        else:
            tokens = self._tokens(arrays)
        return mean_pool_rows(tokens, mask), tokens

    def _tokens(self, arrays: dict[str, np.ndarray]) -> np.ndarray:
        feed = {n: arrays[n] for n in self.input_names}
        return np.asarray(self.session.run(["token_embeddings"], feed)[0], dtype=np.float32)
