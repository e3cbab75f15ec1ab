/* The side stream's coder (compressor 4): a context-mixing model of the raw side stream
 * (textcodec/sidestream.py's layout) driving a binary arithmetic coder.
 *
 * A page's side stream is a few hundred bytes: too short for zstd to learn its columns and
 * words from itself, and a dictionary only gives it strings to copy. Here every byte is coded
 * as 8 binary decisions, most significant bit first. For each decision six adaptive
 * predictors, one per context, give a probability; the contexts are the byte's field in the
 * layout (header, one of the seven columns, a string length, string text; first or later
 * byte of a varint), which the coder follows by parsing what it has coded so far, together
 * with the previous 0, 1, 2, 3 or 4 bytes, and with the string's bytes so far (in string
 * text; elsewhere the three bytes before the last). A logistic mixer (weights chosen by the field and
 * the byte's bits seen so far) combines them in the stretched domain, ln(p / (1 - p)), and
 * learns online; a carry-less 32-bit binary arithmetic coder codes the decision with the
 * mixed probability. Both sides first run the model over a priming corpus (side streams of
 * training images, shipped with the package and pinned by hash), so a page starts from
 * learned statistics rather than from nothing.
 *
 * Integer arithmetic throughout: the encoder and the decoder compute the same probabilities
 * on every machine. The stream is canonical (the shortest flush): the decoder checks that
 * it used exactly the bytes the encoder would have written, so a truncated or padded
 * payload is an error.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* The constants below define compressor 4: another value is another stream format. */
#define HASH_BITS 22
#define HASH_MASK ((1u << HASH_BITS) - 1)
#define ORDERS 6             /* contexts: the field with the previous 0..4 bytes; the string so far */
#define INPUTS (ORDERS + 1)  /* + a constant (bias) input */
#define FIELDS 32
#define COUNT_LIMIT 60       /* a slot adapts as 1/(n + 1.5) until n reaches this */
#define MIXER_RATE 1         /* the mixer learns at MIXER_RATE / 2^MIXER_SHIFT */
#define MIXER_SHIFT 11
#define MIXER_C0 1           /* mixer weights chosen by the field and the byte's bits so far */
#define WEIGHT_INIT 19661    /* 0.3 in 16.16 */
#define MAX_SIZE (1 << 26)

/* p = 4096 / (1 + exp(-x / 256)) at x = -2048, -1920, ..., 2048 */
static const int SQUASH_POINTS[33] = {
    1, 2, 4, 6, 10, 17, 27, 45, 74, 120, 194, 311, 488, 747, 1102, 1546, 2048,
    2550, 2994, 3349, 3608, 3785, 3902, 3976, 4022, 4051, 4069, 4079, 4086, 4090, 4092,
    4094, 4095};
static int16_t STRETCH[4096];
static int32_t RECIP[COUNT_LIMIT + 1];

static int squash(int d) { /* stretched (-2047..2047, 8 fractional bits) -> 12-bit p */
    if (d > 2047) return 4095;
    if (d < -2047) return 1;
    int e = d + 2048, i = e >> 7, w = e & 127;
    return (SQUASH_POINTS[i] * (128 - w) + SQUASH_POINTS[i + 1] * w + 64) >> 7;
}

static void init_tables(void) { /* integer-only, so every machine builds the same tables */
    int pi = 0;
    for (int x = -2047; x <= 2047; x++) {
        int v = squash(x);
        for (int j = pi; j <= v; j++) STRETCH[j] = (int16_t)x;
        pi = v + 1;
    }
    for (int j = pi; j < 4096; j++) STRETCH[j] = 2047;
    for (int n = 0; n <= COUNT_LIMIT; n++) RECIP[n] = (int32_t)(131072 / (2 * n + 3));
}

/* a slot: p(bit = 1) in 16 bits, stored XOR 0x8000 so that zeroed memory reads 1/2 */
typedef struct { uint16_t p, n; } Slot;

enum { S_VERSION, S_COUNT, S_COLUMN, S_STRLEN, S_STRING, S_TAIL };

typedef struct {
    Slot *slots;                         /* 1 << HASH_BITS, shared by the five contexts */
    int32_t weights[FIELDS * 256 * INPUTS];
    /* the layout parser: where the next byte falls */
    int state, continued, ncol, col, shift;
    uint64_t value, n, i, left;
    uint32_t history;                    /* the last four bytes */
    uint32_t word;                       /* a hash of the string's bytes so far */
    uint32_t ctx[ORDERS];
    int field;
    /* the decision being coded */
    Slot *cur[ORDERS];
    int st[INPUTS], pr, c0;
    int32_t *w;
} Model;

static uint32_t mix32(uint32_t a, uint32_t b) {
    uint32_t x = a * 0x9E3779B1u ^ (b + 0x7F4A7C15u) * 0x85EBCA77u;
    x ^= x >> 15;
    x *= 0xC2B2AE3Du;
    return x ^ (x >> 13);
}

static void start_stream(Model *m) {
    m->state = S_VERSION;
    m->continued = 0;
    m->ncol = m->col = m->shift = 0;
    m->value = m->n = m->i = m->left = 0;
    m->history = 0;
}

static int field_of(const Model *m) {
    static const int base[] = {0, 1, 2, 9, 10, 11};
    int f = base[m->state] + (m->state == S_COLUMN ? m->col : 0);
    return m->continued ? f + 16 : f;
}

static void byte_contexts(Model *m) {
    m->field = field_of(m);
    uint32_t f = (uint32_t)m->field;
    m->ctx[0] = mix32(f, 0);
    m->ctx[1] = mix32(f | 1u << 8, m->history & 0xFFu);
    m->ctx[2] = mix32(f | 2u << 8, m->history & 0xFFFFu);
    m->ctx[3] = mix32(f | 3u << 8, m->history & 0xFFFFFFu);
    m->ctx[4] = mix32(f | 4u << 8, m->history);
    m->ctx[5] = mix32(f | 5u << 8, m->state == S_STRING ? m->word : m->history >> 8);
    m->c0 = 1;
}

/* after a whole byte: follow the layout (a damaged stream only steers the contexts) */
static void parse_byte(Model *m, int byte) {
    m->history = m->history << 8 | (uint32_t)byte;
    switch (m->state) {
    case S_STRING:
        m->word = mix32(m->word, (uint32_t)byte);
        if (--m->left == 0) m->state = S_STRLEN;
        break;
    case S_TAIL:
        break;
    default: /* a varint */
        if (m->shift < 63) m->value |= (uint64_t)(byte & 0x7F) << m->shift;
        m->shift += 7;
        if (byte & 0x80) {
            m->continued = 1;
            break;
        }
        uint64_t v = m->value;
        m->value = 0;
        m->shift = 0;
        m->continued = 0;
        if (m->state == S_VERSION) {
            m->ncol = v == 1 ? 6 : v == 2 ? 7 : 0;
            m->state = m->ncol ? S_COUNT : S_TAIL;
        } else if (m->state == S_COUNT) {
            m->n = v;
            m->col = 0;
            m->i = 0;
            m->state = v ? S_COLUMN : S_STRLEN;
        } else if (m->state == S_COLUMN) {
            if (++m->i == m->n) {
                m->i = 0;
                if (++m->col == m->ncol) m->state = S_STRLEN;
            }
        } else { /* S_STRLEN */
            m->left = v;
            m->word = 0;
            if (v) m->state = S_STRING;
        }
    }
    byte_contexts(m);
}

static int predict(Model *m) {
    uint32_t c = (uint32_t)m->c0 * 0x2545F491u;
    for (int k = 0; k < ORDERS; k++) {
        Slot *s = &m->slots[(m->ctx[k] ^ c ^ (c >> 11)) & HASH_MASK];
        m->cur[k] = s;
        m->st[k] = STRETCH[(s->p ^ 0x8000u) >> 4];
    }
    m->st[ORDERS] = 256;
    m->w = m->weights + ((size_t)m->field * 256 + (size_t)(MIXER_C0 ? m->c0 : 0)) * INPUTS;
    int64_t dot = 0;
    for (int k = 0; k < INPUTS; k++) dot += (int64_t)m->w[k] * m->st[k];
    int d = (int)(dot >> 16);
    m->pr = squash(d < -2047 ? -2047 : d > 2047 ? 2047 : d);
    if (m->pr < 1) m->pr = 1;
    if (m->pr > 4095) m->pr = 4095;
    return m->pr;
}

static void update(Model *m, int bit) {
    int err = ((bit << 12) - m->pr) * MIXER_RATE;
    for (int k = 0; k < INPUTS; k++) m->w[k] += (m->st[k] * err) >> MIXER_SHIFT;
    for (int k = 0; k < ORDERS; k++) {
        Slot *s = m->cur[k];
        int32_t p = (int32_t)(s->p ^ 0x8000u), target = bit ? 65535 : 0;
        p += (int32_t)(((int64_t)(target - p) * RECIP[s->n]) >> 16);
        s->p = (uint16_t)((uint32_t)p ^ 0x8000u);
        if (s->n < COUNT_LIMIT) s->n++;
    }
    m->c0 = m->c0 << 1 | bit;
}

static Model *new_model(void) {
    Model *m = calloc(1, sizeof(Model));
    if (!m) return NULL;
    m->slots = calloc((size_t)1 << HASH_BITS, sizeof(Slot));
    if (!m->slots) {
        free(m);
        return NULL;
    }
    for (size_t j = 0; j < sizeof(m->weights) / sizeof(m->weights[0]); j++)
        m->weights[j] = WEIGHT_INIT;
    start_stream(m);
    byte_contexts(m);
    return m;
}

static void free_model(Model *m) {
    if (m) free(m->slots);
    free(m);
}

static void learn_stream(Model *m, const uint8_t *p, size_t len) {
    start_stream(m);
    byte_contexts(m);
    for (size_t j = 0; j < len; j++) {
        for (int b = 7; b >= 0; b--) {
            predict(m);
            update(m, (p[j] >> b) & 1);
        }
        parse_byte(m, p[j]);
    }
}

/* the priming corpus: (uvarint length, stream)*; -1 when malformed */
static int prime(Model *m, const uint8_t *p, size_t len) {
    size_t pos = 0;
    while (pos < len) {
        uint64_t size = 0;
        int shift = 0;
        for (;;) {
            if (pos >= len || shift > 56) return -1;
            uint8_t b = p[pos++];
            size |= (uint64_t)(b & 0x7F) << shift;
            shift += 7;
            if (!(b & 0x80)) break;
        }
        if (size > len - pos) return -1;
        learn_stream(m, p + pos, (size_t)size);
        pos += (size_t)size;
    }
    start_stream(m);
    byte_contexts(m);
    return 0;
}

/* The primed model of the last corpus, kept between calls (touched with the GIL held):
 * priming is most of a call's time, and a process codes many streams with one corpus. */
static Model *cached;
static uint8_t *cached_corpus;
static size_t cached_len;

static Model *clone_model(const Model *src) {
    Model *m = malloc(sizeof(Model));
    if (!m) return NULL;
    memcpy(m, src, sizeof(Model));
    m->slots = malloc(((size_t)1 << HASH_BITS) * sizeof(Slot));
    if (!m->slots) {
        free(m);
        return NULL;
    }
    memcpy(m->slots, src->slots, ((size_t)1 << HASH_BITS) * sizeof(Slot));
    return m;
}

/* a model primed on corpus (from the cache when it is the last one); NULL with the Python
 * error set. Call with the GIL held: the priming itself runs without it. */
static Model *primed_model(const Py_buffer *corpus) {
    size_t len = (size_t)corpus->len;
    if (cached && cached_len == len && memcmp(cached_corpus, corpus->buf, len) == 0) {
        Model *m = clone_model(cached);
        if (!m) PyErr_NoMemory();
        return m;
    }
    Model *m = new_model();
    if (!m) return (Model *)PyErr_NoMemory();
    int bad;
    Py_BEGIN_ALLOW_THREADS
    bad = prime(m, corpus->buf, len) < 0;
    Py_END_ALLOW_THREADS
    if (bad) {
        free_model(m);
        PyErr_SetString(PyExc_ValueError, "side-stream coder: malformed priming corpus");
        return NULL;
    }
    Model *keep = clone_model(m);
    uint8_t *copy = malloc(len ? len : 1);
    if (keep && copy) {
        memcpy(copy, corpus->buf, len);
        free_model(cached);
        free(cached_corpus);
        cached = keep;
        cached_corpus = copy;
        cached_len = len;
    } else {
        free_model(keep);
        free(copy);
    }
    return m;
}

/* the shortest flush: the fewest leading bytes of a value in [x1, x2], zeros after */
static int flush_bytes(uint32_t x1, uint32_t x2, uint32_t *value) {
    for (int nb = 1; nb < 4; nb++) {
        uint64_t mask = ((uint64_t)1 << (32 - 8 * nb)) - 1;
        uint64_t v = ((uint64_t)x1 + mask) & ~mask;
        if (v <= x2) {
            *value = (uint32_t)v;
            return nb;
        }
    }
    *value = x1;
    return 4;
}

/* twice the room (the old buffer freed when that fails: NULL tells the caller) */
static uint8_t *grow(uint8_t *buf, size_t *cap) {
    uint8_t *bigger = realloc(buf, *cap * 2);
    if (!bigger) {
        free(buf);
        return NULL;
    }
    *cap *= 2;
    return bigger;
}

static PyObject *encode(PyObject *self, PyObject *args) {
    (void)self;
    Py_buffer data, corpus;
    if (!PyArg_ParseTuple(args, "y*y*", &data, &corpus)) return NULL;
    PyObject *result = NULL;
    uint8_t *out = NULL;
    Model *m = NULL;
    if (data.len > MAX_SIZE) {
        PyErr_SetString(PyExc_ValueError, "side-stream coder: input too large");
        goto done;
    }
    m = primed_model(&corpus);
    if (!m) goto done;
    /* grown as it fills: near a byte boundary the carry-less coder's range can be small,
     * and then one decision may write up to four bytes */
    size_t cap = (size_t)data.len + 64, n = 0;
    out = malloc(cap);
    if (!out) {
        PyErr_NoMemory();
        goto done;
    }
    int nomem = 0;
    Py_BEGIN_ALLOW_THREADS
    {
        const uint8_t *p = data.buf;
        uint32_t x1 = 0, x2 = 0xFFFFFFFFu;
        for (Py_ssize_t j = 0; j < data.len; j++) {
            for (int b = 7; b >= 0; b--) {
                int bit = (p[j] >> b) & 1;
                uint32_t mid = x1 + (uint32_t)(((uint64_t)(x2 - x1) * (uint32_t)predict(m)) >> 12);
                if (bit) x2 = mid; else x1 = mid + 1;
                update(m, bit);
                while (((x1 ^ x2) & 0xFF000000u) == 0) {
                    if (n + 8 > cap && !(out = grow(out, &cap))) break;
                    out[n++] = (uint8_t)(x2 >> 24);
                    x1 <<= 8;
                    x2 = x2 << 8 | 0xFF;
                }
                if (!out) break;
            }
            if (!out) break;
            parse_byte(m, p[j]);
        }
        if (out) {
            uint32_t v;
            int nb = flush_bytes(x1, x2, &v);
            for (int k = 0; k < nb; k++) out[n++] = (uint8_t)(v >> (24 - 8 * k));
        } else {
            nomem = 1;
        }
    }
    Py_END_ALLOW_THREADS
    if (nomem)
        PyErr_NoMemory();
    else
        result = PyBytes_FromStringAndSize((const char *)out, (Py_ssize_t)n);
done:
    free(out);
    free_model(m);
    PyBuffer_Release(&data);
    PyBuffer_Release(&corpus);
    return result;
}

static PyObject *decode(PyObject *self, PyObject *args) {
    (void)self;
    Py_buffer payload, corpus;
    Py_ssize_t size;
    if (!PyArg_ParseTuple(args, "y*y*n", &payload, &corpus, &size)) return NULL;
    PyObject *result = NULL;
    uint8_t *out = NULL;
    Model *m = NULL;
    if (size < 0 || size > MAX_SIZE) {
        PyErr_SetString(PyExc_ValueError, "side-stream coder: size out of range");
        goto done;
    }
    m = primed_model(&corpus);
    if (!m) goto done;
    out = malloc((size_t)size + 1);
    if (!out) {
        PyErr_NoMemory();
        goto done;
    }
    int bad = 0;
    Py_BEGIN_ALLOW_THREADS
    {
        const uint8_t *in = payload.buf;
        size_t len = (size_t)payload.len, pos = 0;
        uint32_t x1 = 0, x2 = 0xFFFFFFFFu, x = 0;
        for (int k = 0; k < 4; k++) x = x << 8 | (pos < len ? in[pos++] : 0);
        size_t shifts = 0;
        for (Py_ssize_t j = 0; j < size; j++) {
            int byte = 0;
            for (int b = 7; b >= 0; b--) {
                uint32_t mid = x1 + (uint32_t)(((uint64_t)(x2 - x1) * (uint32_t)predict(m)) >> 12);
                int bit = x <= mid;
                if (bit) x2 = mid; else x1 = mid + 1;
                update(m, bit);
                byte = byte << 1 | bit;
                while (((x1 ^ x2) & 0xFF000000u) == 0) {
                    x1 <<= 8;
                    x2 = x2 << 8 | 0xFF;
                    x = x << 8 | (pos < len ? in[pos++] : 0);
                    shifts++;
                }
            }
            out[j] = (uint8_t)byte;
            parse_byte(m, byte);
        }
        /* canonical: the encoder wrote `shifts` bytes and then the shortest flush */
        uint32_t v;
        int nb = flush_bytes(x1, x2, &v);
        bad = shifts + (size_t)nb != len || x != v;
    }
    Py_END_ALLOW_THREADS
    if (bad)
        PyErr_SetString(PyExc_ValueError, "side-stream coder: the payload is damaged "
                                          "(its length or its last bytes are not the coder's)");
    else
        result = PyBytes_FromStringAndSize((const char *)out, size);
done:
    free(out);
    free_model(m);
    PyBuffer_Release(&payload);
    PyBuffer_Release(&corpus);
    return result;
}

static PyMethodDef methods[] = {
    {"encode", encode, METH_VARARGS,
     "encode(raw, corpus) -> bytes: the raw side stream coded after priming on corpus"},
    {"decode", decode, METH_VARARGS,
     "decode(payload, corpus, size) -> bytes: size raw bytes back; ValueError when damaged"},
    {NULL, NULL, 0, NULL}};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_sidecm",
                                    "Context-mixing coder of the OCR side stream.", -1, methods,
                                    NULL, NULL, NULL, NULL};

PyMODINIT_FUNC PyInit__sidecm(void) {
    init_tables();
    return PyModule_Create(&module);
}
