"""Rewrites a model file's name, description and provenance, keeping its tensors byte for byte: for
a file that another tool made (`tinyhush quantize`), so the shipped header records how it was made.

    python3 training/relabel.py IN.thm OUT.thm --name NAME [--description TEXT] [--provenance FILE.json]

--provenance: a JSON object merged into the header's provenance (its keys replace the existing ones).
"""
import argparse
import json
import struct
import zlib
from pathlib import Path

import thm


def relabel(data: bytes, name: str, description: str | None, provenance: dict) -> bytes:
    """The file `data` with a new header (canonical, as thm.write_model writes it) and the same data section."""
    header_length = struct.unpack_from('<I', data, 12)[0]
    header = json.loads(data[thm.PREFIX_BYTES:thm.PREFIX_BYTES + header_length].decode('utf-8'))
    section = data[thm.PREFIX_BYTES + header_length:-4]
    header = {**header, 'name': name, 'description': description or header['description'],
              'provenance': {**header['provenance'], **provenance}}
    text = thm.js_json(thm.canonical_header(header)).encode('utf-8')
    data_start = thm.align_up(thm.PREFIX_BYTES + len(text))
    body = (thm.MAGIC + struct.pack('<II', header['version'], data_start - thm.PREFIX_BYTES)
            + text.ljust(data_start - thm.PREFIX_BYTES, b' ') + section)
    return body + struct.pack('<I', zlib.crc32(body))


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('input', type=Path)
    p.add_argument('output', type=Path)
    p.add_argument('--name', required=True)
    p.add_argument('--description')
    p.add_argument('--provenance', type=Path)
    args = p.parse_args()
    extra = json.loads(args.provenance.read_text()) if args.provenance else {}
    args.output.write_bytes(relabel(args.input.read_bytes(), args.name, args.description, extra))


if __name__ == '__main__':
    main()
