#!/usr/bin/env python3
"""The python-stdnum equivalent of `mes nir check --json`: one JSON object per stdin line."""
import json
import sys

from stdnum.fr import nir


def main() -> None:
    out = sys.stdout
    write = out.write
    for line in sys.stdin:
        text = line.rstrip("\n")
        try:
            number = nir.validate(text)
            write(json.dumps({"input": text, "valid": True, "nir": number, "formatted": nir.format(number)},
                             ensure_ascii=False) + "\n")
        except Exception as e:  # stdnum's ValidationError (and ValueError on some inputs)
            write(json.dumps({"input": text, "valid": False, "reason": type(e).__name__}, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
