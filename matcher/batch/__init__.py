"""Offline batch matching: many resumes -> one JSONL line of ranked, explained results per candidate.

Modules (each imports only those above it in this list; no private name crosses a module)::

    inputs    BatchInput, iter_inputs (a directory or a JSONL file), candidate_options
    records   ok_record / error_record, Writer (append-only OUT), read_done, summary_path
    parse     the parse worker: init_parse_worker, parse_one (never raises for a bad resume)
    matching  match_parsed: batched query vectors, then match_page per candidate (= ``jobmatch match``)
    engine    BatchConfig, StageTimes, RunOutput, StopRun and the Engine interface
    local     LocalEngine: process pool of parse workers, the model in this process
    ray       RayEngine: Ray Data parse tasks and match actors
    run       run_batch: plan inputs (resume), run the engine, write OUT.summary.json

See :mod:`matcher.batch.inputs` for the input format and :mod:`matcher.batch.records` for the output.
"""
from __future__ import annotations

from .engine import BatchConfig, Engine, RunOutput, StageTimes, StopRun
from .inputs import OPTION_KEYS, SOURCE_KEYS, BatchInput, candidate_options, iter_inputs
from .matching import FORWARD_BATCH, embed_queries, match_parsed, query_vectors
from .records import Writer, error_record, ok_record, read_done, summary_path
from .run import ENGINES, engine_for, plan_inputs, run_batch

__all__ = [
    "BatchConfig", "BatchInput", "ENGINES", "Engine", "FORWARD_BATCH", "OPTION_KEYS", "RunOutput", "SOURCE_KEYS",
    "StageTimes", "StopRun", "Writer", "candidate_options", "embed_queries", "engine_for",
    "error_record", "iter_inputs", "match_parsed", "ok_record", "plan_inputs", "query_vectors", "read_done",
    "run_batch", "summary_path",
]
