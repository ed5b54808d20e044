"""The app container's memory limit, as the stack gives it (a Kubernetes quantity such as 1Gi).
The oversized scenario is sized from it. Parsed here because only the binary and decimal suffixes
and plain bytes can appear in a memory limit; no library is needed for that."""

import re

from gourmetgram_train.errors import UsageError

_MULTIPLIERS = {"": 1, "k": 10**3, "M": 10**6, "G": 10**9, "T": 10**12,
                "Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "Ti": 2**40}
_QUANTITY = re.compile(r"([0-9]+)(Ki|Mi|Gi|Ti|k|M|G|T)?")


def parse_memory_limit(text: str, origin: str) -> int:
    """Bytes in a Kubernetes memory quantity such as 1Gi, 768Mi or 1073741824."""
    match = _QUANTITY.fullmatch(text.strip())
    if not match or int(match.group(1)) == 0:
        raise UsageError(
            f"{origin} = {text!r} is not a memory limit; use a Kubernetes memory quantity such as "
            "1Gi, 768Mi or a whole number of bytes")
    return int(match.group(1)) * _MULTIPLIERS[match.group(2) or ""]
