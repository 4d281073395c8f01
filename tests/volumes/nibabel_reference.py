"""nibabel's side of the NIfTI round-trip tests (Debian's /usr/bin/python3 + python3-nibabel).

  write DIR        write fixtures (several dtypes, scaling, rotated affine, .nii/.nii.gz, big-endian) into DIR,
                   each with NAME.expected.f8 (nibabel's scaled voxels, x fastest) and manifest.json
  read FILE OUT    read FILE with nibabel; print JSON (shape, dtype, affine, slope, inter, codes) and write
                   the scaled voxels to OUT as little-endian float64, x fastest
  stats FILE       print JSON statistics of FILE's scaled voxels (min, max, mean, std, nonzero, sum)
Exit code 3 means nibabel is missing (the C# test skips with that message).
"""
import gzip
import io
import json
import sys

try:
    import numpy as np
    import nibabel as nib
except ImportError as e:
    print(f"nibabel/numpy not importable by {sys.executable} ({e}): apt-get install python3-nibabel", file=sys.stderr)
    sys.exit(3)


def rotated_affine():
    # 20 degrees about z and 10 about x, anisotropic spacing, an offset: nothing identity-like survives by accident.
    a, b = np.radians(20), np.radians(10)
    rz = np.array([[np.cos(a), -np.sin(a), 0], [np.sin(a), np.cos(a), 0], [0, 0, 1]])
    rx = np.array([[1, 0, 0], [0, np.cos(b), -np.sin(b)], [0, np.sin(b), np.cos(b)]])
    aff = np.eye(4)
    aff[:3, :3] = rz @ rx @ np.diag([0.8, 0.9, 2.5])
    aff[:3, 3] = [-90.5, 12.25, 40.0]
    return aff


def pattern(shape, dtype):
    x, y, z = np.meshgrid(*[np.arange(n) for n in shape], indexing="ij")
    v = (x * 7 + y * 13 + z * 29) % 251
    info = np.iinfo(dtype) if np.issubdtype(dtype, np.integer) else None
    if info is not None and info.min < 0:
        v = v - 120
    if info is None:
        v = v * 0.37 - 20.5
    return v.astype(dtype)


def set_scaling(path, slope, inter):
    # nibabel recomputes scaling when it saves an array, so scl_slope/scl_inter are patched into the saved
    # header's bytes (in its byte order), turning the stored integers into scaled values.
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        raw = bytearray(f.read())
    hdr = nib.Nifti1Header.from_fileobj(io.BytesIO(raw))
    hdr["scl_slope"], hdr["scl_inter"] = slope, inter
    raw[:348] = hdr.binaryblock
    with opener(path, "wb") as f:
        f.write(raw)


def write(folder):
    shape = (11, 7, 5)
    cases = [
        ("u8", np.uint8, None, ".nii", "<"),
        ("i8", np.int8, None, ".nii.gz", "<"),
        ("i16_scaled", np.int16, (0.5, -10.0), ".nii.gz", "<"),
        ("u16", np.uint16, None, ".nii", "<"),
        ("i32", np.int32, None, ".nii", "<"),
        ("u32", np.uint32, (2.0, 1.0), ".nii", "<"),
        ("f32", np.float32, None, ".nii.gz", "<"),
        ("f64", np.float64, None, ".nii", "<"),
        ("i16_big", np.int16, (0.25, 3.0), ".nii", ">"),
        ("f32_big", np.float32, None, ".nii.gz", ">"),
    ]
    manifest = []
    for name, dtype, scaling, ext, endian in cases:
        data = pattern(shape, dtype)
        hdr = nib.Nifti1Header(endianness=endian)
        hdr.set_data_dtype(np.dtype(dtype).newbyteorder(endian))
        img = nib.Nifti1Image(data, rotated_affine(), hdr)
        img.set_qform(rotated_affine(), code=1)
        img.set_sform(rotated_affine(), code=2)
        img.header.set_xyzt_units("mm", "sec")
        path = f"{folder}/{name}{ext}"
        nib.save(img, path)
        if scaling is not None:
            set_scaling(path, *scaling)
        back = nib.load(path)
        np.asarray(back.get_fdata(), dtype="<f8").ravel(order="F").tofile(f"{folder}/{name}.expected.f8")
        manifest.append({"name": name, "file": path, "dtype": back.get_data_dtype().name, "bigEndian": back.header.endianness == ">", "shape": list(back.shape),
                         "affine": back.affine.tolist(), "qform": back.get_qform().tolist(),
                         "zooms": [float(z) for z in back.header.get_zooms()],
                         "slope": float(back.dataobj.slope), "inter": float(back.dataobj.inter)})
    with open(f"{folder}/manifest.json", "w") as f:
        json.dump(manifest, f)


def read(path, out):
    img = nib.load(path)
    hdr = img.header
    data = np.asarray(img.get_fdata(), dtype="<f8")
    data.ravel(order="F").tofile(out)
    slope, inter = img.dataobj.slope, img.dataobj.inter  # nibabel moves the file's scaling into the proxy
    print(json.dumps({"shape": list(img.shape), "dtype": img.get_data_dtype().name, "affine": img.affine.tolist(),
                      "qform": img.get_qform().tolist(), "sform": img.get_sform().tolist(),
                      "qformCode": int(hdr["qform_code"]), "sformCode": int(hdr["sform_code"]),
                      "zooms": [float(z) for z in hdr.get_zooms()], "units": list(hdr.get_xyzt_units()),
                      "slope": float(slope), "inter": float(inter)}))


def stats(path):
    img = nib.load(path)
    d = np.asarray(img.get_fdata(), dtype=np.float64)
    print(json.dumps({"shape": list(img.shape), "min": float(d.min()), "max": float(d.max()), "mean": float(d.mean()),
                      "std": float(d.std()), "nonzero": int(np.count_nonzero(d)), "sum": float(d.sum()),
                      "zooms": [float(z) for z in img.header.get_zooms()], "affine": img.affine.tolist()}))


if __name__ == "__main__":
    cmd = sys.argv[1]
    if cmd == "write":
        write(sys.argv[2])
    elif cmd == "read":
        read(sys.argv[2], sys.argv[3])
    elif cmd == "stats":
        stats(sys.argv[2])
    else:
        sys.exit(f"unknown command {cmd}")
