"""Report the binary's size and the cold start of `--version` (targets: ≤ 60 MB, ≤ 1.5 s)."""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from pathlib import Path

SIZE_TARGET_MB = 60
START_TARGET_S = 1.5


def main() -> int:
    binaries = sorted(Path("dist").glob("epack-collector-microsoft-cloud-*"))
    if not binaries:
        print("no binary in dist/; run `make binary`", file=sys.stderr)
        return 1
    binary = binaries[-1]
    size_mb = binary.stat().st_size / 1_000_000
    timings = []
    for _ in range(5):
        started = time.perf_counter()
        subprocess.run([str(binary), "--version"], check=True, capture_output=True)
        timings.append(time.perf_counter() - started)
    start = statistics.median(timings)
    print(
        f"{binary.name}: {size_mb:.1f} MB (target ≤ {SIZE_TARGET_MB}), "
        f"--version cold start median {start:.2f} s of 5 (target ≤ {START_TARGET_S})"
    )
    return 0 if size_mb <= SIZE_TARGET_MB and start <= START_TARGET_S else 1


if __name__ == "__main__":
    sys.exit(main())
