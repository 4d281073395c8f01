#!/usr/bin/python3
"""Reference pixels from openslide-python (Debian python3-openslide) for the .NET slide tests.

    /usr/bin/python3 tests/slides/read_region_reference.py SLIDE OUT.bin SPEC [SPEC ...]

SPEC is `x,y,level,w,h` (x, y in level-0 pixels, w, h in pixels of the level) for
`read_region((x, y), level, (w, h)).convert('RGB')`, or `assoc:NAME` for
`associated_images[NAME].convert('RGB')`. The RGB bytes of every SPEC, row-major, are written one after
another to OUT.bin. stdout gets one JSON object: vendor, level dimensions and downsamples, properties,
associated image sizes, and the size of each SPEC's output.
Exit code 3 when openslide-python is not installed (the test skips with that reason).
"""
import json
import sys

try:
    import openslide
except ImportError as e:  # pragma: no cover - reported to the test as a skip reason
    print(f"openslide-python missing: {e} (apt-get install python3-openslide)", file=sys.stderr)
    sys.exit(3)


def main():
    path, out = sys.argv[1], sys.argv[2]
    slide = openslide.OpenSlide(path)
    sizes = []
    with open(out, "wb") as f:
        for spec in sys.argv[3:]:
            if spec.startswith("assoc:"):
                img = slide.associated_images[spec[len("assoc:"):]].convert("RGB")
            else:
                x, y, level, w, h = (int(v) for v in spec.split(","))
                img = slide.read_region((x, y), level, (w, h)).convert("RGB")
            data = img.tobytes()
            f.write(data)
            sizes.append([img.size[0], img.size[1], len(data)])
    json.dump({
        "vendor": openslide.OpenSlide.detect_format(path),
        "library": openslide.__library_version__,
        "levels": [list(d) for d in slide.level_dimensions],
        "downsamples": list(slide.level_downsamples),
        "properties": dict(slide.properties),
        "associated": {k: list(v.size) for k, v in slide.associated_images.items()},
        "sizes": sizes,
    }, sys.stdout)


if __name__ == "__main__":
    main()
