# Writes the NumPy fixtures read by tests/core/npy_test.cpp. Run: /usr/bin/python3 tests/data/npy/make_npy.py
# The test asserts the values written here; change both together.
import os
import numpy as np
from numpy.lib import format as npf

out = os.path.dirname(os.path.abspath(__file__))
def save(name, a, version=None):
    with open(os.path.join(out, name), "wb") as f:
        npf.write_array(f, a, version=version, allow_pickle=True)

save("f32_2x3.npy", np.array([[1.5, -2.25, 3.0], [0.0, 1e-3, -7e6]], np.float32))
save("f64_3.npy", np.array([0.1, -1e300, 2.5], np.float64))
save("i64_2x2.npy", np.array([[-9007199254740993, 1], [2, 9223372036854775807]], np.int64))
save("i32_3.npy", np.array([-2147483648, 0, 2147483647], np.int32))
save("i16_3.npy", np.array([-32768, 123, 32767], np.int16))
save("i8_4.npy", np.array([-128, -1, 0, 127], np.int8))
save("u8_2x2.npy", np.array([[0, 255], [17, 128]], np.uint8))
save("u16_2.npy", np.array([0, 65535], np.uint16))
save("u32_2.npy", np.array([1, 4294967295], np.uint32))
save("u64_2.npy", np.array([2, 18446744073709551615], np.uint64))
save("bool_3.npy", np.array([True, False, True]))
save("f64_scalar.npy", np.array(3.25))
save("f32_0x3.npy", np.zeros((0, 3), np.float32))
save("i32_2x1x2_v2.npy", np.array([[[1, 2]], [[3, 4]]], np.int32), version=(2, 0))
save("f32_2_v3.npy", np.array([-0.5, 8.0], np.float32), version=(3, 0))
# Files coda must reject.
save("bad_fortran.npy", np.asfortranarray(np.arange(6, dtype=np.float32).reshape(2, 3)))
save("bad_big_endian.npy", np.array([1.0, 2.0], dtype=">f4"))
save("bad_complex.npy", np.array([1 + 2j], dtype=np.complex64))
save("bad_object.npy", np.array([{"a": 1}], dtype=object))
save("bad_float16.npy", np.array([1.0], dtype=np.float16))
