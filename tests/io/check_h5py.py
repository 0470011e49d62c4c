"""Reads a checkpoint written by `pure_io_writer --sample` with h5py and
checks every value, dtype and checksum against formulas independent of pure
(tests/io/io_trees.hpp makes the same tree). Exit 0 when all agree."""
import sys

import h5py
import numpy as np


def crc32c(data: bytes) -> int:
    crc = 0xFFFFFFFF
    for b in data:
        crc ^= b
        for _ in range(8):
            crc = (crc >> 1) ^ 0x82F63B78 if crc & 1 else crc >> 1
    return crc ^ 0xFFFFFFFF


def main(path):
    errors = []

    def expect(name, want):
        got = f[name][()]
        want = np.asarray(want)
        if got.dtype != want.dtype or got.shape != want.shape or not np.array_equal(got, want):
            errors.append(f"{name}: got {got!r} ({got.dtype}), want {want!r} ({want.dtype})")
        raw = np.ascontiguousarray(got).astype(got.dtype.newbyteorder("<")).tobytes()
        if crc32c(raw) != int(f[name].attrs["crc32c"]):
            errors.append(f"{name}: crc32c attribute does not match the data")

    with h5py.File(path, "r") as f:
        expect("params/Dense_0/kernel", (np.arange(6, dtype=np.float32) * np.float32(0.5) - np.float32(1)).reshape(2, 3))
        expect("params/Dense_0/bias", np.arange(3, dtype=np.float64) / 3.0)
        expect("ints/i32", np.array([-2**31, -1, 0, 7], dtype=np.int32))
        expect("ints/u32", np.array([0, 1, 2**32 - 1], dtype=np.uint32))
        expect("ints/i64", np.array([-9007199254740993, 42], dtype=np.int64))
        expect("ints/u64", np.array([2**64 - 1], dtype=np.uint64))
        expect("mask", np.array([[1, 0, 0], [1, 1, 0]], dtype=bool))
        expect("step", np.int64(1200))
        expect("empty", np.zeros((0, 4), dtype=np.float32))
        if not isinstance(f["no_params"], h5py.Group) or len(f["no_params"]) != 0:
            errors.append("no_params: not an empty group")
        # h5py lists names sorted; the stored (creation) order is the tree's.
        order = []
        f.id.links.iterate(lambda name: order.append(name.decode()), idx_type=h5py.h5.INDEX_CRT_ORDER)
        if order[:6] != ["params", "ints", "mask", "step", "empty", "no_params"]:
            errors.append(f"creation order {order}")
        # pure writes fixed-length UTF-8 strings, which h5py returns as bytes.
        a = {k: (v.decode() if isinstance(v, bytes) else v) for k, v in f.attrs.items()}
        gen = lambda name: f["pure_keys/" + name].attrs["generator"].decode()  # noqa: E731
        if a["pure_format"] != "pure-checkpoint" or a["step"] != 1200 or a["loss"] != 0.125:
            errors.append(f"root attributes {dict(a)}")
        if a["config"] != 'lr = 1e-3\nmodel = "mlp"':
            errors.append(f"config attribute {a['config']!r}")
        if list(f["pure_keys/train"][()]) != [0, 42] or gen("train") != "threefry2x32":
            errors.append("key 'train'")
        if list(f["pure_keys/data"][()]) != [0xDEADBEEF, 7] or gen("data") != "philox4x32":
            errors.append("key 'data'")
    # The header (docs/checkpoint-format.md): length and CRC-32C of everything
    # after the user block; in format 2 also the table of datasets, which must
    # list exactly the datasets with data, at the offsets HDF5 gives for them.
    with open(path, "rb") as raw:
        data = raw.read()
    head = data[:512].split(b"\n")[0].decode()
    fields = dict(kv.split("=") for kv in head.split()[2:])
    block = int(fields.get("block", 512))
    if int(fields["length"]) != len(data) or int(fields["crc32c"], 16) != crc32c(data[block:]):
        errors.append(f"header {head}: length or whole-file checksum wrong")
    if head.split()[1] == "2":
        rows = [line.split() for line in data[:block].split(b"\n")[1 : 1 + int(fields["entries"])]]
        table = {int(off): (int(n), int(c, 16)) for off, n, c in rows}
        offsets = {}
        with h5py.File(path, "r") as f:
            f.visititems(lambda name, obj: offsets.update({obj.id.get_offset(): name})
                         if isinstance(obj, h5py.Dataset) and obj.size > 0 else None)
        if set(table) != set(offsets):
            errors.append(f"table offsets {sorted(table)} != dataset offsets {sorted(offsets)}")
        for off, (n, c) in table.items():
            if crc32c(data[off : off + n]) != c:
                errors.append(f"table row at {off} ({offsets.get(off)}): checksum wrong")
    for e in errors:
        print("check_h5py:", e)
    print("check_h5py:", "ok" if not errors else f"{len(errors)} errors")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
