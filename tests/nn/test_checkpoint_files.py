"""Module.save / Module.load with files from anywhere: any key name saves, every member is
checked before its data is read (memory bounded by the model), every failure names the file,
only numeric arrays load, and nothing is ever unpickled."""

import io
import pickle
import tracemalloc
import zipfile

import numpy as np
import numpy.lib.format as npy
import pytest

from autograd_lite import nn
from autograd_lite.npz import NpzError, NpzReader, save_npz


class Holder(nn.Module):
    """Parameters and a buffer under names that are np.savez's own keywords."""

    def __init__(self):
        super().__init__()
        self.file = nn.Parameter(np.arange(3, dtype=np.float32))
        self.allow_pickle = nn.Parameter(np.ones((2, 2), np.float32))
        self.register_buffer("args", np.array([7], np.int64))


def test_every_name_saves_and_loads_even_savez_keywords(tmp_path):
    path = tmp_path / "holder.npz"
    Holder().save(path)
    with np.load(path, allow_pickle=False) as archive:  # still a plain .npz for NumPy
        assert sorted(archive.files) == ["allow_pickle", "args", "file"]
    other = Holder()
    for p in other.parameters():
        p.data[...] = 0
    other.load(path)
    np.testing.assert_array_equal(other.file.data, [0, 1, 2])
    np.testing.assert_array_equal(other.allow_pickle.data, np.ones((2, 2)))


def test_fortran_order_big_endian_and_npy_version_2_load(tmp_path):
    weight = np.asfortranarray(np.arange(6, dtype=">f8").reshape(2, 3))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        with archive.open("weight.npy", "w") as member:
            npy.write_array(member, weight, version=(2, 0))
        with archive.open("bias.npy", "w") as member:
            npy.write_array(member, np.zeros(2))
    path = tmp_path / "odd.npz"
    path.write_bytes(buffer.getvalue())
    m = nn.Linear(3, 2)
    m.load(path)
    np.testing.assert_array_equal(m.weight.data, weight)
    assert m.weight.dtype == np.float32 and m.weight.data.flags.c_contiguous


def write_member(archive, name, header, data=b""):
    """A .npy member whose header says `header` (shape, dtype) and whose data is `data`."""
    shape, dtype = header
    with archive.open(f"{name}.npy", "w", force_zip64=True) as member:
        npy.write_array_header_1_0(member, {"descr": npy.dtype_to_descr(np.dtype(dtype)),
                                            "fortran_order": False, "shape": shape})
        member.write(data)


def linear_arrays():
    m = nn.Linear(4, 2)
    return m, {"weight": m.weight.data, "bias": m.bias.data}


def compressed_zeros(archive, name, header_shape, megabytes):
    """A deflated member: a header for `header_shape` float32, then `megabytes` of zeros."""
    with archive.open(f"{name}.npy", "w", force_zip64=True) as member:
        npy.write_array_header_1_0(member, {"descr": "<f4", "fortran_order": False,
                                            "shape": header_shape})
        for _ in range(megabytes):
            member.write(bytes(1 << 20))


def test_compressed_bombs_cost_no_memory(tmp_path):
    """64 MB of zeros compress to ~60 KB. An unexpected key is refused from the zip directory
    alone; an expected one whose data is far longer than its header says is refused before
    its data is read (np.load would allocate the 64 MB in both cases)."""
    m, good = linear_arrays()
    unexpected, bloated = tmp_path / "unexpected.npz", tmp_path / "bloated.npz"
    with zipfile.ZipFile(unexpected, "w", zipfile.ZIP_DEFLATED) as archive:
        for key, value in good.items():
            with archive.open(f"{key}.npy", "w") as member:
                npy.write_array(member, value)
        compressed_zeros(archive, "extra", (16 << 20,), 64)
    with zipfile.ZipFile(bloated, "w", zipfile.ZIP_DEFLATED) as archive:
        compressed_zeros(archive, "weight", (2, 4), 64)
        with archive.open("bias.npy", "w") as member:
            npy.write_array(member, good["bias"])
    assert unexpected.stat().st_size < 1 << 20 and bloated.stat().st_size < 1 << 20
    tracemalloc.start()
    try:
        with pytest.raises(KeyError, match=r"unexpected keys \['extra'\].*unexpected.npz"):
            m.load(unexpected)
        with pytest.raises(ValueError, match=r"bloated.npz.*'weight'.*32 bytes.*67,108,864"):
            m.load(bloated)
        m.load(unexpected, strict=False)  # the extra key is skipped, never decompressed
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 2 << 20
    np.testing.assert_array_equal(m.weight.data, good["weight"])


def test_a_header_claiming_800_gb_is_a_clear_error(tmp_path):
    m, good = linear_arrays()
    path = tmp_path / "huge.npz"
    with zipfile.ZipFile(path, "w") as archive:
        write_member(archive, "weight", ((200_000_000_000,), "<f4"))
        write_member(archive, "bias", ((2,), "<f4"), bytes(8))
    with pytest.raises(ValueError, match=r"'weight' has shape \(200000000000,\) in the file but "
                                         r"\(2, 4\) in the model.*huge.npz"):
        m.load(path)
    with zipfile.ZipFile(path, "w") as archive:  # the right shape, but no data behind it
        write_member(archive, "weight", ((2, 4), "<f4"), bytes(4))
        write_member(archive, "bias", ((2,), "<f4"), bytes(8))
    with pytest.raises(ValueError, match=r"huge.npz.*'weight'.*32 bytes.*holds 4 bytes"):
        m.load(path)


@pytest.mark.parametrize("content, what", [
    (b"", "empty"),
    (None, "single .npy array"),
    (b"just some text, not a checkpoint", "not a zip archive"),
    ("truncated", "truncated or damaged zip"),
])
def test_unreadable_files_name_the_file_and_the_problem(tmp_path, content, what):
    m, good = linear_arrays()
    path = tmp_path / "bad.npz"
    if content is None:
        np.save(tmp_path / "bad.npy", good["weight"])
        (tmp_path / "bad.npy").rename(path)
    elif content == "truncated":
        save_npz(path, good)
        path.write_bytes(path.read_bytes()[:-30])
    else:
        path.write_bytes(content)
    before = m.weight.data.copy()
    with pytest.raises(ValueError, match=f"bad.npz.*{what}"):
        m.load(path)
    np.testing.assert_array_equal(m.weight.data, before)


def test_damaged_data_is_caught_by_the_crc(tmp_path):
    m, good = linear_arrays()
    path = tmp_path / "flipped.npz"
    save_npz(path, {"weight": np.full((2, 4), 3, np.float32), "bias": good["bias"]})
    raw = bytearray(path.read_bytes())
    raw[raw.index(np.float32(3).tobytes())] ^= 1  # one bit of the first weight
    path.write_bytes(bytes(raw))
    with pytest.raises(ValueError, match="flipped.npz.*'weight'.*CRC"):
        m.load(path)


def test_directories_and_missing_files_are_named(tmp_path):
    m, _ = linear_arrays()
    (tmp_path / "dir.npz").mkdir()
    with pytest.raises(ValueError, match="dir.npz.*is a directory"):
        m.load(tmp_path / "dir.npz")
    with pytest.raises(FileNotFoundError, match="absent.npz"):
        m.load(tmp_path / "absent.npz")


@pytest.mark.parametrize("value, what", [
    (np.array(["1", "2"]), "text"),
    (np.array([b"1", b"2"]), "bytes"),
    (np.zeros(2, dtype=[("a", "<f4")]), "structured"),
    (np.array(["2020-01-01", "2020-01-02"], dtype="datetime64[D]"), "datetimes"),
    (np.array([1.0, 2.0], dtype=object), "Python objects"),
])
def test_non_numeric_arrays_are_refused(tmp_path, value, what):
    m, good = linear_arrays()
    path = tmp_path / "odd.npz"
    np.savez(path, weight=good["weight"], bias=value)
    with pytest.raises(ValueError, match=f"odd.npz.*'bias' holds {what}"):
        m.load(path)
    with pytest.raises(TypeError, match="'bias' is not a numeric array"):
        m.load_state_dict({"weight": good["weight"], "bias": value})


def test_a_float_file_does_not_load_into_an_integer_buffer(tmp_path):
    m = Holder()
    path = tmp_path / "h.npz"
    save_npz(path, {"file": np.zeros(3), "allow_pickle": np.zeros((2, 2)), "args": [0.5]})
    with pytest.raises(ValueError, match="'args' is float64 in the file.*int64"):
        m.load(path)


def test_loading_never_unpickles(tmp_path, monkeypatch):
    calls = []

    class Evil:
        def __reduce__(self):
            return (calls.append, ("ran",))

    path = tmp_path / "evil.npz"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        with archive.open("weight.npy", "w") as member:
            npy.write_array(member, np.array([Evil()], dtype=object), allow_pickle=True)
        with archive.open("bias.npy", "w") as member:
            npy.write_array(member, np.zeros(2))
    path.write_bytes(buffer.getvalue())
    monkeypatch.setattr(pickle, "loads", lambda *a, **k: calls.append("pickle.loads"))
    monkeypatch.setattr(pickle, "load", lambda *a, **k: calls.append("pickle.load"))
    with pytest.raises(ValueError, match="evil.npz.*Python objects"):
        linear_arrays()[0].load(path)
    assert calls == []


def test_save_refuses_what_could_not_be_loaded_back(tmp_path):
    with pytest.raises(TypeError, match="'x' holds Python objects"):
        save_npz(tmp_path / "x.npz", {"x": np.array([None])})
    assert list(tmp_path.iterdir()) == []


def test_reader_lists_arrays_and_texts_and_bounds_text(tmp_path):
    path = tmp_path / "mixed.npz"
    save_npz(path, {"a": np.arange(3)}, {"meta.json": '{"k": 1}'})
    with NpzReader(path) as reader:
        assert reader.arrays == ["a"] and reader.texts == ["meta.json"]
        assert reader.header("a").shape == (3,)
        assert reader.read_text("meta.json") == '{"k": 1}'
        with pytest.raises(NpzError, match="longer than 4 bytes"):
            reader.read_text("meta.json", max_bytes=4)
        with pytest.raises(KeyError, match="no member 'b'"):
            reader.read("b")
