import pytest

from ansible_collections.ngts.vsatellite.plugins.module_utils import _elf

SOFTHSM = "/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so"
LIBZ = "/usr/lib/x86_64-linux-gnu/libz.so.1"
X86_64 = (62, 64)


def read(path):
    with open(path, "rb") as f:
        return f.read()


def test_a_pkcs11_library_exports_the_entry_point():
    r = _elf.inspect_shared_object(read(SOFTHSM), host=X86_64)
    assert r.problem is None
    assert r.as_dict() == {"machine": "x86_64", "bits": 64, "exports_c_getfunctionlist": True}


def test_a_shared_object_without_the_entry_point():
    r = _elf.inspect_shared_object(read(LIBZ), host=X86_64)
    assert r.exports_get_function_list is False
    assert "does not export C_GetFunctionList" in r.problem


def test_only_defined_symbols_count():
    # A library that merely imports C_GetFunctionList must not pass as one that exports it:
    # libz exports inflate and imports memcpy from libc.
    names = _elf._dynamic_symbols(read(LIBZ), 64, "<")
    assert "inflate" in names
    assert "memcpy" not in names


@pytest.mark.parametrize("data,reason", [
    (b"hello world\n" * 10, "not an ELF file"),
    (b"\x7fELF", "not an ELF file"),
    (b"\x7fELF\x05\x01" + bytes(60), "malformed ELF header"),
])
def test_files_that_are_not_elf(data, reason):
    assert reason in _elf.inspect_shared_object(data, host=X86_64).problem


def test_another_architecture_is_named():
    data = bytearray(read(SOFTHSM))
    data[18:20] = (183).to_bytes(2, "little")
    r = _elf.inspect_shared_object(bytes(data), host=X86_64)
    assert r.problem == "is a 64-bit aarch64 library; this host needs 64-bit x86_64"


def test_an_executable_is_not_a_shared_object():
    data = bytearray(read(SOFTHSM))
    data[16:18] = (2).to_bytes(2, "little")  # ET_EXEC
    assert "not a shared object" in _elf.inspect_shared_object(bytes(data), host=X86_64).problem


def test_a_truncated_section_table():
    data = read(SOFTHSM)[:4096]
    assert "malformed ELF section table" in _elf.inspect_shared_object(data, host=X86_64).problem
