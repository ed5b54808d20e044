#!/usr/bin/env python3
"""Adds --hash lines to a requirements file whose every requirement is pinned (name==version).

Reads the digests of each release's files from PyPI's simple index (its JSON form, PEP 691), so
pip's hash-checking mode refuses any download that is not a file PyPI published for that
version. Run it with the project's venv, which has `packaging`:
    .venv/bin/python scripts/python/add-hashes.py REQUIREMENTS_FILE   (rewrites it in place)
"""
import json
import re
import sys
import urllib.request

from packaging.utils import canonicalize_name, parse_sdist_filename, parse_wheel_filename
from packaging.version import Version

PINNED = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;\\]+)\s*(?:\\)?\s*$")


def release_of(filename: str) -> tuple[str, Version] | None:
    try:
        if filename.endswith(".whl"):
            name, version, _, _ = parse_wheel_filename(filename)
        else:
            name, version = parse_sdist_filename(filename)
    except Exception:  # an old upload whose name follows no standard
        return None
    return canonicalize_name(name), version


def digests(name: str, version: str) -> list[str]:
    request = urllib.request.Request(
        f"https://pypi.org/simple/{canonicalize_name(name)}/",
        headers={"Accept": "application/vnd.pypi.simple.v1+json"},
    )
    with urllib.request.urlopen(request, timeout=60) as response:
        files = json.load(response)["files"]
    wanted = (canonicalize_name(name), Version(version))
    return sorted({f["hashes"]["sha256"] for f in files if release_of(f["filename"]) == wanted and not f.get("yanked")})


def main(path: str) -> None:
    out: list[str] = []
    lines = open(path, encoding="utf-8").read().splitlines()
    for line in lines:
        if line.lstrip().startswith("--hash="):
            continue  # regenerated below
        match = PINNED.match(line)
        if not match:
            out.append(line)
            continue
        name, version = match.groups()
        hashes = digests(name, version)
        if not hashes:
            sys.exit(f"{path}: PyPI lists no files for {name}=={version}")
        out.append(f"{name}=={version} \\")
        out.extend(f"    --hash=sha256:{h}" + (" \\" if i < len(hashes) - 1 else "") for i, h in enumerate(hashes))
    open(path, "w", encoding="utf-8").write("\n".join(out) + "\n")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(sys.argv[1])
