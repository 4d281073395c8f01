#!/usr/bin/env bash
# Executes a notebook (default examples/notebook.ipynb; also examples/volume_notebook.ipynb) headless with
# nbclient on Debian's /usr/bin/python3 kernel and fails if any cell raises. Needs python3-nbclient
# python3-ipykernel python3-matplotlib python3-numpy python3-scipy (python3-nibabel for the volume notebook).
# The executed copy goes to artifacts/NAME.executed.ipynb; the notebooks save their figures in artifacts/.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
if [ -z "${SEGBRIDGE_EXE:-}" ] && [ -x src/SegBridge.Host/bin/Release/net10.0/segbridge ]; then
  export SEGBRIDGE_EXE="$PWD/src/SegBridge.Host/bin/Release/net10.0/segbridge"
fi
NOTEBOOK="${1:-examples/notebook.ipynb}"
mkdir -p artifacts
PYDEVD_DISABLE_FILE_VALIDATION=1 /usr/bin/python3 - "$NOTEBOOK" <<'PY'
import sys, json
import nbformat
from nbclient import NotebookClient
from jupyter_client.kernelspec import KernelSpecManager
spec = KernelSpecManager().get_kernel_spec("python3")
print("kernel python3:", spec.argv[0], "from", spec.resource_dir)
path = sys.argv[1]
name = path.rsplit("/", 1)[-1].rsplit(".", 1)[0]
nb = nbformat.read(path, as_version=4)
client = NotebookClient(nb, kernel_name="python3", timeout=600, resources={"metadata": {"path": "examples"}})
try:
    client.execute()
finally:
    nbformat.write(nb, "artifacts/" + name + ".executed.ipynb")
# the first code cell prints the interpreter: it must be Debian s /usr/bin/python3
first = next(c for c in nb.cells if c.cell_type == "code")
text = "".join(o.get("text", "") for o in first.get("outputs", []) if o.get("output_type") == "stream")
line = next((l for l in text.splitlines() if l.startswith("python:")), "")
print("notebook kernel", line)
if line.split(":", 1)[-1].strip() != "/usr/bin/python3":
    sys.exit("the notebook kernel is not /usr/bin/python3 (" + line + "); install python3-ipykernel from apt")
for c in nb.cells:
    for o in c.get("outputs", []):
        if o.get("output_type") == "stream" and o.get("name") == "stdout":
            sys.stdout.write(o["text"])
print(path, "OK: every cell ran")
PY
