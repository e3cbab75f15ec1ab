/* textcodec's entropy coder: rANS over 16-bit CDF tables, straight from and to int32 buffers.
 *
 * The latent of a 720p image is ~700k symbols; CompressAI's coder takes and returns them as
 * Python lists, and that marshalling costs most of a GPU decode. This coder reads numpy/torch
 * buffers directly (buffer protocol, no per-symbol Python objects).
 *
 * Stream (docs/format.md, coder 1):
 *   uvarint E | E bytes of escapes | rANS words, 16-bit little-endian, in decoding order
 * State x in [2^16, 2^32), 16-bit renormalisation (at most one word per symbol), CDFs of
 * 16-bit precision (cdf[0] = 0, cdf[len-1] = 65536, strictly increasing). A table's last
 * symbol (len-2) is the escape: values outside [offset, offset + len-2) code the escape and
 * go to the escape bytes as zigzag uvarints, in symbol order. The decoder checks that every
 * word and escape byte is used and that the state ends where the encoder started, so a
 * damaged stream is an error, never silently wrong numbers.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define PREC 16
#define LOW (1u << 16)
#define SLOTS (1u << PREC)

typedef struct {
    const int32_t *cdf, *len, *off;
    Py_ssize_t ntab, stride;
} Tables;

static PyObject *RansError;

/* Checks the tables once per call: every lookup after this stays in bounds. */
static int tables_from(Tables *t, Py_buffer *cdf, Py_buffer *len, Py_buffer *off,
                       Py_ssize_t stride) {
    if (stride < 2 || len->len % 4 || off->len != len->len
        || cdf->len != (len->len / 4) * stride * 4) {
        PyErr_SetString(PyExc_ValueError, "rANS tables: inconsistent sizes");
        return -1;
    }
    t->cdf = cdf->buf; t->len = len->buf; t->off = off->buf;
    t->ntab = len->len / 4; t->stride = stride;
    for (Py_ssize_t k = 0; k < t->ntab; k++) {
        const int32_t *c = t->cdf + k * stride;
        int32_t n = t->len[k];
        if (n < 2 || n > stride || c[0] != 0 || c[n - 1] != (int32_t)SLOTS) {
            PyErr_Format(PyExc_ValueError, "rANS table %zd is not a 16-bit CDF", k);
            return -1;
        }
        for (int32_t s = 0; s + 1 < n; s++)
            if (c[s + 1] <= c[s]) {
                PyErr_Format(PyExc_ValueError, "rANS table %zd has an empty symbol", k);
                return -1;
            }
    }
    return 0;
}

static int put_uvarint(uint8_t *out, uint64_t v) {
    int n = 0;
    while (v >= 0x80) { out[n++] = (uint8_t)(v | 0x80); v >>= 7; }
    out[n++] = (uint8_t)v;
    return n;
}

/* Codes n symbols into words (emission order) and escapes; runs without the GIL. Returns the
 * position of the first out-of-range table index, or -1. */
static Py_ssize_t code_symbols(const Tables *t, const int32_t *s_in, const int32_t *i_in,
                               Py_ssize_t n, uint16_t *words, Py_ssize_t *nw_out,
                               uint8_t *esc_buf, size_t *esc_out) {
    for (Py_ssize_t i = 0; i < n; i++)
        if (i_in[i] < 0 || i_in[i] >= t->ntab) return i;
    /* escapes first, in symbol order (the decoder meets them in that order) */
    size_t esc = 0;
    for (Py_ssize_t i = 0; i < n; i++) {
        int32_t k = i_in[i], v = s_in[i] - t->off[k];
        if (v < 0 || v >= t->len[k] - 2) {
            int64_t raw = s_in[i];
            esc += put_uvarint(esc_buf + esc, raw < 0 ? (uint64_t)(-2 * raw - 1)
                                                      : (uint64_t)(2 * raw));
        }
    }
    /* rANS runs backwards over the symbols */
    uint32_t x = LOW;
    Py_ssize_t nw = 0;
    for (Py_ssize_t i = n - 1; i >= 0; i--) {
        int32_t k = i_in[i], top = t->len[k] - 2, v = s_in[i] - t->off[k];
        if (v < 0 || v >= top) v = top;
        const int32_t *c = t->cdf + (Py_ssize_t)k * t->stride;
        uint32_t start = (uint32_t)c[v], freq = (uint32_t)(c[v + 1] - c[v]);
        if (x >= (freq << 16)) { words[nw++] = (uint16_t)x; x >>= 16; }
        x = ((x / freq) << PREC) + (x % freq) + start;
    }
    words[nw++] = (uint16_t)x;
    words[nw++] = (uint16_t)(x >> 16);
    *nw_out = nw;
    *esc_out = esc;
    return -1;
}

/* encode(symbols, indexes, cdf, cdf_len, offsets, stride) -> bytes */
static PyObject *encode(PyObject *self, PyObject *args) {
    Py_buffer sym, idx, cdf, len, off;
    Py_ssize_t stride;
    if (!PyArg_ParseTuple(args, "y*y*y*y*y*n", &sym, &idx, &cdf, &len, &off, &stride))
        return NULL;
    PyObject *result = NULL;
    uint16_t *words = NULL;
    uint8_t *esc_buf = NULL;
    Tables t;
    if (tables_from(&t, &cdf, &len, &off, stride) < 0) goto done;
    if (sym.len % 4 || idx.len != sym.len) {
        PyErr_SetString(PyExc_ValueError, "rANS encode: symbols and indexes differ in size");
        goto done;
    }
    Py_ssize_t n = sym.len / 4;
    const int32_t *s_in = sym.buf, *i_in = idx.buf;
    /* worst case: one word per symbol and two for the final state; 5 bytes per escape */
    words = malloc((size_t)(n + 2) * sizeof(uint16_t));
    esc_buf = malloc((size_t)n * 5 + 1);
    if (!words || !esc_buf) { PyErr_NoMemory(); goto done; }
    Py_ssize_t nw, bad;
    size_t esc;
    /* without the GIL: the lanes of one latent encode side by side (nets/coder.py) */
    Py_BEGIN_ALLOW_THREADS
    bad = code_symbols(&t, s_in, i_in, n, words, &nw, esc_buf, &esc);
    Py_END_ALLOW_THREADS
    if (bad >= 0) {
        PyErr_Format(PyExc_ValueError, "rANS encode: table index %d out of range",
                     (int)i_in[bad]);
        goto done;
    }
    /* layout: uvarint(esc) | escapes | words in decoding order (the reverse of emission) */
    uint8_t head[10];
    int hn = put_uvarint(head, esc);
    result = PyBytes_FromStringAndSize(NULL, hn + (Py_ssize_t)esc + nw * 2);
    if (!result) goto done;
    uint8_t *p = (uint8_t *)PyBytes_AS_STRING(result);
    memcpy(p, head, hn);
    memcpy(p + hn, esc_buf, esc);
    p += hn + esc;
    for (Py_ssize_t j = nw - 1; j >= 0; j--) {
        *p++ = (uint8_t)words[j];
        *p++ = (uint8_t)(words[j] >> 8);
    }
done:
    free(words);
    free(esc_buf);
    PyBuffer_Release(&sym); PyBuffer_Release(&idx); PyBuffer_Release(&cdf);
    PyBuffer_Release(&len); PyBuffer_Release(&off);
    return result;
}

static int get_uvarint(const uint8_t *p, size_t size, size_t *pos, uint64_t *v) {
    *v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
        if (*pos >= size) return -1;
        uint8_t b = p[(*pos)++];
        *v |= (uint64_t)(b & 0x7f) << shift;
        if (!(b & 0x80)) return 0;
    }
    return -1;
}

/* The symbol whose CDF interval holds the slot: c[s] <= slot < c[s+1] (binary search; a
 * per-table slot->symbol array was slower: 8 MiB of tables thrash the cache). */
static inline int32_t find(const int32_t *c, int32_t n, uint32_t slot) {
    int32_t lo = 0, hi = n - 1;
    while (hi - lo > 1) {
        int32_t mid = (lo + hi) >> 1;
        if ((uint32_t)c[mid] <= slot) lo = mid; else hi = mid;
    }
    return lo;
}

/* decode(data, indexes, cdf, cdf_len, offsets, stride, out) -> None */
static PyObject *decode(PyObject *self, PyObject *args) {
    Py_buffer data, idx, cdf, len, off, outb;
    Py_ssize_t stride;
    if (!PyArg_ParseTuple(args, "y*y*y*y*y*nw*", &data, &idx, &cdf, &len, &off, &stride,
                          &outb))
        return NULL;
    PyObject *result = NULL;
    Tables t;
    if (tables_from(&t, &cdf, &len, &off, stride) < 0) goto release;
    if (idx.len % 4 || outb.len != idx.len) {
        PyErr_SetString(PyExc_ValueError, "rANS decode: indexes and output differ in size");
        goto release;
    }
    const uint8_t *p = data.buf;
    size_t size = (size_t)data.len, pos = 0;
    uint64_t esc_len;
    if (get_uvarint(p, size, &pos, &esc_len) < 0 || esc_len > size - pos) {
        PyErr_SetString(RansError, "latent stream truncated (escape section)");
        goto release;
    }
    const uint8_t *esc = p + pos;
    size_t esc_pos = 0;
    const uint8_t *w = esc + esc_len;
    size_t wbytes = size - pos - esc_len;
    if (wbytes % 2 || wbytes < 4) {
        PyErr_SetString(RansError, "latent stream truncated (rANS words)");
        goto release;
    }
    size_t nw = wbytes / 2, wp = 2;
    uint32_t x = ((uint32_t)(w[0] | w[1] << 8) << 16) | (uint32_t)(w[2] | w[3] << 8);
    Py_ssize_t n = idx.len / 4;
    const int32_t *i_in = idx.buf;
    int32_t *o = outb.buf;
    int bad_index = 0;
    Py_BEGIN_ALLOW_THREADS
    for (Py_ssize_t i = 0; i < n; i++) {
        int32_t k = i_in[i];
        if (k < 0 || k >= t.ntab) { bad_index = 1; break; }
        const int32_t *c = t.cdf + (Py_ssize_t)k * t.stride;
        int32_t top = t.len[k] - 2;
        uint32_t slot = x & (SLOTS - 1);
        int32_t s = find(c, t.len[k], slot);
        x = (uint32_t)(c[s + 1] - c[s]) * (x >> PREC) + slot - (uint32_t)c[s];
        if (x < LOW) {
            if (wp >= nw) { x = 0; break; }
            x = (x << 16) | (uint32_t)(w[2 * wp] | w[2 * wp + 1] << 8);
            wp++;
        }
        if (s == top) {
            uint64_t z;
            if (get_uvarint(esc, (size_t)esc_len, &esc_pos, &z) < 0 || z > 0xffffffffu) {
                x = 0; break;
            }
            int64_t raw = (z & 1) ? -(int64_t)((z + 1) >> 1) : (int64_t)(z >> 1);
            int64_t v = raw - t.off[k];
            if (v >= 0 && v < top) { x = 0; break; }   /* a value the table codes directly */
            o[i] = (int32_t)raw;
        } else {
            o[i] = s + t.off[k];
        }
    }
    Py_END_ALLOW_THREADS
    if (bad_index) {
        PyErr_SetString(PyExc_ValueError, "rANS decode: table index out of range");
    } else if (x != LOW || wp != nw || esc_pos != esc_len) {
        PyErr_SetString(RansError, "latent stream is corrupted (rANS state check failed)");
    } else {
        result = Py_NewRef(Py_None);
    }
release:
    PyBuffer_Release(&data); PyBuffer_Release(&idx); PyBuffer_Release(&cdf);
    PyBuffer_Release(&len); PyBuffer_Release(&off); PyBuffer_Release(&outb);
    return result;
}

static PyMethodDef methods[] = {
    {"encode", encode, METH_VARARGS,
     "encode(symbols, indexes, cdf, cdf_len, offsets, stride) -> bytes"},
    {"decode", decode, METH_VARARGS,
     "decode(data, indexes, cdf, cdf_len, offsets, stride, out): fills out (int32)"},
    {NULL, NULL, 0, NULL}};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_rans",
                                    "rANS coding of int32 buffers (see _rans.c)", -1, methods};

PyMODINIT_FUNC PyInit__rans(void) {
    PyObject *m = PyModule_Create(&module);
    if (!m) return NULL;
    RansError = PyErr_NewException("textcodec._rans.StreamError", PyExc_ValueError, NULL);
    if (!RansError || PyModule_AddObjectRef(m, "StreamError", RansError) < 0) {
        Py_DECREF(m);
        return NULL;
    }
    return m;
}
