"""The benchmark suite (bench/, run by `make bench`, not by pytest) at least imports, and its
README table renders from a result."""

import importlib

import pytest

MODULES = [
    "bench.run", "bench.seed_sql", "bench.seed_ref", "bench.seed_more",
    "bench.measures.web", "bench.measures.reports", "bench.measures.trigger_lag",
    "bench.measures.sla_sweep", "bench.measures.table", "bench.measures.dbsetup",
    "bench.inprocess",
]  # fmt: skip


@pytest.mark.parametrize("name", MODULES)
def test_bench_module_imports(name):
    importlib.import_module(name)


def test_table_renders_targets_and_ratios():
    from bench.measures import table

    machine = {"nproc": 2, "cpu": "X", "ram_gb": 8, "postgresql": "15", "python": "3.11",
               "load_avg_at_start": [0.1, 0.1, 0.1]}  # fmt: skip
    small = {"date": "d", "machine": machine, "intake": {"rps": 500.0}}
    big = {"date": "d", "machine": machine, "intake": {"rps": 650.0}}
    text = table.render({100_000: small, 1_000_000: big})
    row = "| 1. intake POST /api/v1/ticket/ (c=8) | ≥ 600 req/s | 500 req/s ❌ | 650 req/s ✅ |"
    assert row + " ×1.30 |" in text
    assert table.ratios({100_000: small, 1_000_000: big})[0].endswith("(×1.30)")
