"""bench/memory.py's search: the goal first, doubling steps away from it, then bisection
to 16 MiB; an exit-7 failure stands for every smaller size without a probe."""
from __future__ import annotations

import pytest

import bench.memory
from bench.memory import BENCH_CASES, bounds, next_probe


@pytest.fixture(autouse=True)
def minimum_160(monkeypatch):
    """The figures below assume an installer minimum of 160 MiB, whatever the current one."""
    monkeypatch.setattr(bench.memory, "MINIMUM_MIB", 160)


def search(case: str, works_from: int, overhead: int = 53) -> tuple[list[int], tuple[int, int]]:
    probes: dict[int, dict] = {}
    seen = []
    while (mib := next_probe(BENCH_CASES[case], probes, 128, 768)) is not None:
        seen.append(mib)
        total = mib - overhead
        why = "" if mib >= works_from else \
            f"ANACONDA-EXIT: 7 (not enough memory: MemTotal {total} MiB)" if total < 160 else "Out of memory"
        probes[mib] = {"mib": mib, "ok": mib >= works_from, "why": why, "memtotal": total}
    return seen, bounds(probes, 128, 768)


@pytest.mark.parametrize("works_from, expected", [
    (300, [192, 224, 288, 416, 352, 320, 304]),  # 208 inferred from 192's exit 7
    (128, [192, 176, 144, 128]),
    (192, [192, 176]),
    (9999, [192, 224, 288, 416, 672, 768]),
])
def test_search_order_and_result(works_from, expected):
    seen, (fail_max, ok_min) = search("a", works_from)
    assert seen == expected
    assert ok_min - fail_max == 16
    assert len(set(seen)) == len(seen)


def test_exit_7_is_inferred_upwards():
    probes = {192: {"mib": 192, "ok": False, "why": "ANACONDA-EXIT: 7 (not enough memory: MemTotal 139 MiB)"}}
    assert bounds(probes, 128, 768) == (208, 784)  # 208 - 53 = 155 < 160: fails too
