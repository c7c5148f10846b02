"""What a saved model file holds: its size, the JSON text and the tensors.

Fits ``AutoencoderTransformer(random_state=0)`` on scikit-learn's digits (1,797 x 64),
saves it, and prints the file's size, the size of its JSON description and of its
tensors, and the largest tensors by name. Run it in two checkouts to compare formats::

    python benchmarks/model_file.py
"""

import os
import tempfile
import warnings

from safetensors import safe_open
from sklearn.datasets import load_digits

from sklearn_ae import AutoencoderTransformer


def main():
    warnings.simplefilter("ignore")
    X = load_digits().data
    model = AutoencoderTransformer(random_state=0).fit(X)
    path = os.path.join(tempfile.mkdtemp(), "digits.safetensors")
    model.save(path)
    with safe_open(path, "pt") as f:
        json_bytes = len(f.metadata()["model"].encode())
        sizes = {name: f.get_tensor(name).nbytes for name in f.keys()}
    print(f"file {os.path.getsize(path):,} bytes; JSON description {json_bytes:,} bytes; "
          f"{len(sizes)} tensors, {sum(sizes.values()):,} bytes")
    for name, size in sorted(sizes.items(), key=lambda item: -item[1])[:3]:
        print(f"  {name}: {size:,} bytes")


if __name__ == "__main__":
    main()
